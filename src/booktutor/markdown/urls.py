"""Chapter keys and Docusaurus-style URLs derived from a document's source path."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any

_NUMBER_PREFIX = re.compile(r"^\d+[-_.]")
_UNSAFE = re.compile(r"[^a-z0-9\u0080-\uffff]+")


def chapter_key(source_path: str) -> str:
    """A URL-safe identifier for a chapter, stable across languages: `motion/control.md` → `motion-control`."""
    stem = str(PurePosixPath(source_path).with_suffix(""))
    return _UNSAFE.sub("-", stem.lower()).strip("-") or "chapter"


def doc_route(source_path: str, front_matter: Mapping[str, Any]) -> str:
    """The route Docusaurus gives a doc, relative to the docs base (no leading slash)."""
    slug = front_matter.get("slug")
    if isinstance(slug, str) and slug.strip():
        if slug.startswith("/"):
            return slug.strip("/")
        parent = PurePosixPath(source_path).parent
        return str(parent / slug).strip("/").removeprefix("./")
    parts = [_NUMBER_PREFIX.sub("", part) for part in PurePosixPath(source_path).with_suffix("").parts]
    if parts and parts[-1].lower() in {"index", "readme"}:
        parts = parts[:-1]
    if len(parts) >= 2 and parts[-1] == parts[-2]:
        parts = parts[:-1]  # folder/folder.md is the folder's index doc
    return "/".join(parts)


def anchor_url(
    source_path: str,
    front_matter: Mapping[str, Any],
    anchor: str,
    *,
    language: str,
    default_language: str,
    docs_base: str = "/docs",
) -> str:
    locale = "" if language == default_language else f"/{language}"
    route = doc_route(source_path, front_matter)
    url = f"{locale}{docs_base.rstrip('/')}/{route}".rstrip("/") or "/"
    return f"{url}#{anchor}" if anchor else url
