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
from booktutor.ingest.purpose import EXERCISE, LAB, NAVIGATION, OBJECTIVES, SUMMARY, classify_section
from booktutor.markdown.mdx import clean_markdown, without_sentence_label
from booktutor.markdown.widgets import drop_widgets
from booktutor.tutoring.heading_words import GENERIC_HEADING_WORDS

MIN_SENTENCE_WORDS, MAX_SENTENCE_WORDS = 6, 45
# Sections that hold no teaching prose: objectives, reading lists, quizzes and exercises.
SKIPPED_HEADING = re.compile(
    r"^(learning (objectives|outcomes|goals)|objectives|prerequisites|further reading|references|"
    r"resources|additional resources|next steps?|what'?s next|exercises?|practice|quiz(zes)?|"
    r"assessment|self[- ]check|check yourself|test yourself|review questions|questions|answer key|answers|"
    r"key terms|glossary|"
    r"summary|key takeaways|conclusion)\b",
    re.IGNORECASE,
)
# Sections about the book or the page itself rather than its subject: what it is, how to read it,
# its widgets and progress boxes.
_ABOUT_THE_BOOK = re.compile(
    r"^(about this|how to use|welcome|interactive (features|demo)|(chapter|module|course|lesson) "
    r"(complete|structure|overview))\b|\b(mind map|progress tracker)\b",
    re.IGNORECASE,
)
_NON_TEACHING = frozenset({OBJECTIVES, SUMMARY, NAVIGATION, EXERCISE, LAB})
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9*`\"“(])")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_EMPHASIS = re.compile(r"\*\*|__|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)|`")
_BOLD = re.compile(r"\*\*([^*\n]{2,60}?)\*\*|__([^_\n]{2,60}?)__")
_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,2}[.)])\s+(?:\[[ xX]\]\s+)?(.*)$")
_ADMONITION = r"(Note|Tip|Info|Warning|Caution|Danger|Important)\b[^*]{0,60}"
_ADMONITION_LEAD = re.compile(rf"^\*\*{_ADMONITION}\*\*\s*", re.IGNORECASE)
_ADMONITION_TERM = re.compile(rf"^{_ADMONITION}$", re.IGNORECASE)
_LETTERED_OPTION = re.compile(r"^[A-Ha-h][).]\s")
_ABOUT_FIGURE = re.compile(r"\b(diagrams?|figures?|charts?|shown|shows?|illustrat\w*|depict\w*|visuali[sz]\w*)\b", re.I)
_DEICTIC = re.compile(
    r"^(which|what|how|why|when|where|who)\b|"
    r"\b(here|this|these|those|following|below|above|example|let's|you|we|steps?)\b",
    re.I,
)
_DIAGRAM_FENCE = re.compile(r"^\s*(?:```+|~~~+)\s*(?:mermaid|plantuml|dot|graphviz)\b", re.I)
_LABELLED_POINT = re.compile(r"^[^:]{1,40}:\s|^\S+(?:\s\S+){0,3}\s[-–—]\s")
MAX_POINTS = 6
# Not tutoring.stopwords: only what cannot make a defined term on its own or a distinct list item
# (articles, pronouns, prepositions); question words and verbs such as "is" stay, they are matched
# by the definition patterns themselves.
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "this",
        "that",
        "these",
        "those",
        "it",
        "its",
        "their",
        "of",
        "and",
        "or",
        "to",
        "in",
        "on",
        "for",
        "with",
        "by",
        "as",
    ]
)
# "… is the "reality gap"—the difference between …", "… the use of hardware acceleration—leveraging GPUs …": a
# term after an article, "is", "of" or "with", then a dash and what it is (an article's noun phrase) or does (-ing).
_DASH_DEFINITION = re.compile(
    r"(?:^|\s)(?:the|an?|is|are|of|with|called)\s+[\"“]?(?P<term>(?!(?:the|an?)\s)[A-Za-z][\w-]*(?:\s+[\w-]+){0,2})[\"”]?\s*[—–]\s*"
    r"(?:(?:the|an?)\s+\w+|[a-z]+ing)(?:\s+\S+){3,}",
    re.IGNORECASE,
)
_ANALOGY = re.compile(r"^(?:imagine|think of|picture|consider)\b", re.IGNORECASE)
# Words that, right after a heading's term, show the term is not the subject of the sentence.
_NOT_A_VERB = STOP_WORDS | frozenset(
    {"at", "from", "into", "which", "who", "vs", "versus", "but", "so", "than", "like"}
)


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
    points: tuple[str, ...] = ()  # the items of a list that opens the section (what the heading's term does)
    points_lead: str = ""  # the phrase that introduces them ("Optimal pathfinding with heuristics:"), if any
    words: int = 0  # words of prose (paragraphs and lists, not code or tables)
    diagram: bool = False  # holds a diagram (mermaid, graphviz, ...)
    code: bool = False  # holds a code block
    listings: list[str] = field(default_factory=list)  # its code blocks (not diagrams), fences included

    @property
    def figure_only(self) -> bool:
        """Only a diagram and the phrase that introduces it: its heading is the figure's caption."""
        return self.diagram and not self.sentences and not self.lists and not self.tables

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
    for section in split_sections(remove_quiz_fences(clean_markdown(drop_widgets(markdown))), title):
        if teaching_only and not all(teaching_heading(h) for h in section.heading_path[1:]):
            continue
        prose = ProseSection(section.heading_path, section.anchor)
        lead, opening = "", True
        for block in section.blocks:
            if block.kind in ("paragraph", "list"):
                prose.words += len(plain(block.text).split())
            if block.kind == "paragraph":
                _read_paragraph(block.text, prose)
                lead = plain(_ADMONITION_LEAD.sub("", " ".join(block.text.split())))  # not the box's title
                opening = opening and not prose.sentences and _short_lead(lead)
                if not prose.points:
                    prose.points_lead = lead if opening else ""
            elif block.kind == "list":
                items = _read_list(block.text, _last_sentence(lead), prose)
                if opening and not prose.points:
                    prose.points = tuple(items[:MAX_POINTS])
                lead, opening = "", False
            elif block.kind == "code":
                diagram = bool(_DIAGRAM_FENCE.match(block.text))
                prose.diagram, prose.code = prose.diagram or diagram, prose.code or not diagram
                prose.listings += [] if diagram else [block.text]
            elif block.kind == "table":
                table = _read_table(block.text)
                if table:
                    prose.tables.append(table)
                lead = ""
        _describe_heading(prose)
        prose.text = " ".join(
            [s.text for s in prose.sentences] + [i for lf in prose.lists for i in (lf.lead, *lf.items)]
        )
        result.append(prose)
    return tuple(result)


