"""Heading-aware chunking of (MDX-cleaned) Markdown into ParsedChunks."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from markdown_it.token import Token

from booktutor.ingest.models import ParsedChunk
from booktutor.ingest.purpose import CODE, EXAMPLE, EXPOSITION, check_start, classify_section
from booktutor.markdown.fences import QUIZ_LANGUAGE, fence_language
from booktutor.markdown.headings import HeadingTracker, read_heading
from booktutor.markdown.parse import new_parser

TOKENS_PER_PIECE = 1.3
_PIECE = re.compile(r"\w+|[^\w\s]+")
_SENTENCE_END = re.compile(r"(?<=[.!?؟۔])\s+")
_ATOMIC_KINDS = frozenset({"code", "table"})


def estimate_tokens(text: str) -> int:
    """Cheap, deterministic model-token estimate.

    Counts words (`\\w+`, Unicode-aware) and runs of punctuation as pieces, times 1.3 because
    subword tokenisers split longer and rarer words into several tokens.
    """
    return math.ceil(len(_PIECE.findall(text)) * TOKENS_PER_PIECE)


# ---------------------------------------------------------------------------
# Blocks and sections
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Block:
    text: str
    kind: str  # code | table | list | paragraph | other
    tokens: int
    code_languages: tuple[str, ...] = ()
    has_code: bool = False
    has_table: bool = False
    joiner: str = "\n\n"  # text placed before this block when it follows another


@dataclass(slots=True)
class Section:
    heading_path: tuple[str, ...]
    anchor: str
    level: int  # 0 for text before the first heading
    heading_line: str
    blocks: list[Block] = field(default_factory=list)
    purpose: str = EXPOSITION

    @property
    def tokens(self) -> int:
        return estimate_tokens(self.heading_line) + sum(block.tokens for block in self.blocks)


Piece = list[tuple[Section, list[Block]]]
"""A chunk to be: sections (or parts of one) and the blocks of each it holds."""


def top_level_groups(tokens: list[Token]) -> Iterator[list[Token]]:
    """Group the token stream into top-level blocks (an opener through its closer)."""
    group: list[Token] = []
    depth = 0
    for token in tokens:
        group.append(token)
        depth += token.nesting
        if depth == 0:
            yield group
            group = []


def split_sections(markdown: str, title: str) -> list[Section]:
    lines = markdown.split("\n")
    tracker = HeadingTracker(title)
    sections = [Section((title,), "", 0, f"# {title}")]
    for group in top_level_groups(new_parser().parse(markdown)):
        first = group[0]
        if first.type == "heading_open":
            heading = read_heading(first, group[1], tracker.slugger)
            path = tracker.push(heading)
            sections.append(Section(path, heading.anchor, heading.level, heading.line))
        elif first.map is not None:
            sections[-1].blocks.append(_make_block(group, lines))
    return sections if sections[0].blocks else sections[1:]


def _make_block(group: list[Token], lines: list[str]) -> Block:
    start, end = group[0].map or (0, 0)
    text = "\n".join(lines[start:end]).strip("\n")
    fences = [token for token in group if token.type in ("fence", "code_block")]
    languages = tuple(dict.fromkeys(lang for t in fences if (lang := fence_language(t))))
    return Block(
        text=text,
        kind=_block_kind(group[0]),
        tokens=estimate_tokens(text),
        code_languages=languages,
        has_code=bool(fences),
        has_table=any(token.type == "table_open" for token in group),
    )


def _block_kind(token: Token) -> str:
    kinds = {
        "fence": "code",
        "code_block": "code",
        "table_open": "table",
        "bullet_list_open": "list",
        "ordered_list_open": "list",
        "paragraph_open": "paragraph",
    }
    return kinds.get(token.type, "other")


def remove_quiz_fences(markdown: str) -> str:
    """Blank out ```quiz fences (at any depth) so their answers never reach chunk text."""
    lines = markdown.split("\n")
    for token in new_parser().parse(markdown):
        if token.type == "fence" and fence_language(token) == QUIZ_LANGUAGE and token.map:
            start, end = token.map
            lines[start:end] = [""] * (end - start)
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# Chunking
# ---------------------------------------------------------------------------


def chunk_markdown(
    markdown: str,
    *,
    title: str,
    page: str = "",
    min_tokens: int = 100,
    max_tokens: int = 220,
    overlap_tokens: int = 30,
) -> list[ParsedChunk]:
    """Heading-aware chunks. The default size keeps a chunk inside the bundled encoder's
    256-wordpiece window (all-MiniLM-L6-v2 ignores the rest), see docs/benchmarks.md."""
    sections = [part for section in split_sections(remove_quiz_fences(markdown), title) for part in _parts(section)]
    for section in sections:
        body = "\n\n".join(block.text for block in section.blocks)
        section.purpose = classify_section(section.heading_path, body, page)
    pieces: list[Piece] = []
    for group in _merge_short_sections(sections, min_tokens, max_tokens):
        if not any(section.blocks for section in group):
            continue  # headings with no content of their own
        if len(group) > 1 or group[0].tokens <= max_tokens:
            pieces += tables_apart_from_code([(section, section.blocks) for section in group])
            continue
        section = group[0]
        for blocks in _pack_blocks(section, max_tokens, overlap_tokens):
            pieces += tables_apart_from_code([(section, blocks)])
    return [_build_chunk(position, piece, page) for position, piece in enumerate(pieces)]


def tables_apart_from_code(piece: Piece) -> list[Piece]:
    """The piece cut where a table follows code or code follows a table, the prose just before the second one
    going with it: one vector for a table (of parts, options, symptoms ...) and a long code block resembled
    neither, and the question the table answered ranked the chunk far down. A block holding both stays whole."""
    parts: list[Piece] = [[]]
    kinds: set[str] = set()
    for section, blocks in piece:
        parts[-1].append((section, []))
        for block in blocks:
            kind = _atomic_kind(block)
            if kind and kinds and kind not in kinds:
                parts.append([(section, _take_trailing_prose(parts[-1]))])
                kinds = set()
            parts[-1][-1][1].append(block)
            kinds.update([kind] if kind else [])
    return parts


def _atomic_kind(block: Block) -> str | None:
    if block.has_table != block.has_code:
        return "table" if block.has_table else "code"
    return None


def _take_trailing_prose(part: Piece) -> list[Block]:
    """Remove and return the prose after the last table or code block of the part's last section (and that
    section, when nothing of it is left)."""
    section, blocks = part[-1]
    start = len(blocks)
    while start and _atomic_kind(blocks[start - 1]) is None:
        start -= 1
    taken = blocks[start:]
    del blocks[start:]
    if not blocks:
        part.pop()
    return taken


def _parts(section: Section) -> list[Section]:
    """A summary (or objectives, navigation …) section and the knowledge check that closes it, as two sections of
    one heading: the check is practice, the summary stays quotable (their purposes never join)."""
    start = check_start([block.text for block in section.blocks], section.heading_path[-1] if section.level else "")
    if not start:
        return [section]
    return [replace(section, blocks=section.blocks[:start]), replace(section, blocks=section.blocks[start:])]


def _merge_short_sections(sections: list[Section], min_tokens: int, max_tokens: int) -> Iterator[list[Section]]:
    """Merge a short section with following siblings/descendants while under max_tokens."""
    index = 0
    while index < len(sections):
        group = [sections[index]]
        total = group[0].tokens
        index += 1
        while (
            total < min_tokens
            and index < len(sections)
            and _shares_parent(group[0], sections[index])
            and (_may_join(group[0].purpose, sections[index].purpose) or not sections[index].blocks)
            and total + sections[index].tokens <= max_tokens
        ):
            group.append(sections[index])
            total += sections[index].tokens
            index += 1
        yield group


_EXPLAINING = frozenset({EXPOSITION, EXAMPLE, CODE})
"""Purposes the answerer reads alike: a short explanation joins its short example or code section (apart,
each was a small chunk whose vector and lexemes lost the context, and a neighbour's identifiers won)."""


def _may_join(first: str, other: str) -> bool:
    """Sections of one purpose join, and so do explaining ones; practice, key terms, objectives, summaries and
    navigation stay chunks of their own (their purpose steers both ranking and what the answerer quotes)."""
    return first == other or (first in _EXPLAINING and other in _EXPLAINING)


def _shares_parent(first: Section, candidate: Section) -> bool:
    parent = first.heading_path[:-1] if first.level else ()
    path = candidate.heading_path
    return len(path) > len(parent) and path[: len(parent)] == parent


def _pack_blocks(section: Section, max_tokens: int, overlap_tokens: int) -> list[list[Block]]:
    """Split one long section on block boundaries, repeating ~overlap_tokens of prose."""
    budget = max_tokens - estimate_tokens(section.heading_line)
    packed: list[list[Block]] = []
    current: list[Block] = []
    for unit in _units(section.blocks, budget):
        if current and _size(current) + unit.tokens > budget:
            packed.append(current)
            current = _overlap_tail(current, overlap_tokens)
            if _size(current) + unit.tokens > budget:
                current = []
        current.append(unit)
    if current:
        packed.append(current)
    return packed


def _size(blocks: list[Block]) -> int:
    return sum(block.tokens for block in blocks)


def _units(blocks: list[Block], budget: int) -> Iterator[Block]:
    """Blocks, with oversized lists split into items and paragraphs into sentences."""
    for block in blocks:
        if block.tokens <= budget or block.kind in _ATOMIC_KINDS:
            yield block
        elif block.kind == "list":
            yield from _list_items(block)
        elif block.kind == "paragraph":
            yield from _sentence_groups(block.text, budget)
        else:
            yield block


def _list_items(block: Block) -> Iterator[Block]:
    items = [token for token in new_parser().parse(block.text) if token.type == "list_item_open"]
    items = [token for token in items if token.level == 1 and token.map]
    lines = block.text.split("\n")
    for number, token in enumerate(items):
        start = token.map[0] if token.map else 0
        following = items[number + 1].map if number + 1 < len(items) else None
        end = following[0] if following else len(lines)
        text = "\n".join(lines[start:end]).strip("\n")
        yield replace(block, text=text, tokens=estimate_tokens(text), joiner="\n" if number else "\n\n")


def _sentence_groups(text: str, budget: int) -> Iterator[Block]:
    group: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        if group and estimate_tokens(" ".join([*group, sentence])) > budget:
            yield _paragraph_piece(" ".join(group))
            group = []
        group.append(sentence)
    if group:
        yield _paragraph_piece(" ".join(group))


def _paragraph_piece(text: str) -> Block:
    return Block(text=text, kind="paragraph", tokens=estimate_tokens(text))


def _overlap_tail(blocks: list[Block], overlap_tokens: int) -> list[Block]:
    """Trailing prose blocks (never code or tables) worth about overlap_tokens."""
    tail: list[Block] = []
    for block in reversed(blocks):
        if block.kind in _ATOMIC_KINDS or _size(tail) + block.tokens > overlap_tokens:
            break
        tail.insert(0, block)
    if tail or not blocks or blocks[-1].kind in _ATOMIC_KINDS:
        return tail
    return _trailing_sentences(blocks[-1].text, overlap_tokens)


def _trailing_sentences(text: str, overlap_tokens: int) -> list[Block]:
    sentences = _SENTENCE_END.split(text)
    taken: list[str] = []
    for sentence in reversed(sentences[1:]):
        if estimate_tokens(" ".join([sentence, *taken])) > overlap_tokens:
            break
        taken.insert(0, sentence)
    return [_paragraph_piece(" ".join(taken))] if taken else []


def _build_chunk(position: int, piece: Piece, page: str = "") -> ParsedChunk:
    first = piece[0][0]
    text = "\n\n".join(_section_text(section, blocks) for section, blocks in piece)
    blocks = [block for _, section_blocks in piece for block in section_blocks]
    languages = dict.fromkeys(lang for block in blocks for lang in block.code_languages)
    return ParsedChunk(
        position=position,
        heading_path=first.heading_path,
        anchor=first.anchor,
        text=text,
        token_count=estimate_tokens(text),
        has_code=any(block.has_code for block in blocks),
        code_languages=tuple(languages),
        has_table=any(block.has_table for block in blocks),
        purpose=_piece_purpose(piece, page),
        sections=tuple((section.heading_path[-1], section.anchor) for section, _ in piece),
    )


def _piece_purpose(piece: Piece, page: str) -> str:
    """The (joined) sections' purpose; a part of a long section is judged by its own text (a section may
    close with a quiz), and an explaining piece that is mostly a code block is `code`."""
    section, blocks = piece[0]
    purpose = section.purpose
    if len(piece) == 1 and blocks != section.blocks:
        purpose = classify_section(section.heading_path, "\n\n".join(block.text for block in blocks), page)
    if purpose not in (EXPOSITION, EXAMPLE):
        return purpose
    code = sum(len(block.text) for block in blocks if block.kind == "code")
    return CODE if code > 0.7 * sum(len(block.text) for block in blocks) else purpose


def _section_text(section: Section, blocks: list[Block]) -> str:
    text = section.heading_line
    for index, block in enumerate(blocks):
        text += ("\n\n" if index == 0 else block.joiner) + block.text
    return text
