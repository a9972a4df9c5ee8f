"""Text handling for the offline answerer: scripts, stemming, content words, Markdown to sentences."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Literal


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


ENGLISH_STOPWORDS = _word_set(
    """a about above after again all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers him his how i if in into is it its itself
    just me more most my no nor not now of off on once only or other our out over own same
    she should so some such than that the their them then there these they this those
    through to too under until up very was we were what when where which while who whom why
    will with would you your yours explain describe define definition mean means meaning
    tell please show give summarize summarise simplify book chapter section passage
    selection paragraph text highlighted example examples something thing things work works
    use used using kind type way ways really many much vs versus"""
)
URDU_STOPWORDS = _word_set(
    """کیا ہے ہیں کی کا کے میں سے کو اور یہ وہ ایک پر نے بھی تو کہ ہو تھا تھے جو کیسے کیوں کون
    کب کہاں اس ان لیے ہوتا ہوتی ہوتے کرتا کرتی کرتے جاتا جاتی جاتے گا گی گے نہیں مجھے بتائیں
    سمجھائیں مطلب"""
)
STOPWORDS = ENGLISH_STOPWORDS | URDU_STOPWORDS

MAX_ITEM_WORDS = 45
"""A list item this short is quoted whole: its later sentences lean on its head."""
COUNT = re.compile(
    r"\b(\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"dozens?|hundreds?|thousands?|millions?|several|few)\b",
    re.I,
)
"""A number or a count word: "12", "twelve", "dozens", "several"."""
_WORD = re.compile(r"\w+", re.UNICODE)
_FENCE = re.compile(r"^\s*(```+|~~~+)\s*([\w+-]*)")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s")
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_SKIP_LINE = re.compile(r"^\s*(?::::|<|!\[|-{3,}\s*$|={3,}\s*$|import\s|export\s)")
_TABLE_LINE = re.compile(r"^\s*\|")
_TABLE_RULE = re.compile(r"^\s*\|?[\s:|-]*-[\s:|-]*$")
_LABEL_LINE = re.compile(r"^\s*(?:\*\*|__)[^*_]+(?:\*\*|__)\s*$")
"""A line that is all bold: an admonition's title ("**Tip: Migration Note**") or a run-in heading."""
_PERIPHERAL_LABEL = re.compile(
    r"\b(?:summary|key takeaways?|takeaways|what you(?:'ve| have)? learn(?:ed|t)?|recap|review|overview|"
    r"introduction|objectives|outcomes|key (?:terms|concepts|points|insights?)|conclusion|next steps|exercises?|"
    r"quiz|assessment)\b",
    re.I,
)
"""A heading about the chapter, not a topic: never the subject of the lines under it."""
_ADMONITION_LABEL = re.compile(r"^[A-Z][a-z]+:(?:\s|$)")
"""'Tip: Migration Note': the kind of an admonition says nothing about the lines it holds."""
_GENERIC_LEAD_IN = re.compile(r"^(?:Definition|Meaning|Description)\s*:\s+(?=\S)", re.I)
"""A glossary entry's '**Definition**: …' under the term's own heading: the heading names what it defines."""
_QUOTE_PREFIX = re.compile(r"^\s*>\s?")
_DEFINITION = re.compile(r"^\s{0,3}:[ \t]+(?=\S)")
"""A definition list's definition ("Latency" then ": The time a packet takes ...")."""
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_BOLD = re.compile(r"\*\*|__")
_ITALIC = re.compile(r"(?<![\w*])\*(\S[^*]*?)\*(?![\w*])")
_HTML_TAG = re.compile(r"<[^>]+>")
_INLINE_CODE = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)")
_ABBREVIATION = re.compile(r"\b(e\.g|i\.e|etc|vs|cf|fig|eq|approx|dr|mr|ms)\.", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[۔؟])\s*")
_DOT_PLACEHOLDER = "\u2024"
_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]")
_LATIN_SCRIPT = re.compile(r"[A-Za-z]")


