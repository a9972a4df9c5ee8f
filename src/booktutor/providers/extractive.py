"""Grounded extractive answers: quote the book's most relevant sentences with [n] citations.

Pure logic (no Agents SDK): split retrieved Markdown chunks into sentences, score them against the
question (embedding cosine + content-word overlap + hit rank + a definitional bonus), pick 2-4
non-redundant ones (MMR) and render them with the citation marker of their source. Decide first,
from several retrieval signals, whether the book covers the question at all.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import structlog

from booktutor.providers.embeddings import Embedder

log = structlog.get_logger(__name__)

MAX_WORDS = 120
MIN_SENTENCES = 2
MAX_SENTENCES = 4
MAX_RESULTS = 8
MAX_SENTENCES_PER_RESULT = 40
MMR_LAMBDA = 0.7
DUPLICATE_SIMILARITY = 0.85
SECOND_PICK_RELATIVE = 0.5
LATER_PICK_RELATIVE = 0.75
NEW_DOCUMENT_RELATIVE = 0.9
"""A sentence from a document not cited yet must score this share of the best: each new document is
one more citation the learner has to check, so it must be nearly as relevant as the lead."""
SEMANTIC_WEIGHT = 0.55
LEXICAL_WEIGHT = 0.30
RANK_WEIGHT = 0.15
DEFINITION_BONUS = 0.15
MAX_SUBJECT_WORDS = 7
MAX_CODE_LINES = 12
MAX_CODE_CHARS = 500

NOT_COVERED = "The book does not cover this."
LANGUAGE_NAMES = {"en": "English", "ur": "Urdu"}
URDU_QUOTE_NOTE = "نوٹ: یہ جواب کتاب کے انگریزی متن سے لیا گیا ہے۔ (The answer quotes the book's English text.)"


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
_DEFINITION_QUESTION = re.compile(
    r"^\s*(?:what\s+(?:is|are|was|were|does)\s+|what'?s\s+|define\s+|meaning\s+of\s+)"
    r"(?:an?\s+|the\s+)?(?P<subject>.+?)(?:\s+mean)?\s*[?.!]*\s*$",
    re.IGNORECASE,
)
_URDU_DEFINITION_QUESTION = re.compile(r"^\s*(?P<subject>.+?)\s+کیا\s+(?:ہے|ہیں|ہوتا ہے|ہوتی ہے)")
_DEFINITION_CUE = re.compile(r"\b(?:is|are|refers? to|means|denotes|describes)\b|سے مراد|کہلات|کہتے ہیں|ایک\s")
_NAMING_CUE = re.compile(r"\b(?:is|are) (?:called|known as)\b|\bcalled\b")
_CODE_CUES = re.compile(r"\b(?:code|example|snippet|command|implement|write|how (?:do|to|can))\b", re.I)


@dataclass(frozen=True)
class AbstentionPolicy:
    """Thresholds and weights for abstaining; hand-set defaults, calibrated later by the evals."""

    # Calibrated jointly on the project's dataset and the development corpus's set with
    # booktutor.evals.calibrate (global knobs only; docs/evals.md, "Calibration"): the best joint
    # abstention accuracy with at most 5 % false abstentions on each set.
    min_evidence: float = 0.32
    dense_weight: float = 0.1
    sentence_weight: float = 0.0
    coverage_weight: float = 0.35
    lexical_weight: float = 0.0
    margin_weight: float = 0.0
    term_coverage_weight: float = 0.0
    max_unknown_specificity: float = 0.95
    unknown_term_dense_gate: float = 0.55
    """Abstain when a question word this specific (see `word_specificity`) is absent from the book,
    unless the best passage is at least `unknown_term_dense_gate` similar to the question."""
    strong_sentence_similarity: float = 0.15
    """With no question word in the top hits, answer only if a sentence is at least this similar."""


@dataclass(frozen=True)
class ComposedAnswer:
    text: str
    cited: list[int]
    abstained: bool
    language: str
    signals: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Segment:
    text: str
    kind: Literal["sentence", "code"]
    code_language: str = ""


@dataclass(frozen=True)
class Candidate:
    text: str
    kind: Literal["sentence", "code"]
    n: int
    rank: int
    position: int
    source: str
    language: str
    terms: frozenset[str]
    code_language: str = ""
    doc: str = ""  # the cited document: a sentence from another one adds a citation

    @property
    def words(self) -> int:
        return len(self.text.split())


@dataclass
class Analysis:
    question_terms: frozenset[str]
    candidates: list[Candidate]
    semantic: np.ndarray
    total: np.ndarray
    vectors: np.ndarray | None
    features: dict[str, Any]


# ---------------------------------------------------------------- text utilities


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
    tokens = (token for token in _WORD.findall(text.lower()) if not token.isdigit())
    return frozenset(stem(t) for t in tokens if len(t) > 1 and t not in STOPWORDS and t != "_")


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

    def flush() -> None:
        if paragraph:
            joined = _clean_inline(" ".join(paragraph))
            segments.extend(Segment(s, "sentence") for s in split_sentences(joined))
            paragraph.clear()

    for line in text.splitlines():
        if fence is not None:
            if line.strip().startswith(fence):
                segments.append(Segment("\n".join(code), "code", code_language))
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
            continue
        line = _QUOTE_PREFIX.sub("", line)
        if _BULLET.match(line):
            flush()
            line = _BULLET.sub("", line)
        paragraph.append(line.strip())
    flush()
    return segments


def _is_quotable_sentence(text: str) -> bool:
    words = len(text.split())
    min_words = 3 if script_of(text) == "arabic" else 4
    return min_words <= words <= 80 and not text.endswith(":")


def _is_quotable_code(segment: Segment) -> bool:
    lines = segment.text.strip().splitlines()
    return 0 < len(lines) <= MAX_CODE_LINES and len(segment.text) <= MAX_CODE_CHARS


# ---------------------------------------------------------------- candidates and scoring


def _result_language(result: dict[str, Any]) -> str:
    language = result.get("language")
    if language:
        return str(language)
    return "ur" if script_of(str(result.get("text", ""))) == "arabic" else "en"


def build_candidates(results: Sequence[dict[str, Any]]) -> list[Candidate]:
    candidates: list[Candidate] = []
    for rank, result in enumerate(results[:MAX_RESULTS]):
        segments = split_markdown(str(result.get("text", "")))[:MAX_SENTENCES_PER_RESULT]
        for position, segment in enumerate(segments):
            quotable = _is_quotable_code(segment) if segment.kind == "code" else _is_quotable_sentence(segment.text)
            if not quotable:
                continue
            candidates.append(
                Candidate(
                    text=segment.text,
                    kind=segment.kind,
                    n=int(result.get("n", rank + 1)),
                    rank=rank,
                    position=position,
                    source=str(result.get("source", "book")),
                    language=_result_language(result),
                    terms=content_terms(segment.text),
                    code_language=segment.code_language,
                    doc=str(result.get("doc_path") or result.get("source") or ""),
                )
            )
    return candidates


def _term_cosine(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / math.sqrt(len(a) * len(b))


def definition_subject(question: str) -> frozenset[str]:
    match = _DEFINITION_QUESTION.match(question) or _URDU_DEFINITION_QUESTION.match(question)
    return content_terms(match.group("subject")) if match else frozenset()


def _is_sentence_subject(prefix: str) -> bool:
    """A short clause-free lead such as 'An inertial measurement unit (IMU)'."""
    return len(prefix.split()) <= MAX_SUBJECT_WORDS and "," not in prefix and ";" not in prefix


def definition_strength(sentence: str, subject: frozenset[str]) -> float:
    """Share of the subject's terms that the sentence defines ('X is ...', '... is called X')."""
    if not subject:
        return 0.0
    cue = _DEFINITION_CUE.search(sentence)
    if cue and _is_sentence_subject(sentence[: cue.start()]):
        defined = content_terms(sentence[: cue.start()]) & subject
        if defined:
            return len(defined) / len(subject)
    if naming := _NAMING_CUE.search(sentence):
        named = content_terms(sentence[naming.end() :]) & subject
        return len(named) / len(subject)
    return 0.0