def teaching_heading(heading: str) -> bool:
    """A heading under which the book teaches its subject: not objectives, exercises, labs, summaries,
    reading lists or pages about the book itself, even behind an emoji ("🎓 Learning Objectives")."""
    text = re.sub(r"^[^\w(]+", "", plain(heading))
    if SKIPPED_HEADING.match(text) or _ABOUT_THE_BOOK.search(text):
        return False
    return classify_section((text,), "") not in _NON_TEACHING


def prose_words(sections: list[ProseSection]) -> int:
    return sum(section.words for section in sections)


def _read_paragraph(text: str, prose: ProseSection) -> None:
    joined = without_sentence_label(_ADMONITION_LEAD.sub("", " ".join(text.split())))
    for raw in _SENTENCE_END.split(joined):
        sentence = plain(raw)
        if MIN_SENTENCE_WORDS <= len(sentence.split()) <= MAX_SENTENCE_WORDS and sentence[-1:] in ".!?":
            prose.sentences.append(Sentence(sentence, _bold_terms(raw)))


def _last_sentence(text: str) -> str:
    return _SENTENCE_END.split(text)[-1] if text else ""


def _bold_terms(raw: str) -> tuple[str, ...]:
    terms = (plain(a or b).strip(" :") for a, b in _BOLD.findall(raw))
    return tuple(dict.fromkeys(t for t in terms if t and not _ADMONITION_TERM.match(t)))


def _read_list(text: str, lead: str, prose: ProseSection) -> list[str]:
    """Reads the list into `prose`; returns its items' plain text (none for a list of quiz options)."""
    items: list[str] = []
    definitions: list[tuple[str, str]] = []
    labels = 0
    lines = [m.group(1).strip() for line in text.split("\n") if (m := _ITEM.match(line)) and not _nested(line)]
    if sum(bool(_LETTERED_OPTION.match(raw)) for raw in lines) >= 2:
        return []  # "A) …, B) …": the choices of a question, none of them stated as true
    for raw in lines:
        whole = plain(raw)
        bold = re.match(r"^(?:\*\*|__)(.+?)(?:\*\*|__)\s*(?:[:：—–-]\s*)?(.*)$", raw)
        labelled = bold is not None and re.search(r"\*\*\s*[:：—–-]|:\*\*", raw) is not None
        labels += labelled
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
    return [] if labels else [plain(raw) for raw in lines]


def _short_lead(text: str) -> bool:
    """A phrase that only introduces the list after it ("Optimal pathfinding with heuristics:")."""
    return text.endswith(":") and text.count(":") == 1 and len(text.split()) <= 8 and not re.search(r"[.!?]\s", text)


def _describe_heading(prose: ProseSection) -> None:
    """A section that opens with a list of what its heading's term is or does ("### PRM" then "- Pre-computes
    a roadmap …") defines that term by the list: kept as a "term: point; point" definition."""
    term = heading_term(prose.heading) if len(prose.heading_path) > 1 else ""
    if term and not prose.points and _purpose_lead(prose, term):
        prose.lists.append(ListFact("", (), ((term, prose.points_lead.rstrip(":")),)))
        return
    if not term or not prose.points or any(_LABELLED_POINT.match(p) or not p[:1].isalnum() for p in prose.points):
        return
    named = {w.lower() for w in re.findall(r"[A-Za-z][\w-]+", term)}
    points = [p.rstrip(".;") for p in prose.points if not named & _words(p)]
    lead = prose.points_lead if not named & _words(prose.points_lead) else ""
    description = "; ".join(points)  # as written: a point may open with a name ("Tesla Optimus")
    if lead and description:
        description = f"{lead} {description}"
    if 2 * len(points) >= len(prose.points) and len(description.split()) >= 5:
        prose.lists.append(ListFact("", (), ((term, description),)))


