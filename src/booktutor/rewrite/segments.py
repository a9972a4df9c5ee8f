"""Split a chapter into sections and shield what a language model must not touch.

Sections start at ATX headings of level 1–2 (outside code fences) and concatenate back to the
exact input. `Shield` swaps code fences, MDX/HTML lines, admonition markers, heading ids, inline
code and URLs for numbered placeholders like ⟦C0⟧, and puts them back after generation,
reporting any placeholder the model dropped, repeated or invented.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import partial

from booktutor.markdown.fences import iter_fence_flags

SPLIT_LEVEL = 2
_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+\S")
_PLACEHOLDER = re.compile(r"⟦([A-Z])(\d+)⟧")
_HTML_LINE = re.compile(r"^\s*(<[A-Za-z/!]|import\s|export\s|\{/\*)")
_ADMONITION_MARK = re.compile(r"^(\s*:{3,}[A-Za-z0-9_-]*)")
_HEADING_ID = re.compile(r"\{#[^\s{}]+\}")
_INLINE_CODE = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)")
_LINK_TARGET = re.compile(r"(?<=\])\((?:<[^>\n]*>|[^()\s]+)(?:\s+\"[^\"\n]*\")?\)")
_REFERENCE_DEF = re.compile(r"^\s{0,3}\[[^\]\n]+\]:\s*\S+.*$")
_AUTOLINK = re.compile(r"<(?:https?|mailto):[^>\s]+>")
_BARE_URL = re.compile(r"https?://[^\s<>()\[\]`\"']+[^\s<>()\[\]`\"'.,;:!?]")

REWRITE_KINDS = frozenset("CHMRU")  # code, html/mdx, admonition marks, reference defs, urls
TRANSLATE_KINDS = frozenset("CHMRUAI")  # + heading ids (anchors) and inline code


@dataclass(frozen=True, slots=True)
class Section:
    heading: str | None  # the heading line without its newline; None for the preamble
    text: str  # the whole section, heading line included, newlines kept

    @property
    def body(self) -> str:
        if self.heading is None:
            return self.text
        return self.text.split("\n", 1)[1] if "\n" in self.text else ""


def split_sections(markdown: str, max_level: int = SPLIT_LEVEL) -> list[Section]:
    """Sections at headings up to `max_level`; "".join(s.text) == markdown."""
    sections: list[Section] = []
    current: list[str] = []
    heading: str | None = None
    lines = markdown.splitlines(keepends=True)
    flags = iter_fence_flags([line.rstrip("\r\n") for line in lines])
    for line, (_, fenced) in zip(lines, flags, strict=True):
        match = None if fenced else _HEADING.match(line)
        if match and len(match.group(1)) <= max_level:
            if current:
                sections.append(Section(heading, "".join(current)))
            current, heading = [line], line.rstrip("\r\n")
        else:
            current.append(line)
    if current:
        sections.append(Section(heading, "".join(current)))
    return sections


def has_prose(text: str) -> bool:
    """Whether text outside placeholders and Markdown punctuation has any letters to work on."""
    return any(ch.isalpha() for ch in _PLACEHOLDER.sub("", text))


@dataclass
class Shield:
    kinds: frozenset[str]
    slots: dict[str, str] = field(default_factory=dict)

    def _slot(self, kind: str, value: str) -> str:
        token = f"⟦{kind}{len(self.slots)}⟧"
        self.slots[token] = value
        return token

    def _slot_match(self, kind: str, match: re.Match[str]) -> str:
        return self._slot(kind, match.group(0))

    def protect(self, text: str) -> str:
        out: list[str] = []
        block: list[str] = []
        lines = text.split("\n")
        for line, fenced in iter_fence_flags(lines):
            if fenced and "C" in self.kinds:
                block.append(line)
                continue
            if block:
                out.append(self._slot("C", "\n".join(block)))
                block = []
            out.append(self._protect_line(line))
        if block:
            out.append(self._slot("C", "\n".join(block)))
        return "\n".join(out)

    def _protect_line(self, line: str) -> str:
        if "H" in self.kinds and _HTML_LINE.match(line):
            return self._slot("H", line)
        if "R" in self.kinds and _REFERENCE_DEF.match(line):
            return self._slot("R", line)
        if "M" in self.kinds:
            line = _ADMONITION_MARK.sub(lambda m: self._slot("M", m.group(1)), line, count=1)
        patterns = [
            ("A", _HEADING_ID),
            ("I", _INLINE_CODE),
            ("U", _LINK_TARGET),
            ("U", _AUTOLINK),
            ("U", _BARE_URL),
        ]
        for kind, pattern in patterns:
            if kind in self.kinds:
                line = pattern.sub(partial(self._slot_match, kind), line)
        return line

    def restore(self, text: str) -> tuple[str, list[str]]:
        """The text with placeholders replaced, and a problem for each placeholder misused."""
        problems = []
        for token in self.slots:
            count = text.count(token)
            if count != 1:
                problems.append(f"placeholder {token} appears {count} times (expected once)")
        unknown = {m.group(0) for m in _PLACEHOLDER.finditer(text)} - set(self.slots)
        problems += [f"unknown placeholder {token}" for token in sorted(unknown)]
        restored = _PLACEHOLDER.sub(lambda m: self.slots.get(m.group(0), m.group(0)), text)
        return restored, problems
