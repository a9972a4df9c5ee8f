"""A "What kinds of X ...?" question answered with the kinds the book describes: the sub-sections of the section
headed "Types of X" (booktutor.tools.kinds reads them from the book's outline), each with its first sentence when
that is short. Asked "What types of sensors are there?", a book that files "Vision Sensors", "Proprioceptive
Sensors" and "Tactile Sensors" under "Types of Sensors" answers with those three, not with the best-matching
sentence of one of them (or a code listing that mentions sensors).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from booktutor.extractive.analysis import Analysis
from booktutor.extractive.text import content_terms, split_markdown, split_sentences, stem, table_sentences, words

KIND_WORDS = r"(?:types?|kinds?|sorts?|categories|category|classes|families|varieties)"
_ASKED_OF = re.compile(
    rf"\b{KIND_WORDS}\s+of\s+(?P<x>[\w/-]+(?:\s+[\w/-]+){{0,3}}?)"
    r"(?=\s+(?:does|do|did|is|are|can|could|should|would|will|exist|there|used?|in|on|for|that|which|a|an|the)\b|"
    r"\s*[?.!,;]|\s*$)",
    re.I,
)
_ASKED_BEFORE = re.compile(
    r"^\W*(?:what|which)\s+(?:are\s+)?(?:the\s+)?(?:main\s+|different\s+|common\s+|key\s+|basic\s+)?"
    rf"(?P<x>[\w/-]+)\s+{KIND_WORDS}\b",
    re.I,
)
_ASKED_WHICH = re.compile(
    r"^\W*which\s+(?P<x>(?:[\w/-]+\s+)?[\w/-]+s)\s+(?:(?:are|is)\b|(?:does|do|can|could|should|would|will)\s+"
    r"(?:[\w/-]+\s+){0,4}?(?:use|have|need|carry|include|rely\s+on|combine)\b)",
    re.I,
)
"""'Which sensors does a humanoid use?' asks the kinds; 'Which topics does the node publish?' asks a fact."""
_HEADING_OF = re.compile(rf"\b{KIND_WORDS}\s+of\s+(?P<x>[\w/-]+(?:\s+[\w/-]+){{0,3}})", re.I)
_HEADING_BEFORE = re.compile(rf"(?P<x>[\w/-]+)\s+{KIND_WORDS}\b", re.I)
_NOT_A_HEAD = frozenset({"main", "different", "common", "key", "basic", "the", "these", "other", "all", "of"})
MAX_FIRST_SENTENCE_WORDS = 30
"""A kind's first sentence is quoted beside its name when it is this short: a definition, not a paragraph."""


def kinds_subject(question: str) -> str:
    """What the question asks the kinds of ("What kinds of sensors does a humanoid use?" → "sensors"; "Which
    sensors does a humanoid use?"; "What are the main sensor types?"), or "" when it asks no such thing."""
    for pattern in (_ASKED_OF, _ASKED_BEFORE, _ASKED_WHICH):
        if (match := pattern.search(question)) and (head := _head(match["x"])):
            return head
    return ""


def _head(phrase: str) -> str:
    """The last word of a noun phrase, its head ("humanoid robot sensors" → "sensors")."""
    found = [w for w in words(phrase) if w not in _NOT_A_HEAD]
    return found[-1] if found else ""


def names_kinds_of(heading: str, subject: str) -> bool:
    """Whether a heading announces kinds of the subject: "Types of Sensors", "Sensor Types in Humanoid Robots",
    "Types of Simulated Sensors"; not "Types of Sensor Noise" (kinds of noise)."""
    wanted = stem(subject.lower())
    for pattern in (_HEADING_OF, _HEADING_BEFORE):
        for match in pattern.finditer(heading):
            phrase = re.split(r"\s+(?:in|for|on|used|with|and|of)\b|[(:,]", match["x"], maxsplit=1)[0]
            if (head := _head(phrase)) and stem(head) == wanted:
                return True
    return False