def _purpose_lead(prose: ProseSection, term: str) -> bool:
    """The section says what its term is for in one lead-in phrase before its code or figure, and
    nothing else ("### Multi-Threaded Executor" then "For parallel callback processing:" and code;
    "### Inverse Kinematics" then "Given a pose, compute joint angles:" and a diagram). A lead-in about
    the figure itself ("How the parts connect, as shown:") is a caption, no definition."""
    lead = prose.points_lead
    named = {w.lower() for w in re.findall(r"[A-Za-z][\w-]+", term)}
    return (
        bool(lead)
        and (prose.code or prose.diagram)
        and not prose.sentences
        and len(lead.split()) >= 3
        and not named & _words(lead)
        and not _DEICTIC.search(lead)
        and not (prose.diagram and _ABOUT_FIGURE.search(lead))
    )


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z][\w-]+", text)}


def _nested(line: str) -> bool:
    return line[: len(line) - len(line.lstrip())].count(" ") >= 2


def heading_term(heading: str) -> str:
    """The term a heading names ("PRM (Probabilistic Roadmap)", "Launch Files"), or "" for headings
    that are no term: questions, steps, numbered parts, labels and topic kinds ("Common Issues")."""
    text = re.sub(r"^(?:chapter|module|part|lesson)\s+\d+[.:]?\s*|^[\d.]+\s+", "", heading.strip(), flags=re.I)
    text = re.sub(r"^[^\w(]+", "", text.replace("**", "").replace("`", "")).strip()
    base = re.sub(r"\s*\([^)]*\)", "", re.sub(r"^the\s+", "", text, flags=re.I))
    words = base.split()
    if not 1 <= len(words) <= 5 or re.search(r"[:?!&/]|^\d", base) or not re.search(r"[A-Za-z]{2}", base):
        return ""
    if {w.lower() for w in words} & GENERIC_HEADING_WORDS or (len(words) > 1 and words[0].lower().endswith("ing")):
        return ""
    if SKIPPED_HEADING.match(base):
        return ""
    return text


def nearby_terms(section: ProseSection, sections: list[ProseSection]) -> tuple[str, ...]:
    """The terms other headings of the chapter name: the section's siblings first, then its level."""
    parent, depth = section.heading_path[:-1], len(section.heading_path)
    others = [
        s
        for s in sections
        if s.heading_path != section.heading_path
        and len(s.heading_path) > 1
        and (s.words or s.tables)  # a diagram's or widget's heading names no term the book explains
        and not s.figure_only
        and heading_term(s.heading)
    ]
    ranked = sorted(others, key=lambda s: (s.heading_path[:-1] != parent, len(s.heading_path) != depth))
    return tuple(dict.fromkeys(heading_term(s.heading) for s in ranked))


def heading_subject(text: str, section: ProseSection) -> str:
    """The term of the section's heading (or its first words) when the sentence opens with it as the subject
    of a verb: "System identification improves …" under "System Identification"."""
    head = re.split(r"\s(?:and|for|in|with|vs\.?|versus|or|to|on)\s", section.heading, maxsplit=1)[0]
    words = re.sub(r"\s*\([^)]*\)", "", heading_term(head)).split()
    for size in range(len(words), 1 if len(words) > 1 else 0, -1):
        term = " ".join(words[:size])
        match = re.match(rf"^(?:(?:An?|The)\s+)?({re.escape(term)})\s+([a-z]{{2,}})\s+\S+(?:\s+\S+){{3,}}", text, re.I)
        if match and match.group(2) not in _NOT_A_VERB:
            return match.group(1)
    return ""


def dash_term(text: str) -> str:
    """The term a dash defines in a sentence that is no analogy ("Imagine the nervous system—a network …"); a
    single plain word ("needs a description—a formal …") only when quoted or capitalised."""
    match = _DASH_DEFINITION.search(text)
    if match is None or _ANALOGY.match(text):
        return ""
    term = match.group("term")
    quoted = text[match.start("term") - 1] in '"“'
    if set(term.lower().split()) & STOP_WORDS or not (quoted or " " in term or term != term.lower()):
        return ""
    return term


def _read_table(text: str) -> TableFact | None:
    lines = [line.strip() for line in text.split("\n") if line.strip().startswith("|")]
    if len(lines) < 4 or not re.fullmatch(r"\|?[\s:|-]+\|?", lines[1]):
        return None
    rows = [tuple(plain(cell) for cell in line.strip("|").split("|")) for line in [lines[0], *lines[2:]]]
    width = len(rows[0])
    if width < 2 or any(len(row) != width for row in rows):
        return None
    return TableFact(rows[0], tuple(rows[1:]))