@dataclass(frozen=True)
class Segment:
    text: str
    kind: Literal["sentence", "code"]
    code_language: str = ""
    section: int = 0  # which of the chunk's sections holds it: the number of headings before it, less one
    list_item: bool = False
    table_row: bool = False  # a table's body row read as one sentence ("Label — Column: value; ...")
    item: int = 0  # which list item of the chunk holds it, counted from 1 (0: not in a list item)
    numbered: bool = False  # the item is in a numbered list ("1. Flash the board"): a step in its order
    opens_list: bool = False  # "The workflow follows these stages:" right before the list it introduces
    describes_code: bool = False  # a heading's only sentence before its code, read with the heading (code_follows)


# The answerer reads the same sentences and words again and again (every candidate of every answer, the
# chunks a search returns for many questions): the pure functions of a string below remember their results.
_WORD_CACHE = 1 << 16
_TEXT_CACHE = 1 << 14
_CHUNK_CACHE = 1 << 11


@lru_cache(maxsize=_TEXT_CACHE)
def script_of(text: str) -> Literal["arabic", "latin", "other"]:
    arabic = len(_ARABIC_SCRIPT.findall(text))
    latin = len(_LATIN_SCRIPT.findall(text))
    if arabic == latin == 0:
        return "other"
    return "arabic" if arabic > latin else "latin"


def has_arabic_script(text: str) -> bool:
    """Any Arabic-script letter (an Urdu word) in the text."""
    return _ARABIC_SCRIPT.search(text) is not None


@lru_cache(maxsize=_WORD_CACHE)
def stem(word: str) -> str:
    """A tiny suffix stripper so that 'sensors', 'sensing' and 'sense' meet as 'sens'."""
    if not word.isascii() or len(word) <= 3:
        return word
    for suffix, replacement in (("sses", "ss"), ("ies", "y"), ("ing", ""), ("ed", ""), ("s", "")):
        if not word.endswith(suffix) or len(word) - len(suffix) < 3:
            continue
        if suffix == "s" and word.endswith(("ss", "us", "is")):
            break
        word = word[: -len(suffix)] + replacement
        if suffix in ("ing", "ed") and len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
            word = word[:-1]
        break
    return word[:-1] if len(word) > 4 and word.endswith("e") else word


@lru_cache(maxsize=_TEXT_CACHE)
def content_terms(text: str) -> frozenset[str]:
    tokens = (token for token in words(text) if not token.isdigit())
    return frozenset(stem(t) for t in tokens if len(t) > 1 and t not in STOPWORDS and t != "_")


def words(text: str) -> list[str]:
    """The lower-cased words of ``text``."""
    return _WORD.findall(text.lower())


def _clean_inline(text: str) -> str:
    """Plain text of a Markdown line; inline code (`<gazebo>`, `__init__`) stays as written."""
    text = _IMAGE.sub("", text)
    text = _LINK.sub(r"\1", text)
    spans, start = [], 0
    for code in _INLINE_CODE.finditer(text):
        spans += [_clean_markup(text[start : code.start()]), code.group(0)]
        start = code.end()
    return " ".join("".join([*spans, _clean_markup(text[start:])]).split())


def _clean_markup(text: str) -> str:
    text = _HTML_TAG.sub("", text)
    text = _BOLD.sub("", text)
    return _ITALIC.sub(r"\1", text)


def split_sentences(paragraph: str) -> list[str]:
    protected = _ABBREVIATION.sub(lambda m: m.group(0).replace(".", _DOT_PLACEHOLDER), paragraph)
    parts = _SENTENCE_END.split(protected)
    return [p.replace(_DOT_PLACEHOLDER, ".").strip() for p in parts if p and p.strip()]


MAX_FRAGMENT_WORDS = 14
"""A list item or a lone line under a heading this short is read with its heading ("Stereo Vision: Two
cameras for depth perception"): alone it does not say what it is about."""
MAX_LABEL_WORDS = 8
_OWN_LABEL = re.compile(r"^[\w'/()`.,+ -]{1,40}?(?::|\s[-–—])\s")


