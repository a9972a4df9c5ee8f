"""YAML front matter of a Markdown/MDX file."""

from __future__ import annotations

import datetime as dt
from typing import Any

import frontmatter
import yaml

_FM_HANDLER = frontmatter.YAMLHandler()


class FrontMatterError(ValueError):
    """The file's front matter is unclosed, not YAML, or not a mapping; the message says which."""


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Return (front matter mapping, body). Raises FrontMatterError for invalid front matter."""
    if not _FM_HANDLER.detect(text):
        return {}, text
    try:
        raw_yaml, body = _FM_HANDLER.split(text)
    except ValueError as error:
        raise FrontMatterError("front matter is not closed by '---'") from error
    try:
        data = yaml.safe_load(raw_yaml)
    except yaml.YAMLError as error:
        raise FrontMatterError(f"front matter is not valid YAML: {error}") from error
    if data is None:
        data = {}
    if not isinstance(data, dict):
        kind = type(data).__name__
        raise FrontMatterError(f"front matter must be a mapping, got {kind}")
    return _json_safe(data), body.lstrip("\n")


def _json_safe(value: Any) -> Any:
    """YAML dates become ISO strings so front matter can be stored as JSON."""
    if isinstance(value, dict):
        return {str(key): _json_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_safe(item) for item in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value
