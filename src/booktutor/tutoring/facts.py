"""What a chapter states, read from its prose: sections with their sentences, lists and tables.

The offline generator (`tutoring.prose`) turns these facts into questions; the tutoring eval
re-reads them to check that each question's source sentence is in the section it cites.
Sections come from the same heading split as the chunks, so anchors match the citations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from booktutor.ingest.chunker import remove_quiz_fences, split_sections
from booktutor.markdown.mdx import clean_markdown

MIN_SENTENCE_WORDS, MAX_SENTENCE_WORDS = 6, 45
# Sections that hold no teaching prose: objectives, reading lists, quizzes and exercises.
SKIPPED_HEADING = re.compile(
    r"^(learning (objectives|outcomes|goals)|objectives|prerequisites|further reading|references|"
    r"resources|additional resources|next steps?|what'?s next|exercises?|practice|quiz(zes)?|"
    r"assessment|self[- ]check|review questions|questions|answer key|answers|key terms|glossary|"
    r"summary|key takeaways|conclusion)\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9*`\"“(])")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_EMPHASIS = re.compile(r"\*\*|__|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)|`")
_BOLD = re.compile(r"\*\*([^*\n]{2,60}?)\*\*|__([^_\n]{2,60}?)__")
_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,2}[.)])\s+(?:\[[ xX]\]\s+)?(.*)$")
_ADMONITION = r"(Note|Tip|Info|Warning|Caution|Danger|Important)\b[^*]{0,60}"
_ADMONITION_LEAD = re.compile(rf"^\*\*{_ADMONITION}\*\*\s*", re.IGNORECASE)
_ADMONITION_TERM = re.compile(rf"^{_ADMONITION}$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str  # plain text, markup removed
    bold: tuple[str, ...]  # the terms the author set in bold in it
    list_item: bool = False  # a list item rather than a sentence of a paragraph


@dataclass(frozen=True, slots=True)
class ListFact:
    lead: str  # the sentence that introduces the list ("... include:")
    items: tuple[str, ...]  # each item's short form (its bold lead, else its text)
    definitions: tuple[tuple[str, str], ...]  # "- **Term**: text" items


@dataclass(frozen=True, slots=True)
class TableFact:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(slots=True)
class ProseSection:
    heading_path: tuple[str, ...]
    anchor: str
    sentences: list[Sentence] = field(default_factory=list)
    lists: list[ListFact] = field(default_factory=list)
    tables: list[TableFact] = field(default_factory=list)
    text: str = ""  # the section's plain text (for checks and similarity)
    words: int = 0  # words of prose (paragraphs and lists, not code or tables)

    @property
    def heading(self) -> str:
        return self.heading_path[-1]


def plain(text: str) -> str:
    text = _LINK.sub(r"\1", text)
    text = _TAG.sub("", text)
    return " ".join(_EMPHASIS.sub("", text).split())


def prose_sections(markdown: str, title: str, *, teaching_only: bool = True) -> list[ProseSection]:
    """The chapter's sections with their sentences, lists and tables (teaching sections only,
    unless `teaching_only` is false). Cached: the generator reads a chapter many times."""
    return list(_prose_sections(markdown, title, teaching_only))


@lru_cache(maxsize=64)
def _prose_sections(markdown: str, title: str, teaching_only: bool) -> tuple[ProseSection, ...]:
    result = []
    for section in split_sections(remove_quiz_fences(clean_markdown(markdown)), title):
        if teaching_only and any(SKIPPED_HEADING.match(plain(h)) for h in section.heading_path[1:]):
            continue
        prose = ProseSection(section.heading_path, section.anchor)
        lead = ""
        for block in section.blocks:
            if block.kind in ("paragraph", "list"):
                prose.words += len(plain(block.text).split())
            if block.kind == "paragraph":
                _read_paragraph(block.text, prose)
                lead = plain(block.text)
            elif block.kind == "list":
                _read_list(block.text, _last_sentence(lead), prose)
                lead = ""
            elif block.kind == "table":
                table = _read_table(block.text)
                if table:
                    prose.tables.append(table)
                lead = ""
        prose.text = " ".join(
            [s.text for s in prose.sentences] + [i for lf in prose.lists for i in (lf.lead, *lf.items)]
        )
        result.append(prose)
    return tuple(result)


def prose_words(sections: list[ProseSection]) -> int:
    return sum(section.words for section in sections)


def _read_paragraph(text: str, prose: ProseSection) -> None:
    joined = _ADMONITION_LEAD.sub("", " ".join(text.split()))
    for raw in _SENTENCE_END.split(joined):
        sentence = plain(raw)
        if MIN_SENTENCE_WORDS <= len(sentence.split()) <= MAX_SENTENCE_WORDS and sentence[-1:] in ".!?":
            prose.sentences.append(Sentence(sentence, _bold_terms(raw)))


def _last_sentence(text: str) -> str:
    return _SENTENCE_END.split(text)[-1] if text else ""


def _bold_terms(raw: str) -> tuple[str, ...]:
    terms = (plain(a or b).strip(" :") for a, b in _BOLD.findall(raw))
    return tuple(dict.fromkeys(t for t in terms if t and not _ADMONITION_TERM.match(t)))


def _read_list(text: str, lead: str, prose: ProseSection) -> None:
    items: list[str] = []
    definitions: list[tuple[str, str]] = []
    for line in text.split("\n"):
        match = _ITEM.match(line)
        if match is None or line[: len(line) - len(line.lstrip())].count(" ") >= 2:
            continue  # continuation lines and nested items
        raw = match.group(1).strip()
        whole = plain(raw)
        bold = re.match(r"^(?:\*\*|__)(.+?)(?:\*\*|__)\s*(?:[:：—–-]\s*)?(.*)$", raw)
        labelled = bold is not None and re.search(r"\*\*\s*[:：—–-]|:\*\*", raw) is not None
        if not labelled and MIN_SENTENCE_WORDS <= len(whole.split()) <= MAX_SENTENCE_WORDS:
            prose.sentences.append(Sentence(whole if whole[-1:] in ".!?" else f"{whole}.", _bold_terms(raw), True))
        if bold and bold.group(2):
            term, rest = plain(bold.group(1)).rstrip(":"), plain(bold.group(2))
            items.append(term)
            if len(rest.split()) >= 3 and labelled and not _ADMONITION_TERM.match(term):
                definitions.append((term, rest))
        else:
            items.append(plain(raw).rstrip("."))
    items = [i for i in items if not _ADMONITION_TERM.match(i)]
    if lead.endswith(":") and len(lead.split()) >= 4 and 3 <= len(items) <= 10:
        prose.lists.append(ListFact(lead, tuple(items), tuple(definitions)))
    elif definitions:
        prose.lists.append(ListFact("", (), tuple(definitions)))


def _read_table(text: str) -> TableFact | None:
    lines = [line.strip() for line in text.split("\n") if line.strip().startswith("|")]
    if len(lines) < 4 or not re.fullmatch(r"\|?[\s:|-]+\|?", lines[1]):
        return None
    rows = [tuple(plain(cell) for cell in line.strip("|").split("|")) for line in [lines[0], *lines[2:]]]
    width = len(rows[0])
    if width < 2 or any(len(row) != width for row in rows):
        return None
    return TableFact(rows[0], tuple(rows[1:]))