class _Splitter:
    """Walks a chunk's lines: paragraphs to sentences, tables to one sentence a row, code kept whole."""

    def __init__(self) -> None:
        self.segments: list[Segment] = []
        self.paragraph: list[str] = []
        self.table: list[str] = []
        self.headings = 0
        self.in_item = False
        self.numbered = False  # the item being read is numbered ("2. Start a capture")
        self.items = 0  # list items seen so far
        self.label = ""  # the heading or bold lead-in the next lines are about
        self.heading = ""  # the title of the section the lines are in (not a peripheral one)
        self.fresh = False  # nothing but the label has been said since it
        self.lead_in = ""  # the label, when the last segment is the first sentence under it and ends with ":"
        self.lead_in_at = 0  # the number of segments then
        self.term = ""  # the term of the definition list item being read

    @property
    def section(self) -> int:
        return max(self.headings - 1, 0)

    def flush(self) -> None:
        self.flush_table()
        if not self.paragraph:
            return
        joined = _clean_inline(" ".join(self.paragraph))
        self.paragraph.clear()
        sentences = split_sentences(joined)
        if self.in_item and len(joined.split()) <= MAX_ITEM_WORDS:
            said = [s for s in sentences if not s.rstrip("\"')").endswith("?")]
            # "Integral (I): Ki × error. Grows while ...": the item's head is its subject; a question in it
            # ('They answer "how am I moving?"') is left out, the statements are what the item says
            sentences = [" ".join(said)] if said and len(said) < len(sentences) else [joined]
        if self.heading and (lead_in := _GENERIC_LEAD_IN.match(sentences[0])):
            sentences[0] = f"{self.heading}: {sentences[0][lead_in.end() :]}"
        elif self.label and (self.in_item or self.fresh) and len(sentences) == 1 and not joined.endswith(":"):
            sentences = [_with_label(self.label, sentences[0])]
        lone_lead_in = self.label and self.fresh and not self.in_item and len(sentences) == 1
        self.lead_in = self.label if lone_lead_in and sentences[0].endswith(":") else ""
        self.fresh = self.fresh and self.in_item
        item = self.items if self.in_item else 0
        numbered = bool(item) and self.numbered
        self.segments.extend(
            Segment(s, "sentence", section=self.section, list_item=self.in_item, item=item, numbered=numbered)
            for s in sentences
        )
        self.lead_in_at = len(self.segments)

    def code_follows(self) -> None:
        """A section's only sentence before its code or diagram, ending with a colon, says what the heading
        names: '## Inverse Kinematics / Computing joint angles to reach a desired end-effector pose:' reads
        'Inverse Kinematics: Computing joint angles … pose.', which answers what the heading's subject is
        (else it is a lead-in, never quoted alone)."""
        if self.lead_in and self.segments and len(self.segments) == self.lead_in_at:
            sentence = self.segments[-1].text
            labelled = _with_label(self.lead_in, sentence[:-1].rstrip() + ".")
            if labelled.startswith(f"{self.lead_in}: "):
                self.segments[-1] = replace(self.segments[-1], text=labelled, describes_code=True)
        self.lead_in = ""

    def flush_table(self) -> None:
        if self.table:
            rows = table_sentences(self.table)
            self.segments.extend(
                Segment(r, "sentence", section=self.section, list_item=True, table_row=True) for r in rows
            )
            self.table.clear()

    def set_label(self, text: str) -> None:
        label = _clean_inline(text).strip().rstrip(":")
        if label and len(label.split()) <= MAX_LABEL_WORDS:
            self.label, self.fresh = label, True
        else:
            self.label, self.fresh = "", False

    def line(self, line: str) -> None:
        if _TABLE_LINE.match(line):
            self.flush_paragraph_only()
            self.table.append(line)
            return
        if not line.strip() or _HEADING.match(line) or _SKIP_LINE.match(line) or _LABEL_LINE.match(line):
            self.flush()
            if heading := _HEADING.match(line):
                self.headings += 1
                title = _HEADING.sub("", line).strip().strip("#").strip()
                self.set_label("" if heading.group(0).count("#") == 1 or _PERIPHERAL_LABEL.search(title) else title)
                self.heading = "" if _PERIPHERAL_LABEL.search(title) else _clean_inline(title)
            elif _LABEL_LINE.match(line):
                plain = _clean_inline(line)
                self.set_label("" if _ADMONITION_LABEL.match(plain) or _PERIPHERAL_LABEL.search(plain) else line)
            self.in_item = False
            return
        self.flush_table()
        line = _QUOTE_PREFIX.sub("", line)
        if _DEFINITION.match(line) and (term := self.defined_term()):
            self.flush()
            self.in_item, self.term = True, term
            self.items += 1
            line = f"{term}: {_DEFINITION.sub('', line)}"
        elif bullet := _BULLET.match(line):
            self.flush()
            self.in_item, self.term, self.numbered = True, "", bullet.group(0).strip()[0].isdigit()
            self.items += 1
            line = _BULLET.sub("", line)
        self.paragraph.append(line.strip())

    def defined_term(self) -> str:
        """The term a definition line defines: the short line right before it, the bold label line before it,
        or the term of the definition before it (a term with two definitions)."""
        if self.in_item and self.term:
            return self.term
        if len(self.paragraph) == 1 and len(self.paragraph[0].split()) <= MAX_LABEL_WORDS:
            return _clean_inline(self.paragraph.pop())
        return self.label if self.fresh and not self.paragraph else ""

    def flush_paragraph_only(self) -> None:
        table, self.table = self.table, []
        self.flush()
        self.table = table


