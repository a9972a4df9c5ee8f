"""Definitions of jargon at first use and the "Before you start" note (offline adaptation)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from booktutor.markdown.fences import iter_fence_flags
from booktutor.markdown.glossary import GLOSSARY_TITLE
from booktutor.personalize.jargon import plain, sections_with_anchors, term_pattern

MAX_PREREQUISITES = 3
MAX_NOTES_PER_BLOCK = 3
MAX_NOTES = 15
LOOKAHEAD_BLOCKS = 2  # a term the chapter defines in one of its next blocks is left to the chapter
NOT_PROSE = re.compile(r"`+[^`]*`+|\]\([^)]*\)|<[^>]*>|https?://\S+")
_HEADING_TEXT = re.compile(r"^ {0,3}#{1,6}[ \t]+(.*?)[ \t#]*$")
_BLOCK_START = re.compile(r"^\s*(#|```|~~~|\||<|import\s|export\s|:::|>)")
MAX_OWN_ITEMS = 4
MAX_ITEM_WORDS = 25
# A chapter's own list of what a reader needs, then of what it teaches: "Before you start" when no earlier
# chapter is detected.
_NEEDS_TITLE = re.compile(
    r"^(?:\d+(?:\.\d+)*\.?\s+)?(prerequisites?|requirements|before\s+you\s+(begin|start)|what\s+you('ll|\s+will)?\s+need|"
    r"you('ll|\s+will)\s+need|materials(\s+needed)?|required\s+(hardware|software|materials|tools))\b",
    re.IGNORECASE,
)
_OBJECTIVES_TITLE = re.compile(
    r"^(?:\d+(?:\.\d+)*\.?\s+)?(learning\s+(objectives?|outcomes|goals)|objectives|what\s+you('ll|\s+will)\s+learn)\b",
    re.IGNORECASE,
)
_ITEM = re.compile(r"^\s{0,3}(?:[-*+]|\d+[.)])\s+(?P<text>\S.*)$")


@dataclass(frozen=True)
class TermSource:
    """A term's definition and where the book gives it (`url` "" means this chapter)."""

    term: str
    text: str
    url: str = ""
    where: str = ""  # the defining chapter's title; "" for this chapter
    anchor: str = ""


@dataclass(frozen=True)
class EarlierChapter:
    title: str
    url: str
    terms: frozenset[str]  # the terms it defines, as written


@dataclass(frozen=True)
class AdaptationContext:
    definitions: dict[str, TermSource] = field(default_factory=dict)  # lower-case term -> source
    earlier: list[EarlierChapter] = field(default_factory=list)  # reading order
    own_terms: frozenset[str] = frozenset()  # lower-case terms this chapter defines itself
    glossary: bool = False  # the chapter is the book's glossary: its text is definitions already


def add_definitions(body: str, context: AdaptationContext, *, only_other_chapters: bool = False) -> str:
    """After the block where a defined term first appears, a quoted plain-language definition.

    Skipped where the block itself defines the term (the author bolds it there)."""
    definitions = {
        key: source
        for key, source in context.definitions.items()
        if not (only_other_chapters and key in context.own_terms) and not source.text.endswith(":")
    }  # "X is a format that describes:" names its term but needs the list after it
    if not definitions:
        return body
    lines = body.split("\n")
    patterns = {key: term_pattern(key) for key in sorted(definitions, key=len, reverse=True)}
    seen: set[str] = set()
    inserts: list[tuple[int, list[str]]] = []
    total = 0
    blocks = prose_blocks(lines)
    for position, (start, end) in enumerate(blocks):
        raw = " ".join(lines[start:end])
        text = NOT_PROSE.sub(" ", raw)
        found = [key for key, pattern in patterns.items() if key not in seen and pattern.search(text)]
        found = _drop_nested(found)
        seen.update(found)
        nearby = " ".join([raw, _following(lines, blocks[position + 1 : position + 1 + LOOKAHEAD_BLOCKS])])
        notes = [_note(definitions[key]) for key in found if not _defined_here(definitions[key], nearby)]
        notes = notes[: min(MAX_NOTES_PER_BLOCK, MAX_NOTES - total)]
        if notes:
            total += len(notes)
            inserts.append((end, ["", *_join_quotes(notes)]))
    for index, extra in reversed(inserts):
        lines[index:index] = extra
    return "\n".join(lines)


