"""Find the chapter files of a Docusaurus site (or a plain folder of Markdown)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import frontmatter
import yaml

from booktutor.ingest.models import FileProblem
from booktutor.ingest.sidebars import SidebarEntry, doc_id, read_sidebar, sidebar_folder_labels, sidebar_order
from booktutor.ingest.site_config import SiteConfig, read_site_config

DOC_SUFFIXES = frozenset({".md", ".mdx"})
CATEGORY_FILES = ("_category_.json", "_category_.yml", "_category_.yaml")
I18N_DOCS = Path("docusaurus-plugin-content-docs") / "current"
_SKIPPED_DIRS = frozenset({"node_modules"})
_NUMBER_PREFIX = re.compile(r"^(\d+(?:\.\d+)?)[-_. ]")
DEFAULT_POSITION = 10_000.0  # unpositioned folders/documents sort after positioned ones


@dataclass(frozen=True, slots=True)
class SourceFile:
    path: Path  # absolute path on disk
    source_path: str  # relative to its language root, POSIX; pairs a translation with its original
    language: str
    folder_position: float | None  # position of the containing folder; None at the language root
    folder_chain: tuple[tuple[float, str], ...] = ()  # (position, name) of each ancestor folder

    def read_bytes(self) -> bytes:
        return self.path.read_bytes()


@dataclass(frozen=True, slots=True)
class LanguageSource:
    language: str
    root: Path
    files: tuple[SourceFile, ...]


@dataclass(frozen=True, slots=True)
class BookSource:
    root: Path
    docs_root: Path
    default_language: str
    languages: tuple[LanguageSource, ...]  # default language first
    problems: tuple[FileProblem, ...] = ()  # unreadable _category_ files
    site: SiteConfig = SiteConfig()  # from docusaurus.config, when the book has one
    sidebar: tuple[SidebarEntry, ...] = ()  # from the site's sidebars file, when it has one

    @property
    def title(self) -> str:
        """The site title from docusaurus.config, else the folder name humanised."""
        if self.site.title:
            return self.site.title
        words = re.sub(r"[-_]+", " ", self.root.name).strip()
        return words[:1].upper() + words[1:]

    @property
    def sort_keys(self) -> dict[str, str]:
        """source_path -> sortable string in reading order (default language's files): like the
        Docusaurus sidebar, files and folders of one level interleave by position.

        Uses folder positions plus each file's `sidebar_position` (read best-effort here); a sidebars
        file, when the site has one, decides the order of the documents it names.
        """
        files = self.files(self.default_language)
        front_matter = {file.source_path: _front_matter(file) for file in files}
        ordered = sorted(files, key=lambda file: (*_folder_key(file), _file_position(file, front_matter)))
        paths = [file.source_path for file in ordered]
        if self.sidebar:
            ids = {path: doc_id(path, _text(front_matter[path].get("id"))) for path in paths}
            paths = sidebar_order(paths, ids, self.sidebar)
        return {path: f"{index:06d}" for index, path in enumerate(paths)}

    @property
    def folder_labels(self) -> dict[str, str]:
        """Folder ("sensing/", of the default language's source paths) -> its label in the sidebar: its
        `_category_` file's, else that of the sidebars file's category holding its documents."""
        files = self.files(self.default_language)
        labels: dict[str, str] = {}
        if self.sidebar:
            ids = {file.source_path: doc_id(file.source_path, _text(_front_matter(file).get("id"))) for file in files}
            labels = sidebar_folder_labels(list(ids), ids, self.sidebar)
        for folder in _walk_dirs(self.docs_root, self.root)[1:]:
            if label := _category_label(folder):
                labels[folder.relative_to(self.docs_root).as_posix() + "/"] = label
        return labels

    @property
    def language_codes(self) -> tuple[str, ...]:
        return tuple(language.language for language in self.languages)

    def files(self, language: str | None = None) -> list[SourceFile]:
        return [
            file
            for source in self.languages
            if language is None or source.language == language
            for file in source.files
        ]


def discover_book(root: Path, *, default_language: str | None = None) -> BookSource:
    """The book at `root`: a Docusaurus site (its `docusaurus.config` read for the title, URLs, docs
    folder and default locale) or a folder of Markdown. `default_language` overrides the config's."""
    root = root.resolve()
    site = read_site_config(root)
    default_language = default_language or site.default_locale or "en"
    docs_folder = root / site.docs_path
    docs_root = docs_folder if _is_real_dir(docs_folder) and _inside(docs_folder, root) else root
    problems: list[FileProblem] = []
    default_positions = _category_positions(docs_root, default_language, problems, root)
    languages = [_language_source(docs_root, default_language, default_positions, root)]
    for language, language_root in _translation_roots(root, default_language):
        own = _category_positions(language_root, language, problems, None)
        positions = {**default_positions, **own}
        languages.append(_language_source(language_root, language, positions, None))
    sidebar = read_sidebar(root, site) if docs_root != root or site.file else ()
    return BookSource(root, docs_root, default_language, tuple(languages), tuple(problems), site, sidebar)


def _translation_roots(root: Path, default_language: str) -> list[tuple[str, Path]]:
    i18n = root / "i18n"
    if not _is_real_dir(i18n):
        return []
    found = [(entry.name, entry / I18N_DOCS) for entry in sorted(i18n.iterdir()) if _is_real_dir(entry)]
    return [(code, path) for code, path in found if code != default_language and _inside(path, root)]


def _inside(path: Path, root: Path) -> bool:
    """A folder that is really in the tree (no link on the way to it)."""
    return path.is_dir() and path.resolve().is_relative_to(root)


def _is_skipped(name: str) -> bool:
    return name.startswith(("_", ".")) or name in _SKIPPED_DIRS


def _walk_dirs(language_root: Path, site_root: Path | None) -> list[Path]:
    """Every content folder under language_root (itself included), skipping hidden ones.

    Links are never followed: one could lead out of the book or back into it (an endless walk)."""
    folders = [language_root]
    for folder in folders:
        for entry in sorted(folder.iterdir()):
            top_level_i18n = folder == site_root and entry.name == "i18n"
            if _is_real_dir(entry) and not _is_skipped(entry.name) and not top_level_i18n:
                folders.append(entry)
    return folders


def _is_real_dir(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink()


def _is_real_file(path: Path) -> bool:
    return path.is_file() and not path.is_symlink()


def _language_source(
    language_root: Path, language: str, positions: dict[str, float], site_root: Path | None
) -> LanguageSource:
    files = [
        _source_file(path, language_root, language, positions)
        for folder in _walk_dirs(language_root, site_root)
        for path in sorted(folder.iterdir())
        if _is_real_file(path) and path.suffix.lower() in DOC_SUFFIXES and not _is_skipped(path.name)
    ]
    files.sort(key=lambda file: _reading_order(file.source_path, positions))
    return LanguageSource(language, language_root, tuple(files))


def _source_file(path: Path, language_root: Path, language: str, positions: dict[str, float]) -> SourceFile:
    relative = path.relative_to(language_root).as_posix()
    folder = PurePosixPath(relative).parent.as_posix()
    folder_position = None if folder == "." else positions.get(folder, DEFAULT_POSITION)
    chain = _reading_order(relative, positions)[:-1]
    return SourceFile(path, relative, language, folder_position, chain)


def _reading_order(source_path: str, positions: dict[str, float]) -> tuple[tuple[float, str], ...]:
    """Within a folder: its files by name, then subfolders by category position and name.

    Files' own sidebar positions need their front matter; markdown.sort_key applies them.
    """
    parts = PurePosixPath(source_path).parts
    keys = [
        (positions.get("/".join(parts[: depth + 1]), DEFAULT_POSITION), part) for depth, part in enumerate(parts[:-1])
    ]
    return (*keys, (float("-inf"), parts[-1]))


def _category_positions(
    language_root: Path, language: str, problems: list[FileProblem], site_root: Path | None
) -> dict[str, float]:
    """Folder (relative POSIX path) -> position, from _category_ files or a numeric name prefix."""
    positions: dict[str, float] = {}
    for folder in _walk_dirs(language_root, site_root)[1:]:
        relative = folder.relative_to(language_root).as_posix()
        position = _read_category_position(folder, language_root, language, problems)
        prefix = _NUMBER_PREFIX.match(folder.name)
        if position is None and prefix:
            position = float(prefix.group(1))
        if position is not None:
            positions[relative] = position
    return positions


def _read_category_position(
    folder: Path, language_root: Path, language: str, problems: list[FileProblem]
) -> float | None:
    for name in CATEGORY_FILES:
        path = folder / name
        if not _is_real_file(path):
            continue
        try:
            data = _load_category(path)
        except (OSError, ValueError, yaml.YAMLError) as error:
            relative = path.relative_to(language_root).as_posix()
            problems.append(FileProblem(relative, language, "invalid_category", str(error)))
            return None
        position = data.get("position") if isinstance(data, dict) else None
        if isinstance(position, int | float) and not isinstance(position, bool):
            return float(position)
        return None
    return None


def _category_label(folder: Path) -> str | None:
    """The `label` of the folder's `_category_` file, if it has a readable one."""
    for path in (folder / name for name in CATEGORY_FILES):
        if _is_real_file(path):
            try:
                data = _load_category(path)
            except (OSError, ValueError, yaml.YAMLError):  # reported with the folder's position
                return None
            return _text(data.get("label")) if isinstance(data, dict) else None
    return None


def _load_category(path: Path) -> Any:
    text = path.read_text(encoding="utf-8-sig")
    return json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)


def _folder_key(file: SourceFile) -> tuple[tuple[float, str], ...]:
    """Reading-order key of the file's folder chain (files' own key is dropped)."""
    return tuple(file.folder_chain)


def _front_matter(file: SourceFile) -> dict[str, Any]:
    try:
        data = frontmatter.loads(file.path.read_text("utf-8-sig")).metadata
    except Exception:  # broken files are reported by parse_document instead
        return {}
    return data if isinstance(data, dict) else {}


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _file_position(file: SourceFile, front_matter: dict[str, dict[str, Any]]) -> tuple[float, str]:
    position = front_matter[file.source_path].get("sidebar_position")
    if isinstance(position, int | float) and not isinstance(position, bool):
        return (float(position), file.source_path)
    prefix = _NUMBER_PREFIX.match(PurePosixPath(file.source_path).name)
    return (float(prefix.group(1)) if prefix else DEFAULT_POSITION, file.source_path)
