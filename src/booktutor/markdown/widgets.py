"""Interactive MDX widgets, and the text that only served them, removed before a page is read as prose.

A JSX block that starts a line is a widget when, once its tags are gone, it says nothing: it shows no
text (an embedded demo, a button), or only short labels around a state value ("Chapter Completion",
"0%": a progress tracker). Buttons and similar controls lose their labels wherever they stand. When
a page loses an embedded component, the sentences that point at it ("use the sliders …", "the
interactive demo below …") go too, as does an introduction ending in a colon right above it and a
heading or admonition left empty. Blocks with real text (admonitions, tabs, details, cards) stay.
"""

from __future__ import annotations

import re

from booktutor.markdown.fences import iter_fence_flags
from booktutor.markdown.mdx import clean_markdown

_MARK = "\x00widget\x00"
_BLOCK_START = re.compile(r"^\s*<(?!(?:details|summary|Tabs|TabItem|Admonition)\b)[A-Za-z]")
_COMPONENT = re.compile(r"<[A-Z]")
_TAG_OPEN = re.compile(r"<[A-Za-z]")
_TAG_CLOSE = re.compile(r"</[A-Za-z]|/>")
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_STATE_VALUE = re.compile(r"^[\d.,]+\s*(?:%|/\s*\d+|of\s+\d+)?$")
_CONTROL = re.compile(
    r"<(?P<tag>button|progress|meter|select|[A-Z][\w.]*(?:Button|Toggle|Switch|Slider|Badge))\b[^<>]*>"
    r"[^<>]{0,80}</(?P=tag)\s*>"
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(*_]?[A-Z])")
_POINTER = re.compile(
    r"\binteractive\s+(?:[\w-]+\s+){0,2}(?:demo|viewer|explorer|playground|widget|diagram"
    r"|example)s?\b|\binteractively\b|\b(?:the|this|these)\s+(?:[\w-]+\s+)?"
    r"(?:demo|viewer|playground|widget|sliders?|code panel|joint controls)\b|\bscroll to zoom\b"
    r"|\bdrag to rotate\b|\b(?:try|start with) (?:manipulating|moving|dragging|exploring)\b",
    re.IGNORECASE,
)
_TRY_CUE = re.compile(r"^(?:switch|move|drag|click|use|try|scroll|rotate|toggle|press|hover)\b.*\bto see\b", re.I)
_PROSE = re.compile(r"^\s*(?![#|>:<`~]|[-*+]\s|\d+[.)]\s)\S")
_ADMONITION_EMPTY = re.compile(r"^[ \t]*:{3,}[ \t]*[A-Za-z][^\n]*\n(?:[ \t]*\n)*[ \t]*:{3,}[ \t]*$", re.MULTILINE)
_HEADING = re.compile(r"^ {0,3}#{1,6}\s")


def drop_widgets(body: str) -> str:
    """The page without widget blocks, control labels, and the prose that only pointed at a demo."""
    lines, demos = _marked(body.split("\n"))
    if demos:
        lines = _without_pointers(lines)
    lines = _without_empty_headings(lines)
    text = "\n".join(line for line in lines if line != _MARK)
    return _ADMONITION_EMPTY.sub("", text)


def _marked(lines: list[str]) -> tuple[list[str], bool]:
    """Widget blocks replaced by a marker line; whether one of them was an embedded component."""
    out: list[str] = []
    block: list[str] = []
    depth, demos = 0, False
    for line, fenced in iter_fence_flags(lines):
        if depth > 0 or (not fenced and _BLOCK_START.match(line)):
            block.append(line)
            depth = max(depth + (0 if fenced else _tag_balance(line)), 0)
            if depth == 0:
                kind = _widget_kind(block)
                demos = demos or kind == "demo"
                out += [_MARK] if kind else [_CONTROL.sub("", part) for part in block]
                block = []
            continue
        out.append(line if fenced else _CONTROL.sub("", line))
    return out + block, demos


def _tag_balance(line: str) -> int:
    prose = _INLINE_CODE.sub("", line)
    return len(_TAG_OPEN.findall(prose)) - len(_TAG_CLOSE.findall(prose))


def _widget_kind(block: list[str]) -> str:
    """'demo' (a component that shows no text), 'state' (labels around a state value) or ''."""
    source = "\n".join(block)
    shown = [line.strip() for line in clean_markdown(_CONTROL.sub("", source)).split("\n") if line.strip()]
    if not shown:
        return "demo" if _COMPONENT.search(source) else ""
    labels = all(len(line.split()) <= 4 and not line.endswith((".", ":", "?", "!")) for line in shown)
    return "state" if labels and any(_STATE_VALUE.match(line) for line in shown) else ""


def _without_pointers(lines: list[str]) -> list[str]:
    """Paragraphs with their demo-pointing sentences removed (the whole paragraph when it introduces
    a removed demo with a colon)."""
    out: list[str] = []
    paragraph: list[str] = []
    for index, (line, fenced) in enumerate(iter_fence_flags([*lines, ""])):
        if not fenced and _PROSE.match(line) and line != _MARK:
            paragraph.append(line)
            continue
        if paragraph:
            out += _paragraph_kept(paragraph, _introduces_demo(lines, index, paragraph))
            paragraph = []
        out.append(line)
    return out[:-1]


def _introduces_demo(lines: list[str], end: int, paragraph: list[str]) -> bool:
    following = next((line for line in lines[end:] if line.strip()), "")
    return following == _MARK and paragraph[-1].rstrip().endswith(":")


def _paragraph_kept(paragraph: list[str], introduces: bool) -> list[str]:
    sentences = _SENTENCE_END.split(" ".join(line.strip() for line in paragraph))
    pointers = [bool(_POINTER.search(s)) for s in sentences]
    if not any(pointers):
        return paragraph
    if introduces:
        return []
    kept = [s for s, pointer in zip(sentences, pointers, strict=True) if not pointer and not _TRY_CUE.match(s)]
    return [" ".join(kept)] if kept else []


def _without_empty_headings(lines: list[str]) -> list[str]:
    """Headings whose section held nothing but removed widgets."""
    out: list[str] = []
    for index, (line, fenced) in enumerate(iter_fence_flags(lines)):
        if not fenced and _HEADING.match(line) and _only_widgets(lines[index + 1 :], bool(_POINTER.search(line))):
            continue
        out.append(line)
    return out


def _only_widgets(rest: list[str], names_demo: bool) -> bool:
    """Whether the section held nothing but removed widgets (a heading naming a demo: held one)."""
    marked = False
    for line in rest:
        if _HEADING.match(line):
            break
        if line.strip() and line != _MARK and not names_demo:
            return False
        marked = marked or line == _MARK
    return marked