def kinds_answer(question: str, listing: dict[str, Any] | None, results: Sequence[dict[str, Any]] = ()) -> str | None:
    """The kinds the book lists in the place `listing` names (booktutor.tools.kinds): the sub-sections of a
    section headed with them ({"n", "heading", "items": [{"n", "sub"}], "sources"}), one line each with its
    citation and its first sentence when short, else the names of its own sub-sections; or the list a lead-in
    introduces, or a table's rows, in a section ({"n", "heading", "sources"}), quoted from its text. None
    without two kinds to list. A section one of the `results` holds is cited by that result's number."""
    subject = kinds_subject(question)
    if not listing or not subject:
        return None
    sources: Sequence[dict[str, Any]] = listing.get("sources") or []
    by_n = {int(s["n"]): s for s in sources if isinstance(s, dict) and isinstance(s.get("n"), int)}
    n = int(listing.get("n", 0))
    if n not in by_n:
        return None
    heading = _plain(str(listing.get("heading") or ""))
    if "items" not in listing:
        text = _quoted_list(str(by_n[n].get("text") or ""), subject, heading, n)
        return _cited_as_results(text, sources, results) if text else None
    items = [(by_n[int(item["n"])], item) for item in listing["items"] if int(item.get("n", 0)) in by_n]
    if len(items) < 2:
        return None
    lines = [_line(source, [str(s) for s in item.get("sub", [])]) for source, item in items]
    lead = f"The book describes {len(lines)} kinds of {subject} under **{heading}** [{n}]:"
    return _cited_as_results("\n".join([lead, *lines]), sources, results)


def _cited_as_results(text: str, sources: Sequence[dict[str, Any]], results: Sequence[dict[str, Any]]) -> str:
    """The text with each source that is also a search result's section cited by the section's number: one
    section, one number in the answer."""
    numbers: dict[tuple[str, str], int] = {}
    for result in results:
        page = str(result.get("doc_path") or "")
        refs = [r for r in result.get("sections") or [] if isinstance(r, dict)] or [result]
        for ref in refs:
            if isinstance(ref.get("n"), int):
                numbers.setdefault((page, _plain(str(ref.get("heading") or "")).lower()), ref["n"])
    for source in sources:
        key = (str(source.get("doc_path") or ""), _plain(str(source.get("heading") or "")).lower())
        if (n := numbers.get(key)) is not None:
            text = text.replace(f"[{source['n']}]", f"[{n}]")
    return text


_ASKING_WORDS = content_terms(
    "type types kind kinds sort sorts category categories class classes main different common there"
)


def kinds_opening(
    analysis: Analysis, question: str, order: Sequence[int], listing: dict[str, Any] | None, listed: str
) -> str:
    """The first sentence the answer would quote otherwise that is on the kinds' page, neither one of them nor
    a lead-in, and names the question's case (its words besides the kinds asked for): it says which of them
    that case takes ("An emergency stop must be category 0 or 1."); it opens the `listed` kinds, unless they
    say it."""
    case = content_terms(question) - content_terms(kinds_subject(question)) - _ASKING_WORDS
    pages = {str(s.get("doc_path") or "") for s in (listing or {}).get("sources") or [] if isinstance(s, dict)}
    for i in order:
        here = analysis.candidates[i]
        if here.kind == "sentence" and not (here.list_item or here.opens_list) and here.doc in pages:
            return f"{here.text} [{here.n}]\n\n" if here.terms & case and here.text not in listed else ""
    return ""


def _quoted_list(text: str, subject: str, heading: str, n: int) -> str | None:
    for way in QUOTED_WAYS:
        if found := quoted_kinds(text, heading, subject, way):
            lead, items = found
            return "\n".join([lead.format(n=n), *(f"- {item} [{n}]" for item in items)])
    return None


QUOTED_WAYS = ("headed", "introduced", "tabled")
"""Where a section's own text lists kinds, best first: any list or table of a section headed with them ("Joint
Types"); a list after a lead-in that announces them ("Sensors fall into two families:"); a table whose first
column names them ("Actuator type")."""
_KINDS_CUE = re.compile(
    rf"\b(?:{KIND_WORDS[3:-1]}|groups|fall\s+into|divided\s+into|classified|(?:two|three|four|five|six)\s+[\w-]+s)\b",
    re.I,
)
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_INLINE = re.compile(r"\*\*|__|`|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")


