"""MDX → plain Markdown: ESM statements, JSX/HTML tags and comments removed, admonitions as lead-ins."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from booktutor.markdown.fences import iter_fence_flags


def clean_markdown(body: str, *, keep_admonitions: bool = False) -> str:
    """Turn MDX into plain Markdown for chunking; fenced code is never altered.

    Removes top-level import/export statements, JSX/HTML tags (keeping their text),
    `{/* */}` and `<!-- -->` comments; renders admonitions as a bold lead-in (or keeps their
    `:::` lines with `keep_admonitions`).
    """
    output: list[str] = []
    prose: list[str] = []
    for line, fenced in iter_fence_flags(body.split("\n")):
        if not fenced:
            prose.append(line)
            continue
        output.extend(_clean_prose(prose, keep_admonitions))
        prose = []
        output.append(line)
    output.extend(_clean_prose(prose, keep_admonitions))
    return "\n".join(output).strip("\n") + "\n"


def _clean_prose(lines: list[str], keep_admonitions: bool = False) -> list[str]:
    if not lines:
        return []
    kept = [line if keep_admonitions else _render_admonition(line) for line in _drop_esm(lines)]
    text = _outside_inline_code("\n".join(kept), _strip_jsx)
    text = re.sub(r"[ \t]+$", "", text, flags=re.MULTILINE)
    return re.sub(r"\n{3,}", "\n\n", text).split("\n")


_ESM_START = re.compile(
    r"^(?:import\s*(?:['\"{*]|[\w$]+\s*(?:,|\bfrom\b))"
    r"|export\s+(?:default|const|let|var|function|async|class)\b|export\s*[{*])"
)


def _drop_esm(lines: list[str]) -> Iterator[str]:
    """Drop MDX import/export statements (which start at column 0), including multi-line ones."""
    balance = 0
    for line in lines:
        if balance > 0:
            balance += _bracket_balance(line)
            continue
        if _ESM_START.match(line):
            balance = max(_bracket_balance(line), 0)
            continue
        yield line


def _bracket_balance(line: str) -> int:
    return sum(line.count(c) for c in "{[(") - sum(line.count(c) for c in "}])")


_ADMONITION_OPEN = re.compile(
    r"^(?P<indent>\s*):{3,}[ \t]*(?P<kind>[A-Za-z][\w-]*)[ \t]*"
    r"(?:\[(?P<bracket>[^\]]*)\]|(?P<plain>[^{\s][^{]*?))?[ \t]*(?:\{[^}]*\})?[ \t]*$"
)
_ADMONITION_CLOSE = re.compile(r"^\s*:{3,}\s*$")


def _render_admonition(line: str) -> str:
    if _ADMONITION_CLOSE.match(line):
        return ""
    match = _ADMONITION_OPEN.match(line)
    if not match:
        return line
    kind = match.group("kind").replace("-", " ").capitalize()
    title = (match.group("bracket") or match.group("plain") or "").strip()
    label = f"{kind}: {title}" if title else f"{kind}:"
    return f"{match.group('indent')}**{label}**"


_INLINE_CODE = re.compile(r"(`+)(?:(?!\1|\n\n).)+?\1", re.DOTALL)
_COMMENTS = re.compile(r"\{\s*/\*.*?\*/\s*\}|<!--.*?-->", re.DOTALL)
_ATTR_VALUE = r"(?:\"[^\"]*\"|'[^']*'|\{(?:[^{}]|\{[^{}]*\})*\}|[^\s\"'<>=/{}]+)"
_JSX_TAG = re.compile(
    rf"</?[A-Za-z][\w.:-]*"
    rf"(?:\s+(?:\{{\s*\.\.\.[^{{}}]*\}}|[\w:.@-]+(?:\s*=\s*{_ATTR_VALUE})?))*"
    rf"\s*/?>|<>|</>"
)
_LINE_BREAK_TAG = re.compile(r"<br\s*/?>", re.IGNORECASE)


def _strip_jsx(text: str) -> str:
    text = _COMMENTS.sub("", text)
    text = _LINE_BREAK_TAG.sub(" ", text)
    return _JSX_TAG.sub("", text)


def _outside_inline_code(text: str, transform: Any) -> str:
    """Apply `transform` to everything except inline code spans."""
    parts: list[str] = []
    last = 0
    for match in _INLINE_CODE.finditer(text):
        parts.append(transform(text[last : match.start()]))
        parts.append(match.group(0))
        last = match.end()
    parts.append(transform(text[last:]))
    return "".join(parts)
