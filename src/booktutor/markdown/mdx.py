"""MDX → plain Markdown: ESM statements, JSX/HTML tags and comments removed, admonitions as lead-ins."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator
from typing import Any

from booktutor.markdown.components import component_headings
from booktutor.markdown.fences import iter_fence_flags

_SENTENCE_LABEL = re.compile(r"^(?:\*\*|__)[^*_\n]{1,80}?[.?!](?:\*\*|__)\s+")


def without_sentence_label(text: str) -> str:
    """'**Why ROS 2?** The shift from ...' -> 'The shift from ...': a bold lead-in that is a sentence of its own
    labels the paragraph; it is neither part of the sentence after it nor a term."""
    return _SENTENCE_LABEL.sub("", text, count=1)


def clean_markdown(body: str, *, keep_admonitions: bool = False) -> str:
    """Turn MDX into plain Markdown for chunking; fenced code is never altered.

    Opens a section at each titled JSX block (`component_headings`). Removes top-level import/export
    statements, JSX expression blocks and tags whose attributes hold code (`drop_jsx_code`), other JSX/HTML
    tags (keeping their text), `{/* */}` and `<!-- -->` comments; renders admonitions as a bold lead-in (or
    keeps their `:::` lines with `keep_admonitions`).
    """
    output: list[str] = []
    prose: list[str] = []
    for line, fenced in iter_fence_flags(drop_jsx_code(component_headings(body)).split("\n")):
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


ADMONITION_OPEN = re.compile(
    r"^(?P<indent>\s*):{3,}[ \t]*(?P<kind>[A-Za-z][\w-]*)[ \t]*"
    r"(?:\[(?P<bracket>[^\]]*)\]|(?P<plain>[^{\s][^{]*?))?[ \t]*(?:\{[^}]*\})?[ \t]*$"
)
ADMONITION_CLOSE = re.compile(r"^\s*:{3,}\s*$")


def _render_admonition(line: str) -> str:
    if ADMONITION_CLOSE.match(line):
        return ""
    match = ADMONITION_OPEN.match(line)
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
_SUMMARY_THEN_TEXT = re.compile(r"^(?P<indent>[ \t]*)(?P<summary>.*?</summary\s*>)[ \t]*(?=\S)", re.M | re.I)
"""A fold's summary with its body on the same line (`<details><summary>Answer</summary>Port 80</details>`)."""


def _strip_jsx(text: str) -> str:
    text = _COMMENTS.sub("", text)
    text = _LINE_BREAK_TAG.sub(" ", text)
    text = _SUMMARY_THEN_TEXT.sub(r"\g<indent>\g<summary>\n\n\g<indent>", text)  # its own line, as when folded
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


MAX_JSX_SPAN = 6000


def drop_jsx_code(body: str) -> str:
    """JSX tags whose attributes hold code (`fallback={<div …/>}`) and `{…}` expression blocks
    at the start of a line, removed whole (brace-balanced, across lines); fenced code untouched."""
    out: list[str] = []
    prose: list[str] = []
    for line, fenced in iter_fence_flags(body.split("\n")):
        if fenced:
            if prose:
                out.append(_drop_jsx_in("\n".join(prose)))
                prose = []
            out.append(line)
        else:
            prose.append(line)
    if prose:
        out.append(_drop_jsx_in("\n".join(prose)))
    return "\n".join(out)


def _drop_jsx_in(text: str) -> str:
    parts: list[str] = []
    index = last = 0
    while index < len(text):
        char = text[index]
        end = -1
        if (
            char == "<"
            and index + 1 < len(text)
            and text[index + 1].isalpha()
            and (text[index - 1] in " \t" or _line_start(text, index))
        ):
            end = _balanced_end(text, index, ">")
            end = end if end > 0 and "{" in text[index:end] else -1
        elif char == "{" and _line_start(text, index):
            end = _balanced_end(text, index, "}")
        if end > 0:
            parts.append(text[last:index])
            index = last = end
            continue
        index += 1
    parts.append(text[last:])
    return "".join(parts)


def _line_start(text: str, index: int) -> bool:
    return not text[text.rfind("\n", 0, index) + 1 : index].strip()


def _balanced_end(text: str, start: int, closer: str) -> int:
    """The index after the `closer` that ends the construct at `start` (braces and quotes
    balanced), or -1 if there is none within MAX_JSX_SPAN characters."""
    depth, quote = 0, ""
    for index in range(start, min(len(text), start + MAX_JSX_SPAN)):
        char = text[index]
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'`" and depth:
            quote = char
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0 and closer == "}":
                return index + 1
        elif char == closer and depth == 0 and closer == ">":
            return index + 1
    return -1


_TAG_OPEN = re.compile(r"<[A-Za-z]")
_LIST_LINE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s")
_TAG_CLOSE = re.compile(r"</[A-Za-z]|/>")  # a closing tag or the end of a self-closing one


def dedent_jsx_content(body: str) -> str:
    """The text inside a JSX element that starts a line, dedented: authors indent it to show the nesting,
    and once the tags are gone four spaces would make it an indented code block (MDX has none)."""
    lines = body.split("\n")
    out: list[str] = []
    inner: list[str] = []
    depth = 0
    for line, fenced in iter_fence_flags(lines):
        if depth > 0:
            depth += 0 if fenced else _tag_balance(line)
            if depth > 0:
                inner.append(line)
                continue
            out += [*_dedented(inner), line]
            inner = []
            continue
        out.append(line)
        if not fenced and _TAG_OPEN.match(line):
            depth = max(_tag_balance(line), 0)
    return "\n".join(out + _dedented(inner))


def _tag_balance(line: str) -> int:
    prose = _INLINE_CODE.sub("", line)
    return len(_TAG_OPEN.findall(prose)) - len(_TAG_CLOSE.findall(prose))


def _dedented(lines: list[str]) -> list[str]:
    """Prose lines flush left; a list or fenced code keeps its inner indentation, dedented as a block."""
    out: list[str] = []
    block: list[str] = []
    for line, fenced in iter_fence_flags(lines):
        nested = bool(block) and bool(line.strip()) and _indent(line) > _indent(block[0])
        if fenced or _LIST_LINE.match(line) or nested:
            block.append(line)
            continue
        out += _block_dedented(block)
        block = []
        out.append(line.lstrip())
    return out + _block_dedented(block)


def _block_dedented(lines: list[str]) -> list[str]:
    return textwrap.dedent("\n".join(lines)).split("\n") if lines else []


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())
