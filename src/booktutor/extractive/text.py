"""Text handling for the offline answerer: scripts, stemming, content words, Markdown to sentences."""

from __future__ import annotations

import re
from dataclasses import dataclass
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
    use used using kind type way ways really many much"""
)
URDU_STOPWORDS = _word_set(
    """کیا ہے ہیں کی کا کے میں سے کو اور یہ وہ ایک پر نے بھی تو کہ ہو تھا تھے جو کیسے کیوں کون
    کب کہاں اس ان لیے ہوتا ہوتی ہوتے کرتا کرتی کرتے جاتا جاتی جاتے گا گی گے نہیں مجھے بتائیں
    سمجھائیں مطلب"""
)
STOPWORDS = ENGLISH_STOPWORDS | URDU_STOPWORDS

MAX_ITEM_WORDS = 45
"""A list item this short is quoted whole: its later sentences lean on its head."""
_WORD = re.compile(r"\w+", re.UNICODE)
_FENCE = re.compile(r"^\s*(```+|~~~+)\s*([\w+-]*)")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s")
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_SKIP_LINE = re.compile(r"^\s*(?:\||:::|<|!\[|-{3,}\s*$|={3,}\s*$|import\s|export\s)")
_QUOTE_PREFIX = re.compile(r"^\s*>\s?")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_BOLD = re.compile(r"\*\*|__")
_ITALIC = re.compile(r"(?<![\w*])\*(\S[^*]*?)\*(?![\w*])")
_HTML_TAG = re.compile(r"<[^>]+>")
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


def script_of(text: str) -> Literal["arabic", "latin", "other"]:
    arabic = len(_ARABIC_SCRIPT.findall(text))
    latin = len(_LATIN_SCRIPT.findall(text))
    if arabic == latin == 0:
        return "other"
    return "arabic" if arabic > latin else "latin"


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


def content_terms(text: str) -> frozenset[str]:
    tokens = (token for token in words(text) if not token.isdigit())
    return frozenset(stem(t) for t in tokens if len(t) > 1 and t not in STOPWORDS and t != "_")


def words(text: str) -> list[str]:
    """The lower-cased words of ``text``."""
    return _WORD.findall(text.lower())


def _clean_inline(text: str) -> str:
    text = _IMAGE.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _HTML_TAG.sub("", text)
    text = _BOLD.sub("", text)
    text = _ITALIC.sub(r"\1", text)
    return " ".join(text.split())


def split_sentences(paragraph: str) -> list[str]:
    protected = _ABBREVIATION.sub(lambda m: m.group(0).replace(".", _DOT_PLACEHOLDER), paragraph)
    parts = _SENTENCE_END.split(protected)
    return [p.replace(_DOT_PLACEHOLDER, ".").strip() for p in parts if p and p.strip()]


def split_markdown(text: str) -> list[Segment]:
    """Sentences and fenced code blocks of a Markdown chunk; headings, tables and HTML dropped."""
    segments: list[Segment] = []
    paragraph: list[str] = []
    code: list[str] = []
    fence: str | None = None
    code_language = ""
    headings = 0
    in_item = False

    def flush() -> None:
        if paragraph:
            joined = _clean_inline(" ".join(paragraph))
            section = max(headings - 1, 0)
            sentences = split_sentences(joined)
            if in_item and len(joined.split()) <= MAX_ITEM_WORDS:
                sentences = [joined]  # "Integral (I): Ki × error. Grows while ...": the item's head is its subject
            segments.extend(Segment(s, "sentence", section=section, list_item=in_item) for s in sentences)
            paragraph.clear()

    for line in text.splitlines():
        if fence is not None:
            if line.strip().startswith(fence):
                segments.append(Segment("\n".join(code), "code", code_language, section=max(headings - 1, 0)))
                fence, code = None, []
            else:
                code.append(line)
            continue
        if match := _FENCE.match(line):
            flush()
            fence, code_language = match.group(1), match.group(2)
            continue
        if not line.strip() or _HEADING.match(line) or _SKIP_LINE.match(line):
            flush()
            headings += bool(_HEADING.match(line))
            in_item = False
            continue
        line = _QUOTE_PREFIX.sub("", line)
        if _BULLET.match(line):
            flush()
            in_item = True
            line = _BULLET.sub("", line)
        paragraph.append(line.strip())
    flush()
    return segments
