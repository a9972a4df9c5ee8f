"""What a rewrite or translation must preserve, extracted with markdown-it and compared in code."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from markdown_it.token import Token

from booktutor.markdown.headings import HeadingSlugger, read_heading
from booktutor.markdown.parse import new_parser


@dataclass(frozen=True)
class Structure:
    headings: list[tuple[int, str, str]]  # (level, text, anchor)
    code_blocks: list[tuple[str, str]]  # (info string, content), byte for byte
    links: Counter[str]
    images: Counter[str]
    tables: list[int]  # column count of each table, in order
    front_matter_keys: frozenset[str] = field(default_factory=frozenset)

    @property
    def anchors(self) -> list[str]:
        return [anchor for _, _, anchor in self.headings]


def extract_structure(markdown: str, front_matter: dict | None = None) -> Structure:
    tokens = new_parser().parse(markdown)
    slugger = HeadingSlugger()
    headings, code, tables = [], [], []
    links: Counter[str] = Counter()
    images: Counter[str] = Counter()
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            heading = read_heading(token, tokens[index + 1], slugger)
            headings.append((heading.level, heading.text, heading.anchor))
        elif token.type == "fence":
            code.append((token.info, token.content))
        elif token.type == "table_open":
            tables.append(_column_count(tokens[index:]))
        elif token.type == "inline":
            _collect_targets(token.children or [], links, images)
    return Structure(headings, code, links, images, tables, frozenset(front_matter or {}))


def _column_count(tokens: list[Token]) -> int:
    count = 0
    for token in tokens:
        if token.type == "th_open":
            count += 1
        elif token.type == "tr_close":
            return count
    return count


def _collect_targets(children: Iterable[Token], links: Counter[str], images: Counter[str]) -> None:
    for child in children:
        if child.type == "link_open":
            links[str(child.attrs.get("href", ""))] += 1
        elif child.type == "image":
            images[str(child.attrs.get("src", ""))] += 1


def structure_problems(original: Structure, candidate: Structure, *, translated: bool) -> list[str]:
    """Every way `candidate` fails to keep `original`'s structure; empty when it is preserved.

    A rewrite keeps heading text and level; a translation keeps heading level and anchor.
    Additions (an extra link, a definition note) are allowed; losses and changes are not.
    """
    problems: list[str] = []
    if translated:
        if [(lvl, a) for lvl, _, a in original.headings] != [(lvl, a) for lvl, _, a in candidate.headings]:
            problems.append(f"headings/anchors changed: {original.anchors} → {candidate.anchors}")
    elif [(lvl, t) for lvl, t, _ in original.headings] != [(lvl, t) for lvl, t, _ in candidate.headings]:
        problems.append(
            f"headings changed: {[t for _, t, _ in original.headings]} → {[t for _, t, _ in candidate.headings]}"
        )
    if original.code_blocks != candidate.code_blocks:
        problems.append("code blocks changed, dropped or added")
    missing_links = original.links - candidate.links
    if missing_links:
        problems.append(f"links lost: {sorted(missing_links)}")
    missing_images = original.images - candidate.images
    if missing_images:
        problems.append(f"images lost: {sorted(missing_images)}")
    if original.tables != candidate.tables:
        problems.append(f"tables changed: columns {original.tables} → {candidate.tables}")
    lost_keys = original.front_matter_keys - candidate.front_matter_keys
    if lost_keys:
        problems.append(f"front-matter keys lost: {sorted(lost_keys)}")
    return problems


def compare_markdown(
    original: str,
    candidate: str,
    *,
    translated: bool,
    original_front_matter: dict | None = None,
    candidate_front_matter: dict | None = None,
) -> list[str]:
    return structure_problems(
        extract_structure(original, original_front_matter),
        extract_structure(candidate, candidate_front_matter),
        translated=translated,
    )