async def _embed(embedder: Embedder | None, question: str, texts: list[str]) -> tuple[np.ndarray, np.ndarray] | None:
    if embedder is None or not texts:
        return None
    try:
        query = np.asarray(await embedder.embed_query(question), dtype=np.float32)
        documents = np.asarray(await embedder.embed_documents(texts), dtype=np.float32)
    except Exception as error:  # an embedder outage degrades to lexical scoring
        log.warning("extractive.embedding_failed", error=str(error))
        return None
    return query, documents


def _lexical_overlap(question_terms: frozenset[str], candidate: Candidate, question_script: str) -> float:
    if not question_terms or script_of(candidate.text) != question_script:
        return 0.0
    return len(question_terms & candidate.terms) / len(question_terms)


def _score(
    question: str,
    question_terms: frozenset[str],
    candidates: list[Candidate],
    semantic: np.ndarray,
) -> np.ndarray:
    subject = definition_subject(question)
    question_script = script_of(question)
    scores = [
        SEMANTIC_WEIGHT * float(semantic[i])
        + LEXICAL_WEIGHT * _lexical_overlap(question_terms, c, question_script)
        + RANK_WEIGHT / (1 + 0.5 * c.rank)
        + DEFINITION_BONUS * definition_strength(c.text, subject)
        for i, c in enumerate(candidates)
    ]
    return np.asarray(scores, dtype=np.float32)