def _following(lines: list[str], blocks: list[tuple[int, int]]) -> str:
    """The text of the next blocks: a note right before the chapter's own definition would repeat it."""
    return " ".join(" ".join(lines[start:end]) for start, end in blocks)


def _drop_nested(keys: list[str]) -> list[str]:
    """ "wheel encoder" found: do not also define "encoder" for the same words."""
    return [k for k in keys if not any(k != other and k in other for other in keys)]


def _defined_here(source: TermSource, raw_block: str) -> bool:
    bolded = re.search(rf"(\*\*|__){re.escape(source.term)}", raw_block, re.IGNORECASE)
    spelled_out = f"({source.term})" in raw_block or f"{source.term} (" in raw_block  # "Long Name (LN)"
    return bool(bolded) or spelled_out or source.text[:60] in plain(raw_block)


def _note(source: TermSource) -> str:
    cite = f" ([{source.where}]({source.url}))" if source.url and source.where else ""
    return f"> **{display(source.term)}**: {_as_definition(source)}{cite}"


def display(term: str) -> str:
    """A term as a label: "drift" → "Drift"; acronyms and names as written."""
    return term[:1].upper() + term[1:]


def _as_definition(source: TermSource) -> str:
    prefix = f"{source.term}:"
    text = source.text[len(prefix) :].strip() if source.text.lower().startswith(prefix.lower()) else source.text
    return text[:1].upper() + text[1:] if text else text


def _join_quotes(notes: list[str]) -> list[str]:
    out: list[str] = []
    for note in notes:
        if out:
            out.append(">")
        out.append(note)
    return out


def prose_blocks(lines: list[str]) -> list[tuple[int, int]]:
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
        if fenced or not line.strip() or heading is not None:
            if start is not None:
                blocks.append((start, index))
                start = None
            continue
        if start is None and not in_glossary and not _BLOCK_START.match(line):
            start = index
    return blocks


def _lower(term: str) -> str:
    return term if sum(ch.isupper() for ch in term) >= 2 else term.lower()


def prerequisites_note(body: str, context: AdaptationContext) -> str | None:
    """Earlier chapters that define concepts this chapter uses but does not define itself."""
    text = NOT_PROSE.sub(" ", body)
    scored = []
    for position, chapter in enumerate(context.earlier):
        used = sorted(
            {t for t in chapter.terms if t.lower() not in context.own_terms and term_pattern(t).search(text)},
            key=str.lower,
        )
        if used:
            scored.append((len(used), position, chapter, used))
    chosen = sorted(scored, key=lambda s: (-s[0], -s[1]))[:MAX_PREREQUISITES]
    if not chosen:
        return own_prerequisites(body)
    lines = [
        f"- [{c.title}]({c.url}): {', '.join(_lower(t) for t in used[:4])}"
        for _, _, c, used in sorted(chosen, key=lambda s: s[1])
    ]
    return (
        ":::note[Before you start]\nThis chapter uses ideas defined in earlier chapters:\n\n"
        + "\n".join(lines)
        + "\n:::"
    )


def own_prerequisites(body: str) -> str | None:
    """The chapter's own prerequisites (else learning objectives) list, quoted and linked, when a reader would
    not meet it first thing: a section that opens the chapter is read before any note would be."""
    parts = [part for part in sections_with_anchors(body) if part.level >= 2]
    for pattern, lead in (
        (_NEEDS_TITLE, "This chapter expects"),
        (_OBJECTIVES_TITLE, "This chapter sets out to teach"),
    ):
        for position, part in enumerate(parts):
            items = [_item(m.group("text")) for line in part.lines if (m := _ITEM.match(line))]
            opens_chapter = not any(p.lines and any(line.strip() for line in p.lines) for p in parts[:position])
            if pattern.match(part.title) and items and not opens_chapter:
                listed = "\n".join(f"- {item}" for item in items[:MAX_OWN_ITEMS])
                more = "\n- …" if len(items) > MAX_OWN_ITEMS else ""
                return f":::note[Before you start]\n{lead} ([{part.title}](#{part.anchor})):\n\n{listed}{more}\n:::"
    return None


def _item(text: str) -> str:
    """A list item as plain words, clipped (links to other pages drop their targets; `<` and braces escaped for
    MDX)."""
    words = re.sub(r"([<>{}])", r"\\\1", plain(text)).split()
    return " ".join(words[:MAX_ITEM_WORDS]) + (" …" if len(words) > MAX_ITEM_WORDS else "")
