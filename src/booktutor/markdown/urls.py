"""Chapter keys and the URLs Docusaurus gives a doc, derived from its source path and front matter."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

# Docusaurus' DefaultNumberPrefixParser: `01-intro` → `intro`, but not date- or version-like names.
_NUMBER_PREFIX = re.compile(r"^\d+\s*[-_.]+\s*(?=[^-_.\s])")
_NOT_A_PREFIX = re.compile(r"^\d+[-_.]\d+")  # date- or version-like: 2021-01-31, 7.0
_UNSAFE = re.compile(r"[^a-z0-9\u0080-\uffff]+")
_INDEX_NAMES = frozenset({"index", "readme"})


@dataclass(frozen=True, slots=True)
class DocsSite:
    """Where a Docusaurus site serves its docs: `baseUrl` and the docs plugin's `routeBasePath`."""

    base_url: str = "/"
    route_base_path: str = "docs"


DEFAULT_SITE = DocsSite()


def chapter_key(source_path: str) -> str:
    """A URL-safe identifier for a chapter, stable across languages: `motion/control.md` → `motion-control`."""
    stem = str(PurePosixPath(source_path).with_suffix(""))
    return _UNSAFE.sub("-", stem.lower()).strip("-") or "chapter"


def strip_number_prefix(name: str) -> str:
    if _NOT_A_PREFIX.match(name):
        return name
    return _NUMBER_PREFIX.sub("", name, count=1) or name


def doc_slug(source_path: str, front_matter: Mapping[str, Any]) -> str:
    """The slug Docusaurus gives a doc (leading slash, no trailing one), as its `getSlug` computes it.

    An absolute `slug:` is taken as it is; a relative one is resolved against the doc's folder (its
    number prefixes stripped); `index`, `README` and a file named like its folder are the folder's
    page; otherwise the last segment is `id:` from the front matter, else the file name without its
    number prefix.
    """
    path = PurePosixPath(source_path)
    folders = path.parent.parts
    folder_slug = "/" + "".join(f"{strip_number_prefix(part)}/" for part in folders)
    slug = front_matter.get("slug")
    slug = slug.strip() if isinstance(slug, str) and slug.strip() else None
    if slug is not None and slug.startswith("/"):
        return _clean(slug)
    is_index = path.stem.lower() in _INDEX_NAMES or bool(folders and path.stem.lower() == folders[-1].lower())
    if slug is None and is_index:
        return _clean(folder_slug)
    doc_id = front_matter.get("id")
    doc_id = str(doc_id).strip() if isinstance(doc_id, str | int) and str(doc_id).strip() else None
    base = slug or doc_id or strip_number_prefix(path.stem)
    return _clean(posixpath.join(folder_slug, base))


def doc_permalink(
    source_path: str,
    front_matter: Mapping[str, Any],
    *,
    language: str,
    default_language: str,
    site: DocsSite = DEFAULT_SITE,
) -> str:
    """The doc's path on its site: baseUrl, the locale (other than the default), routeBasePath, slug."""
    locale = "" if language == default_language else language
    return _clean("/".join([site.base_url, locale, site.route_base_path, doc_slug(source_path, front_matter)]))


def anchor_url(
    source_path: str,
    front_matter: Mapping[str, Any],
    anchor: str,
    *,
    language: str,
    default_language: str,
    permalink: str | None = None,
) -> str:
    """A link to a heading of a doc: its stored `permalink` when it has one (made at ingest with the
    site's config), else computed for a site with Docusaurus' defaults."""
    if not permalink or not permalink.startswith("/"):
        permalink = doc_permalink(source_path, front_matter, language=language, default_language=default_language)
    return f"{permalink}#{anchor}" if anchor else permalink


def _clean(url: str) -> str:
    """One leading slash, no trailing one, no empty, `.` or `..` segments."""
    normalised = posixpath.normpath("/" + url.strip())
    return "/" + normalised.strip("/") if normalised.strip("/") else "/"