# ---------------------------------------------------------------- abstention signals


def _coverage(question: str, question_terms: frozenset[str], results: Sequence[dict[str, Any]]) -> float | None:
    top = results[:3]
    same_script = [r for r in top if script_of(str(r.get("text", ""))) == script_of(question)]
    if not question_terms or not same_script:
        return None
    seen: set[str] = set()
    for result in same_script:
        fields = (result.get("text"), result.get("heading"), result.get("chapter_title"))
        seen |= content_terms(" ".join(str(f) for f in fields if f))
    return len(question_terms & seen) / len(question_terms)


def _book_results(results: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in results if r.get("source", "book") != "selection"]


def _best_dense(results: Sequence[dict[str, Any]]) -> float | None:
    scores = [float(r["dense_score"]) for r in _book_results(results) if r.get("dense_score") is not None]
    return max(scores) if scores else None


def _lexical_present(results: Sequence[dict[str, Any]]) -> float | None:
    book = _book_results(results)[:3]
    if not book:
        return None
    return 1.0 if any(r.get("lexical_rank") is not None for r in book) else 0.0


def _margin(total: np.ndarray) -> float:
    if total.size < 2:
        return 0.0
    return float(total.max() - statistics.median(total.tolist()))


def _evidence(signals: dict[str, Any], policy: AbstentionPolicy) -> float:
    weighted = [
        (signals["best_dense"], policy.dense_weight),
        (signals["best_sentence_sim"], policy.sentence_weight),
        (signals["coverage"], policy.coverage_weight),
        (signals["lexical_present"], policy.lexical_weight),
        (signals["margin"], policy.margin_weight),
        (signals.get("term_coverage"), policy.term_coverage_weight),
    ]
    available = [(value, weight) for value, weight in weighted if value is not None and weight > 0]
    total_weight = sum(weight for _, weight in available)
    return sum(v * w for v, w in available) / total_weight if total_weight else 0.0


def should_abstain(features: dict[str, Any], policy: AbstentionPolicy) -> bool:
    if features["n_candidates"] == 0:
        return True
    coverage = features["coverage"]
    if coverage == 0 and features["best_sentence_sim"] < policy.strong_sentence_similarity:
        return True
    if features["selection_mode"]:
        return False  # the learner pointed at the passage: explain it
    if features.get("answer_type_missing"):
        return True
    if (features.get("unknown_specific") or 0.0) >= policy.max_unknown_specificity and (
        features["best_dense"] or 0.0
    ) < policy.unknown_term_dense_gate:
        return True
    return _evidence(features, policy) < policy.min_evidence


async def analyse(
    question: str,
    results: Sequence[dict[str, Any]],
    *,
    embedder: Embedder | None,
    evidence: dict[str, Any] | None = None,
) -> Analysis:
    question_terms = content_terms(question)
    candidates = build_candidates(results)
    embedded = await _embed(embedder, question, [c.text for c in candidates])
    vectors: np.ndarray | None = None
    if embedded is not None:
        query, vectors = embedded
        semantic = np.clip(vectors @ query, 0.0, 1.0)
    else:
        semantic = np.asarray([_term_cosine(question_terms, c.terms) for c in candidates], dtype=np.float32)
    total = _score(question, question_terms, candidates, semantic)
    features: dict[str, Any] = {
        "best_dense": _best_dense(results),
        "best_sentence_sim": float(semantic.max()) if semantic.size else 0.0,
        "coverage": _coverage(question, question_terms, results),
        "lexical_present": _lexical_present(results),
        "margin": _margin(total),
        "term_coverage": idf_term_coverage(evidence),
        "unknown_specific": unknown_specific_term(evidence),
        "answer_type_missing": answer_type_missing(question, results),
        "n_candidates": len(candidates),
        "question_terms": len(question_terms),
        "selection_mode": any(r.get("source") == "selection" for r in results),
        "semantic_scorer": "embedding" if vectors is not None else "lexical",
    }
    return Analysis(question_terms, candidates, semantic, total, vectors, features)


