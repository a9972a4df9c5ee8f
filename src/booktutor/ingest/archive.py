"""Unpacking an uploaded Docusaurus site (zip or tar) without letting it write outside its folder."""

from __future__ import annotations

import tarfile
import zipfile
from pathlib import Path

from booktutor.errors import BadRequest

MAX_MEMBERS = 20_000


class BadArchive(BadRequest):
    code = "bad_archive"


def extract_archive(archive: Path, target: Path) -> Path:
    """Extract into `target`; return the book root (the folder holding `docs/`)."""
    target.mkdir(parents=True, exist_ok=True)
    if zipfile.is_zipfile(archive):
        _extract_zip(archive, target)
    elif tarfile.is_tarfile(archive):
        with tarfile.open(archive) as tar:
            if len(tar.getmembers()) > MAX_MEMBERS:
                raise BadArchive("The archive has too many files.")
            tar.extractall(target, filter="data")  # refuses absolute paths, `..`, links outside
    else:
        raise BadArchive("The upload is neither a zip nor a tar archive.")
    return find_book_root(target)


def _extract_zip(archive: Path, target: Path) -> None:
    root = target.resolve()
    with zipfile.ZipFile(archive) as zf:
        members = zf.infolist()
        if len(members) > MAX_MEMBERS:
            raise BadArchive("The archive has too many files.")
        for member in members:
            destination = (root / member.filename).resolve()
            if not destination.is_relative_to(root):
                raise BadArchive(f"The archive member {member.filename!r} points outside the archive.")
            is_symlink = (member.external_attr >> 16) & 0o170000 == 0o120000
            if not is_symlink:
                zf.extract(member, root)


def find_book_root(folder: Path) -> Path:
    """The folder itself, or the one sub-folder (at most two levels down) that holds `docs/`."""
    for candidate in (folder, *sorted(folder.glob("*")), *sorted(folder.glob("*/*"))):
        if candidate.is_dir() and (candidate / "docs").is_dir():
            return candidate
    raise BadArchive("No Docusaurus `docs/` folder was found in the archive.")
