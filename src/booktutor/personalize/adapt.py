"""Offline, deterministic adaptation of a chapter to a learner profile (mode `adapted`).

Rules (docs/personalization.md):
- Audience blocks (admonitions titled "For beginners", "For hardware readers", "For software
  readers", "Going deeper") are shown or hidden by the profile; unknown profile fields hide nothing.
- Beginners get each glossary term defined after the block where it is first used, and a
  "Before you start" note linking to earlier chapters whose key terms the chapter uses.
- Advanced readers get the compact version: beginner asides removed, no added notes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from booktutor.markdown.fences import iter_fence_flags
from booktutor.markdown.glossary import GLOSSARY_TITLE
from booktutor.personalize.profile import LearnerProfile
from booktutor.rewrite.segments import split_sections

MAX_PREREQUISITES = 3
_OPEN = re.compile(r"^\s*(:{3,})([A-Za-z][\w-]*)(.*)$")
_CLOSE = re.compile(r"^\s*(:{3,})\s*$")
_H1 = re.compile(r"^ {0,3}#[ \t]+\S")
_HEADING_TEXT = re.compile(r"^ {0,3}#{1,6}[ \t]+(.*?)[ \t#]*$")
_NOT_PROSE = re.compile(r"`+[^`]*`+|\]\([^)]*\)|<[^>]*>|https?://\S+")
_BLOCK_START = re.compile(r"^\s*(#|```|~~~|\||<|import\s|export\s|:::|>)")

AUDIENCE_TITLES: dict[str, str] = {
    "for beginners": "beginner",
    "for hardware readers": "hardware",
    "for software readers": "software",
    "going deeper": "advanced",
    "for advanced readers": "advanced",
}


@dataclass(frozen=True)
class EarlierChapter:
    title: str
    url: str
    terms: frozenset[str]


@dataclass(frozen=True)
class AdaptationContext:
    glossary: dict[str, str] = field(default_factory=dict)  # term -> definition
    earlier: list[EarlierChapter] = field(default_factory=list)  # reading order


def audience_of(title: str) -> str | None:
    cleaned = title.strip().strip("[]").strip().lower()
    return AUDIENCE_TITLES.get(cleaned)


def is_visible(audience: str | None, profile: LearnerProfile) -> bool:
    if audience == "beginner":
        return profile.level != "advanced"
    if audience == "advanced":
        return profile.level != "beginner"
    if audience == "hardware":
        return profile.hardware != "none"
    if audience == "software":
        return profile.software != "none"
    return True


def filter_audience_blocks(body: str, profile: LearnerProfile) -> str:
    """Remove the audience blocks this profile should not see (nested blocks handled)."""
    kept: list[str] = []
    stack: list[tuple[int, bool]] = []  # (colon count, hidden)
    for line, fenced in iter_fence_flags(body.split("\n")):
        hidden_before = any(hidden for _, hidden in stack)
        if not fenced and (opening := _OPEN.match(line)):
            hidden = not is_visible(audience_of(opening.group(3)), profile)
            stack.append((len(opening.group(1)), hidden))
            if not (hidden_before or hidden):
                kept.append(line)
            continue
        if not fenced and (closing := _CLOSE.match(line)) and stack and len(closing.group(1)) == stack[-1][0]:
            _, hidden = stack.pop()
            if not (hidden_before or hidden):
                kept.append(line)
            elif kept and not kept[-1].strip():
                kept.append("\0")  # marks the blank line after a removed block for collapsing
            continue
        if not hidden_before:
            kept.append(line)
    return _collapse_removed("\n".join(kept))


def _collapse_removed(text: str) -> str:
    return re.sub(r"\n\0\n(\s*\n)?", "\n", text).replace("\0", "")


# ---------------------------------------------------------------- definitions at first use


def add_definitions(body: str, glossary: dict[str, str]) -> str:
    """After the block where a glossary term first appears, a quoted definition of it."""
    if not glossary:
        return body
    lines = body.split("\n")
    patterns = {
        term: re.compile(rf"(?<!\w){re.escape(term)}(?:s|es)?(?!\w)", re.IGNORECASE)
        for term in sorted(glossary, key=len, reverse=True)
    }
    defined: set[str] = set()
    inserts: list[tuple[int, list[str]]] = []
    for start, end in _prose_blocks(lines):
        text = _NOT_PROSE.sub(" ", " ".join(lines[start:end]))
        found = [t for t, p in patterns.items() if t not in defined and p.search(text)]
        if found:
            defined.update(found)
            notes = [f"> **{term}**: {glossary[term]}" for term in sorted(found, key=str.lower)]
            inserts.append((end, ["", *_join_quotes(notes)]))
    for index, extra in reversed(inserts):
        lines[index:index] = extra
    return "\n".join(lines)


def _join_quotes(notes: list[str]) -> list[str]:
    out: list[str] = []
    for note in notes:
        if out:
            out.append(">")
        out.append(note)
    return out


def _prose_blocks(lines: list[str]) -> list[tuple[int, int]]:
    """(start, end) line ranges of paragraphs and lists outside code, headings and glossaries."""
    blocks: list[tuple[int, int]] = []
    start: int | None = None
    in_glossary = False
    flags = [fenced for _, fenced in iter_fence_flags(lines)]
    for index, line in enumerate(lines + [""]):
        fenced = flags[index] if index < len(lines) else False
        heading = None if fenced else _HEADING_TEXT.match(line)
        if heading:
            in_glossary = bool(GLOSSARY_TITLE.match(heading.group(1).strip()))
        breaks = fenced or not line.strip() or heading is not None
        if breaks:
            if start is not None:
                blocks.append((start, index))
                start = None
            continue
        if start is None and not in_glossary and not _BLOCK_START.match(line):
            start = index
    return blocks


# ---------------------------------------------------------------- prerequisites


def prerequisites_note(body: str, earlier: list[EarlierChapter]) -> str | None:
    if not earlier:
        return None
    text = _NOT_PROSE.sub(" ", body).lower()
    scored = []
    for position, chapter in enumerate(earlier):
        hits = sum(1 for term in chapter.terms if re.search(rf"(?<!\w){re.escape(term.lower())}", text))
        if hits:
            scored.append((hits, position, chapter))
    chosen = sorted(scored, key=lambda s: (-s[0], -s[1]))[:MAX_PREREQUISITES]
    picked = [c for _, _, c in sorted(chosen, key=lambda s: s[1])] or [earlier[-1]]
    links = ", ".join(f"[{c.title}]({c.url})" for c in picked)
    return f":::note[Before you start]\nThis chapter builds on earlier chapters: {links}.\n:::"


def insert_after_title(body: str, note: str) -> str:
    """Put `note` right after the chapter's H1, or at the top when it has none."""
    sections = split_sections(body, max_level=1)
    if sections and sections[0].heading and _H1.match(sections[0].heading):
        first = sections[0].text
        heading, _, rest = first.partition("\n")
        sections_text = f"{heading}\n\n{note}\n{rest if rest.startswith(chr(10)) else chr(10) + rest}"
        return sections_text + "".join(s.text for s in sections[1:])
    return f"{note}\n\n{body}"


def adapt_chapter(body: str, profile: LearnerProfile, context: AdaptationContext) -> str:
    adapted = filter_audience_blocks(body, profile)
    if profile.level != "beginner":
        return adapted
    adapted = add_definitions(adapted, context.glossary)
    note = prerequisites_note(body, context.earlier)
    return insert_after_title(adapted, note) if note else adapted