async def features(
    question: str,
    results: Sequence[dict[str, Any]],
    *,
    embedder: Embedder | None = None,
    evidence: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The abstention signals for one question (used by the evals harness to calibrate)."""
    return (await analyse(question, results, embedder=embedder, evidence=evidence)).features


TYPO_TARGET_ZIPF = 4.5
RARE_ZIPF = 3.0
MIN_TYPO_LENGTH = 6  # shorter rare words are acronyms (QoS, PID, IMU) more often than typos


def word_specificity(word: str, language: str = "en") -> float:
    """1.0 for a rare, specific word (a product, a method, a name), 0.0 for everyday vocabulary,
    from its frequency in general text (wordfreq's Zipf scale: ≤ 3 rare, ≥ 5 everyday)."""
    from wordfreq import zipf_frequency

    zipf = zipf_frequency(word, language)
    if zipf < RARE_ZIPF and len(word) >= MIN_TYPO_LENGTH and _is_typo_of_common_word(word, language):
        return 0.0
    return min(1.0, max(0.0, (5.0 - zipf) / 2.0))


def _is_typo_of_common_word(word: str, language: str) -> bool:
    """A rare word one edit away from an everyday word ("usualy") is a typo, not a topic."""
    from wordfreq import zipf_frequency

    letters = "abcdefghijklmnopqrstuvwxyz"
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    edits = {a + b[1:] for a, b in splits if b}
    edits |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    edits |= {a + c + b[1:] for a, b in splits if b for c in letters}
    edits |= {a + c + b for a, b in splits for c in letters}
    return any(zipf_frequency(candidate, language) >= TYPO_TARGET_ZIPF for candidate in edits - {word})


def unknown_specific_term(evidence: dict[str, Any] | None) -> float | None:
    """How specific the most specific question word is that the book never uses at all.

    "How does an extended Kalman filter fuse odometry?" asked of a book without Kalman filters
    scores high; a question phrased in everyday words the book happens not to use scores low.
    """
    if not evidence or evidence.get("language", "en") != "en":
        return None
    unknown = [t["word"] for t in evidence.get("terms", []) if int(t["df"]) == 0 and len(t["word"]) > 2]
    return max((word_specificity(w) for w in unknown if not w.isdigit()), default=0.0)


_ANSWER_TYPES: list[tuple[re.Pattern[str], re.Pattern[str]]] = [
    (
        re.compile(
            r"\b(cost|price|priced|salary|pay|paid|fee|licen[cs]e cost|how much (does|do|is|are) .{0,40}"
            r"(cost|sell|charge))\b",
            re.I,
        ),
        re.compile(r"[$€£¥₹]\s?\d|\d[\d,.]*\s?(dollars|usd|eur|euros|pounds|gbp|rupees|pkr|k\b|million|billion)", re.I),
    ),
    (
        re.compile(r"\b(what|which|in what) year\b|\bwhen (was|were|did)\b", re.I),
        re.compile(r"\b(1[6-9]\d\d|20\d\d)s?\b"),
    ),
    (
        re.compile(r"\b(model|part|serial|product) (number|no\.?|code)\b", re.I),
        re.compile(r"\b[A-Z]{1,6}[- ]?\d{2,6}[A-Z]?\b"),
    ),
]


_HOW_MANY = re.compile(r"\bhow many\s+(?P<phrase>(?:[a-z][\w-]*\s*){1,4})", re.I)
_AUXILIARIES = frozenset(
    {
        "does",
        "do",
        "did",
        "is",
        "are",
        "was",
        "were",
        "can",
        "could",
        "will",
        "would",
        "should",
        "has",
        "have",
        "had",
        "must",
        "might",
        "may",
    }
)
_COUNT = re.compile(
    r"\b(\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"dozens?|hundreds?|thousands?|millions?|several|few)\b",
    re.I,
)


def answer_type_missing(question: str, results: Sequence[dict[str, Any]]) -> bool:
    """The question asks for a price, a date, a model number or a count of something, and no top
    passage contains one (for a count: no sentence with a number and the thing counted)."""
    passages = [str(r.get("text", "")) for r in _book_results(results)[:3]]
    texts = " ".join(passages)
    if any(asks.search(question) and not has.search(texts) for asks, has in _ANSWER_TYPES):
        return True
    return _count_missing(question, passages)


def _counted_noun(phrase: str) -> str | None:
    """The head of the noun phrase after "how many": its last word before a verb or stop word
    ("charge cycles does ..." → cycle)."""
    head = None
    for word in phrase.lower().split():
        if word in STOPWORDS or word in _AUXILIARIES:
            break
        head = word
    return stem(head) if head else None


def _count_missing(question: str, passages: Sequence[str]) -> bool:
    asked = _HOW_MANY.search(question)
    if not asked:
        return False
    thing = _counted_noun(asked["phrase"])
    if thing is None:
        return False
    sentences = (s for passage in passages for line in passage.splitlines() for s in split_sentences(line))
    return not any(_COUNT.search(s) and thing in {stem(w) for w in _WORD.findall(s.lower())} for s in sentences)


def idf_term_coverage(evidence: dict[str, Any] | None) -> float | None:
    """Share of the question's words, weighted by rarity in the book, that the top hits contain.

    A word the book never uses weighs the most and is never covered: questions about prices,
    dates or products the book does not mention score low even when their topic words match.
    """
    if not evidence or not evidence.get("terms"):
        return None
    total = int(evidence.get("chunks") or 0)
    weights = [(math.log((total + 1) / (int(t["df"]) + 1)) + 1.0, bool(t["in_top"])) for t in evidence["terms"]]
    return sum(w for w, covered in weights if covered) / sum(w for w, _ in weights)


# ---------------------------------------------------------------- selection (MMR)


def _redundancy(analysis: Analysis, i: int, picked: list[int]) -> float:
    if not picked:
        return 0.0
    if analysis.vectors is not None:
        return float(max(analysis.vectors[i] @ analysis.vectors[j] for j in picked))
    c = analysis.candidates
    return max(_term_cosine(c[i].terms, c[j].terms) for j in picked)


def _mmr(analysis: Analysis, pool: list[int], picked: list[int], limit: int, floor: float) -> list[int]:
    picked = list(picked)
    cited_docs = {analysis.candidates[i].doc for i in picked}
    words = sum(analysis.candidates[i].words for i in picked)
    best = max((float(analysis.total[i]) for i in pool), default=0.0)
    remaining = [i for i in pool if i not in picked]
    while remaining and len(picked) < limit:
        relative = SECOND_PICK_RELATIVE if len(picked) < MIN_SENTENCES else LATER_PICK_RELATIVE
        threshold = max(floor, relative * best) if picked else -math.inf
        scored = [
            (MMR_LAMBDA * float(analysis.total[i]) - (1 - MMR_LAMBDA) * redundancy, i)
            for i in remaining
            if float(analysis.total[i]) >= _threshold(analysis.candidates[i], threshold, cited_docs, best)
            and (redundancy := _redundancy(analysis, i, picked)) < DUPLICATE_SIMILARITY
        ]
        if not scored:
            break
        _, choice = max(scored, key=lambda pair: (pair[0], -pair[1]))
        remaining.remove(choice)
        if picked and words + analysis.candidates[choice].words > MAX_WORDS:
            continue
        picked.append(choice)
        cited_docs.add(analysis.candidates[choice].doc)
        words += analysis.candidates[choice].words
    return picked


def _threshold(candidate: Candidate, threshold: float, cited_docs: set[str], best: float) -> float:
    if not cited_docs or candidate.doc in cited_docs:
        return threshold
    return max(threshold, NEW_DOCUMENT_RELATIVE * best)


def select_sentences(analysis: Analysis) -> list[int]:
    sentences = [i for i, c in enumerate(analysis.candidates) if c.kind == "sentence"]
    if not analysis.features["selection_mode"]:
        return _mmr(analysis, sentences, [], MAX_SENTENCES, 0.0)
    selection = [i for i in sentences if analysis.candidates[i].source == "selection"]
    book = [i for i in sentences if analysis.candidates[i].source != "selection"]
    picked = _mmr(analysis, selection, [], MAX_SENTENCES - 1, 0.0)
    best_selection = max((float(analysis.total[i]) for i in picked), default=0.0)
    # A book sentence helps only if it is at least as relevant as the selection's best.
    return _mmr(analysis, book + picked, picked, MAX_SENTENCES, best_selection)


def select_code(analysis: Analysis, question: str, picked: list[int]) -> int | None:
    if not _CODE_CUES.search(question) or not picked:
        return None
    cited_ranks = {analysis.candidates[i].rank for i in picked}
    codes = [
        i
        for i, c in enumerate(analysis.candidates)
        if c.kind == "code" and c.rank in cited_ranks and c.terms & analysis.question_terms
    ]
    return max(codes, key=lambda i: float(analysis.total[i]), default=None)


# ---------------------------------------------------------------- rendering


def _reading_order(analysis: Analysis, picked: list[int]) -> list[int]:
    """The best sentence first (it answers), the rest in book order."""
    if not picked:
        return []
    lead = max(picked, key=lambda i: float(analysis.total[i]))
    rest = sorted(
        (i for i in picked if i != lead),
        key=lambda i: (analysis.candidates[i].rank, analysis.candidates[i].position),
    )
    return [lead, *rest]


def _truncate(text: str, max_words: int) -> str:
    words = text.split()
    return text if len(words) <= max_words else " ".join(words[:max_words]) + " …"


def _language_note(question: str, answer_language: str, quoted_text: str) -> str | None:
    question_script, text_script = script_of(question), script_of(quoted_text)
    if "other" in (question_script, text_script) or question_script == text_script:
        return None
    if question_script == "arabic" and answer_language == "en":
        return URDU_QUOTE_NOTE
    name = LANGUAGE_NAMES.get(answer_language, answer_language)
    return f"Note: the answer quotes the book's {name} text."


def _render(analysis: Analysis, question: str, order: list[int], code: int | None) -> tuple[str, list[int]]:
    candidates = analysis.candidates
    sentences = [f"{_truncate(candidates[i].text, MAX_WORDS)} [{candidates[i].n}]" for i in order]
    cited = list(dict.fromkeys(candidates[i].n for i in order))
    parts = [" ".join(sentences)]
    if code is not None:
        block = candidates[code]
        parts.append(f"From the book [{block.n}]:\n\n```{block.code_language}\n{block.text}\n```")
        cited = list(dict.fromkeys([*cited, block.n]))
    language = candidates[order[0]].language
    if note := _language_note(question, language, " ".join(candidates[i].text for i in order)):
        parts.append(f"_{note}_")
    return "\n\n".join(parts), cited


def _nearest_sections(results: Sequence[dict[str, Any]], limit: int = 3) -> list[str]:
    links: dict[str, str] = {}
    for result in results:
        url = result.get("anchor_url")
        if not url or url in links:
            continue
        chapter, heading = result.get("chapter_title") or "", result.get("heading") or ""
        title = f"{chapter} › {heading}" if heading and heading != chapter else (chapter or heading or url)
        links[url] = f"- [{title}]({url})"
    return list(links.values())[:limit]


def abstention_text(results: Sequence[dict[str, Any]]) -> str:
    links = _nearest_sections(results)
    return "\n".join([NOT_COVERED, "", "Nearest sections:", *links]) if links else NOT_COVERED


async def compose_answer(
    question: str,
    results: list[dict[str, Any]],
    *,
    embedder: Embedder | None,
    policy: AbstentionPolicy,
    evidence: dict[str, Any] | None = None,
) -> ComposedAnswer:
    analysis = await analyse(question, results, embedder=embedder, evidence=evidence)
    signals = dict(analysis.features, evidence=_evidence(analysis.features, policy))
    picked = select_sentences(analysis) if not should_abstain(analysis.features, policy) else []
    if not picked:
        return ComposedAnswer(abstention_text(results), [], True, "en", signals)
    order = _reading_order(analysis, picked)
    text, cited = _render(analysis, question, order, select_code(analysis, question, picked))
    return ComposedAnswer(text, cited, False, analysis.candidates[order[0]].language, signals)