def _with_label(label: str, sentence: str) -> str:
    """'Used in Boston Dynamics robots' under 'Hydraulic Systems' → 'Hydraulic Systems: Used in …'."""
    if len(sentence.split()) > MAX_FRAGMENT_WORDS or content_terms(label) <= content_terms(sentence):
        return sentence
    if _OWN_LABEL.match(sentence):
        return sentence  # "Asynchronous - Client doesn't block": the item names its own subject
    return f"{label}: {sentence}"


def table_sentences(lines: list[str]) -> list[str]:
    """One sentence a body row, each cell named by its column: 'Ankle — Purpose: Ground reaction forces;
    Typical Range: ±1000N, ±100Nm.' A table without a header rule reads its cells in order."""
    rows = [[_clean_inline(cell) for cell in line.strip().strip("|").split("|")] for line in lines]
    rule = next((i for i, line in enumerate(lines) if _TABLE_RULE.match(line)), None)
    header = rows[rule - 1] if rule else []
    body = rows[rule + 1 :] if rule is not None else rows
    sentences = []
    for row in body:
        if not any(row) or len(row) < 2:
            continue
        named = [
            f"{header[i]}: {cell}" if i < len(header) and header[i] else cell
            for i, cell in enumerate(row[1:], start=1)
            if cell
        ]
        text = f"{row[0]} — {'; '.join(named)}" if row[0] else "; ".join(named)
        sentences.append(text if text.endswith((".", "!", "?")) else f"{text}.")
    return sentences


def split_markdown(text: str) -> list[Segment]:
    """Sentences and fenced code blocks of a Markdown chunk: headings and HTML dropped, a table row read
    as one sentence, a short list item or a lone line read with its heading."""
    return list(_split_markdown(text))


@lru_cache(maxsize=_CHUNK_CACHE)
def _split_markdown(text: str) -> tuple[Segment, ...]:
    splitter = _Splitter()
    code: list[str] = []
    fence: str | None = None
    code_language = ""
    for line in text.splitlines():
        if fence is not None:
            if line.strip().startswith(fence):
                splitter.segments.append(Segment("\n".join(code), "code", code_language, section=splitter.section))
                fence, code = None, []
            else:
                code.append(line)
            continue
        if match := _FENCE.match(line):
            splitter.flush()
            splitter.code_follows()
            fence, code_language = match.group(1), match.group(2)
            continue
        splitter.line(line)
    splitter.flush()
    return tuple(_mark_list_openers(splitter.segments))


def _mark_list_openers(segments: list[Segment]) -> list[Segment]:
    """Each sentence ending with a colon right before the list (or table) it introduces, in its section,
    marked: "The workflow from simulation to deployment follows these stages:" says what the items are."""
    marked = list(segments)
    for i, (segment, following) in enumerate(zip(segments, segments[1:], strict=False)):
        if (
            segment.kind == "sentence"
            and not segment.list_item
            and segment.text.rstrip().endswith(":")
            and following.kind == "sentence"
            and following.list_item
            and following.section == segment.section
        ):
            marked[i] = replace(segment, opens_list=True)
    return marked
