"""Unpacking an uploaded Docusaurus site (zip or tar) without letting it write outside its folder.

Links are never extracted (a book needs none, and a link is how an archive reaches outside its folder
or loops back into it), and the member count and the bytes written are capped so that a small
archive cannot expand into a disk-filling one. A damaged archive is a 422 `bad_archive`, never a 500.
"""

from __future__ import annotations

import errno
import tarfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from booktutor.errors import BadRequest

MAX_MEMBERS = 20_000
MAX_EXPANDED_BYTES = 200 * 1024 * 1024
_COPY_CHUNK = 1 << 20
# What reading a damaged archive raises: a bad CRC or header, truncated or corrupt data, an unsupported
# compression method or an encrypted member.
_DAMAGED = (zipfile.BadZipFile, tarfile.TarError, zlib.error, EOFError, NotImplementedError, RuntimeError)


class BadArchive(BadRequest):
    code = "bad_archive"


@dataclass(frozen=True)
class ArchiveLimits:
    max_members: int = MAX_MEMBERS
    max_expanded_bytes: int = MAX_EXPANDED_BYTES


class _Budget:
    """Counts members and bytes written against the limits."""

    def __init__(self, limits: ArchiveLimits) -> None:
        self.limits, self.members, self.written = limits, 0, 0

    def add_member(self, declared_size: int) -> None:
        self.members += 1
        if self.members > self.limits.max_members:
            raise BadArchive(f"The archive has more than {self.limits.max_members} files.")
        self._check(self.written + max(declared_size, 0))

    def add_bytes(self, count: int) -> None:
        self.written += count
        self._check(self.written)

    def _check(self, total: int) -> None:
        if total > self.limits.max_expanded_bytes:
            raise BadArchive(
                f"The archive expands to more than {self.limits.max_expanded_bytes} bytes.",
                details={"max_expanded_bytes": self.limits.max_expanded_bytes},
            )


def extract_archive(archive: Path, target: Path, limits: ArchiveLimits | None = None) -> Path:
    """Extract into `target`; return the book root (the folder holding `docs/`)."""
    target.mkdir(parents=True, exist_ok=True)
    budget = _Budget(limits or ArchiveLimits())
    try:
        if zipfile.is_zipfile(archive):
            _extract_zip(archive, target.resolve(), budget)
        elif tarfile.is_tarfile(archive):
            _extract_tar(archive, target.resolve(), budget)
        else:
            raise BadArchive("The upload is neither a zip nor a tar archive.")
    except _DAMAGED as exc:
        raise BadArchive(f"The archive is damaged or unsupported: {exc}"[:300]) from exc
    except OSError as exc:
        if exc.errno != errno.ENAMETOOLONG:
            raise
        raise BadArchive("The archive has a file name that is too long.") from exc
    return find_book_root(target)


def _extract_zip(archive: Path, root: Path, budget: _Budget) -> None:
    with zipfile.ZipFile(archive) as zf:
        for member in zf.infolist():
            budget.add_member(member.file_size)
            destination = _destination(root, member.filename)
            if member.is_dir() or _zip_is_link(member):
                continue
            destination.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(member) as source, destination.open("wb") as out:
                _copy(source, out, budget)  # a bad CRC raises BadZipFile at the end of the member


def _zip_is_link(member: zipfile.ZipInfo) -> bool:
    return (member.external_attr >> 16) & 0o170000 == 0o120000


def _extract_tar(archive: Path, root: Path, budget: _Budget) -> None:
    with tarfile.open(archive) as tar:
        for member in tar:  # lazily: a bomb is refused before it is read to the end
            budget.add_member(member.size)
            _destination(root, member.name)
            if member.issym() or member.islnk():
                continue
            if member.isdir():
                continue  # folders are created for the files in them
            if not member.isfile():
                raise BadArchive(f"The archive member {member.name!r} is not a file or a folder.")
            try:
                tar.extract(member, root, filter="data")  # also refuses absolute paths and `..`
            except tarfile.FilterError as exc:
                raise BadArchive(f"The archive member {member.name!r} is not allowed: {exc}"[:300]) from exc
            budget.add_bytes(member.size)


def _destination(root: Path, name: str) -> Path:
    """Where a member would be written; refused when that is outside `root`."""
    if "\x00" in name:
        raise BadArchive("The archive has a member name with a NUL character.")
    relative = PurePosixPath(name.replace("\\", "/"))
    destination = (root / relative).resolve()
    if relative.is_absolute() or ".." in relative.parts or not destination.is_relative_to(root):
        raise BadArchive(f"The archive member {name!r} points outside the archive.")
    return destination


def _copy(source: IO[bytes], out: IO[bytes], budget: _Budget) -> None:
    while chunk := source.read(_COPY_CHUNK):
        budget.add_bytes(len(chunk))
        out.write(chunk)


def find_book_root(folder: Path) -> Path:
    """The folder itself, or the one sub-folder (at most two levels down) that holds `docs/`."""
    for candidate in (folder, *sorted(folder.glob("*")), *sorted(folder.glob("*/*"))):
        if candidate.is_dir() and not candidate.is_symlink() and (candidate / "docs").is_dir():
            return candidate
    raise BadArchive("No Docusaurus `docs/` folder was found in the archive.")