def quoted_kinds(text: str, heading: str, subject: str, way: str) -> tuple[str, list[str]] | None:
    """The kinds of the subject a section's text lists in one of the `QUOTED_WAYS`, as the answer's lead (with
    a `{n}` place for its citation) and the items (two or more) as the book words them; None if it does not."""
    wanted = stem(subject.lower())
    for lead, items in _lists(text):
        if way == "headed" and names_kinds_of(heading, subject):
            return (f"{lead} [{{n}}]" if lead else f"**{heading}** [{{n}}]:"), items
        lead_words = {stem(w) for w in words(lead)}
        if way == "introduced" and lead and _KINDS_CUE.search(lead) and wanted in lead_words:
            return f"{lead} [{{n}}]", items
    for first, rows in _tables(text):
        if way == "headed" and names_kinds_of(heading, subject) or way == "tabled" and wanted in first:
            return f"The table in **{heading}** [{{n}}] compares these kinds of {subject}:", rows
    return None


def _lists(text: str) -> list[tuple[str, list[str]]]:
    """Each list of two or more items with the lead-in right before it ("" when the paragraph before does not
    end with a colon)."""
    blocks = _blocks(text)
    found = []
    for i, block in enumerate(blocks):
        items = _items(block) if _BULLET.match(block[0]) else []
        if len(items) >= 2:
            before = blocks[i - 1] if i else []
            intro = before and not _BULLET.match(before[0]) and before[-1].rstrip().endswith(":")
            found.append((split_sentences(_clean(" ".join(before)))[-1] if intro else "", items))
    return found


def _tables(text: str) -> list[tuple[set[str], list[str]]]:
    """Each table of two or more rows with the stems of its first column's header, its rows read as sentences
    ("Pneumatic — Typical use: Soft robots, grippers.")."""
    found = []
    for block in _blocks(text):
        if block[0].lstrip().startswith("|"):
            first = block[0].strip().strip("|").split("|")[0]
            rows = table_sentences([line for line in block if line.lstrip().startswith("|")])
            if len(rows) >= 2:
                found.append(({stem(w) for w in words(first)}, rows))
    return found


def _blocks(text: str) -> list[list[str]]:
    """The text's paragraphs, lists and tables (runs of lines between blank lines), code blocks left out."""
    blocks: list[list[str]] = [[]]
    fenced = False
    for line in text.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            continue
        if fenced or not line.strip() or line.lstrip().startswith("#"):
            blocks.append([])
            continue
        if blocks[-1] and _starts(line) and not _starts(blocks[-1][0]):  # a list or table right after its lead-in
            blocks.append([])
        blocks[-1].append(line)
    return [b for b in blocks if b]


def _starts(line: str) -> str:
    """What kind of block the line opens: a list item, a table row or neither."""
    return "item" if _BULLET.match(line) else "row" if line.lstrip().startswith("|") else ""


def _items(block: list[str]) -> list[str]:
    items: list[list[str]] = []
    for line in block:
        if _BULLET.match(line):
            items.append([_BULLET.sub("", line)])
        elif items:
            items[-1].append(line.strip())
    return [_clean(" ".join(item)) for item in items]


def _clean(text: str) -> str:
    return " ".join(_INLINE.sub("", _LINK.sub(r"\1", text)).split())


def _line(source: dict[str, Any], sub: list[str]) -> str:
    name = f"- **{_plain(str(source.get('heading') or ''))}** [{source['n']}]"
    if sentence := first_sentence(str(source.get("text") or "")):
        return f"{name}: {sentence}"
    return f"{name} ({', '.join(_plain(s) for s in sub)})" if sub else name


def first_sentence(text: str) -> str:
    """The first sentence of a section's own prose (not of a list, a table or code), when short; a lead-in
    ("Sensors that measure the robot's internal state:") without its colon."""
    for segment in split_markdown(text):
        if segment.section > 0:
            break
        if segment.kind == "code" or segment.list_item or segment.table_row:
            continue
        sentence = segment.text.strip().rstrip(":").strip()
        if len(sentence.split()) > MAX_FIRST_SENTENCE_WORDS:
            return ""
        return sentence if sentence.endswith((".", "!", "?")) else f"{sentence}."
    return ""


def _plain(heading: str) -> str:
    return re.sub(r"[*_`]", "", heading).strip()
