"""Picking the answer: 2-5 relevant, non-redundant sentences (MMR) and, when asked for, a code block."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

from booktutor.extractive.analysis import ABOUT_THE_PASSAGE, Analysis
from booktutor.extractive.roles import RESTATING_PURPOSES, enumerates, is_signpost
from booktutor.extractive.scoring import MAX_CODE_CHARS, MAX_CODE_LINES, Candidate, term_cosine
from booktutor.extractive.text import content_terms

MAX_WORDS = 160
MIN_SENTENCES = 2
MAX_SENTENCES = 5
"""The answer's budget. At 4 sentences / 120 words the sentence that holds the asked fact was often the
one cut (the integral term's "removing steady-state error", a MEMS IMU's rate, a gyroscope's bias): the
fifth pick must still pass the same relevance bars (`LATER_PICK_RELATIVE`, the new-document rule)."""
MMR_LAMBDA = 0.7
DUPLICATE_SIMILARITY = 0.85
SECOND_PICK_RELATIVE = 0.5
LATER_PICK_RELATIVE = 0.75
NEW_DOCUMENT_RELATIVE = 0.9
"""A sentence from a document not cited yet must score this share of the best: each new document is
one more citation the learner has to check, so it must be nearly as relevant as the lead."""
BODY_RELATIVE = 0.75
"""The answer comes from body sections when their best sentence scores this share of the best overall."""
CROSS_SCRIPT_SIMILARITY = 0.5
CONTEXT_SENTENCES = 2
"""A highlighted passage's explanation is sought this many sentences around it in its own section."""
FILL_RELATIVE = 0.35
OWN_WORDS_FLOOR = 0.5
"""Asked something of its own about a highlighted passage ("so do I have to change the publisher?"), the
book's sentences that name what the question adds are measured against the best of them that scores this
share of the passage's best (the second-pick bar of any answer), not against the passage: it scores high
because the question is about it, and what the question adds is said in sentences that share fewer of its
words. Measured against the passage they all fell short, and the answer only quoted the passage back."""
RESTATING_REDUNDANCY = 0.7
"""A key-terms or summary line this similar to a picked body sentence says nothing new."""
MAX_ASKED_CODE_LINES = 40
MAX_HINTED_CODE_CHARS = 500
_DIAGRAMS = frozenset({"mermaid", "plantuml", "dot", "graphviz"})
RANK_PREFERENCE = 0.1
MIN_EXAMPLE_LINES = 3
EXAMPLE_CODE_COVERAGE = 0.5
"""An example asked for is a listing when one names at least this share of the question's words."""
_SHELL = frozenset({"bash", "sh", "shell", "console", "zsh", "powershell", "cmd", "terminal", "text", ""})
_COMMAND_ASKED = re.compile(r"\b(?:command|commands|terminal|shell|cli|install|run|launch|build|bash|console)\b", re.I)
SHELL_PENALTY = 0.3
"""A shell block answers "show me the code for X" only when no program block fits as well."""
_IDENTIFIER_PARTS = re.compile(r"[A-Za-z][a-z]+")
_CODE_CUES = re.compile(
    r"(?i:\b(?:code|example|snippet|command|implement|write|how (?:do|to|can))\b|"
    r"\b(?:function|method|class)\b(?!\s+(?:of|in)\b))|"  # "the debounce function", not "the function of"
    r"\b[A-Za-z]\w*_\w+|\b\w+\(\)|\b[a-z]+[A-Z]\w*"  # names as code writes them: update_cell, spin(), spinOnce
)


def redundancy(analysis: Analysis, i: int, picked: list[int]) -> float:
    if not picked:
        return 0.0
    if analysis.vectors is not None:
        return float(max(analysis.vectors[i] @ analysis.vectors[j] for j in picked))
    c = analysis.candidates
    return max(term_cosine(c[i].terms, c[j].terms) for j in picked)


def _mmr(
    analysis: Analysis,
    pool: list[int],
    picked: list[int],
    limit: int,
    floor: float,
    cited: frozenset[str] = frozenset(),
    best: float | None = None,
) -> list[int]:
    """`cited`: documents the answer cites already though no pick is from them (a highlighted passage's page).
    `best`: the score later picks are measured against, when not the pool's best."""
    picked = list(picked)
    cited_docs = {analysis.candidates[i].doc for i in picked} | cited
    words = sum(analysis.candidates[i].words for i in picked)
    best = max((float(analysis.total[i]) for i in pool), default=0.0) if best is None else best
    remaining = [i for i in pool if i not in picked]
    while remaining and len(picked) < limit:
        relative = SECOND_PICK_RELATIVE if len(picked) < MIN_SENTENCES else LATER_PICK_RELATIVE
        threshold = max(floor, relative * best) if picked else -math.inf
        scored = [
            (MMR_LAMBDA * float(analysis.total[i]) - (1 - MMR_LAMBDA) * overlap, i)
            for i in remaining
            if float(analysis.total[i]) >= _threshold(analysis.candidates[i], threshold, cited_docs, best)
            and (not picked or not analysis.candidates[i].opening or adds_question_terms(analysis, i, picked))
            and (overlap := redundancy(analysis, i, picked)) < DUPLICATE_SIMILARITY
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


def adds_question_terms(analysis: Analysis, index: int, picked: Iterable[int]) -> bool:
    """The sentence names a word of the question the picked ones do not. A chapter's opening sentence must,
    once the answer has begun: it introduces the chapter, and one that only says again what is quoted is
    one more section to cite (the chapter's intro, not the section that explains) and nothing more to read."""
    candidates = analysis.candidates
    said = frozenset[str]().union(*(candidates[j].terms for j in picked))
    return bool((candidates[index].terms & analysis.question_terms) - said)


def restates(candidate: Candidate) -> bool:
    """A key-terms or summary line, or a chapter's signpost ("This chapter covers ..."): it repeats
    what a body section says, and the body section is the better citation."""
    return candidate.purpose in RESTATING_PURPOSES or is_signpost(candidate.text)


def select_sentences(
    analysis: Analysis, sentences: list[int], *, list_asked: bool = False, defining: frozenset[int] = frozenset()
) -> list[int]:
    """2-5 relevant, non-redundant sentences of `sentences` (the candidates allowed to answer): from the
    body sections when one is nearly as relevant as the best key-terms or summary line. Asked for a list,
    a summary line that names the list's members is as good as a body sentence; asked what a term is, so
    is a glossary line that defines it (`defining`, when no body sentence does)."""
    sentences = _same_script_terms(analysis, sentences)
    if not analysis.features["selection_mode"]:
        body = [
            i
            for i in sentences
            if not restates(analysis.candidates[i])
            or (list_asked and enumerates(analysis.candidates[i].text))
            or i in defining
        ]
        best_body = max((float(analysis.total[i]) for i in body), default=0.0)
        best = max((float(analysis.total[i]) for i in sentences), default=0.0)
        if not body or best_body < BODY_RELATIVE * best:
            return _mmr(analysis, sentences, [], MAX_SENTENCES, 0.0)
        picked = _mmr(analysis, body, [], MAX_SENTENCES, 0.0)
        return picked if len(picked) >= MIN_SENTENCES else _second_pick(analysis, body, sentences, picked)
    selection = [i for i in sentences if analysis.candidates[i].source == "selection"]
    book = [i for i in sentences if analysis.candidates[i].source != "selection"]
    picked = _mmr(analysis, selection, [], MAX_SENTENCES - 1, 0.0)
    best_selection = max((float(analysis.total[i]) for i in picked), default=0.0)
    copies = {i for i in book if repeats(analysis, i, selection)}  # the passage as the book prints it
    if explaining := _explaining_sentence(analysis, book, copies, picked):
        picked = [*picked, explaining]
    page = passage_page(analysis, selection, copies)
    # A body sentence of the passage's page explains it (the feedback an example sends, the types it
    # mentions) when it is about the same thing (it shares a word with the passage or the question);
    # another page's sentence, or a key-terms or summary line, must also be at least as relevant as
    # the passage's best.
    if selection:  # (a passage of only a question or a heading has no sentence to compare with)
        home = passage_context(analysis, book + selection)
        topic = analysis.question_terms.union(*(analysis.candidates[i].terms for i in selection))
        book = [
            i
            for i in book
            if i not in copies
            and (i in home or analysis.candidates[i].terms & topic)
            and (_explains_on_page(analysis.candidates[i], page) or float(analysis.total[i]) >= best_selection)
        ]
    picked = _mmr(analysis, book + picked, picked, MAX_SENTENCES, 0.0, page)
    return _what_the_question_adds(analysis, book, picked, selection, best_selection, page)


def _what_the_question_adds(
    analysis: Analysis,
    book: list[int],
    picked: list[int],
    passage: list[int],
    best_passage: float,
    page: frozenset[str],
) -> list[int]:
    """The answer about a passage completed with the book's sentences that name what the question adds
    (its words the passage does not say: "do I have to change the camera publisher when I add a node?"),
    measured against the best of them (`OWN_WORDS_FLOOR`), not against the passage."""
    said = frozenset[str]().union(*(analysis.candidates[i].terms for i in passage))
    added = analysis.question_terms - said - ABOUT_THE_PASSAGE
    floor = OWN_WORDS_FLOOR * best_passage
    naming = [i for i in book if analysis.candidates[i].terms & added and float(analysis.total[i]) >= floor]
    if not naming or best_passage <= 0.0:  # no passage sentence quoted: the book's were measured on their own
        return picked
    best = max(float(analysis.total[i]) for i in naming)
    return _mmr(analysis, naming + picked, picked, MAX_SENTENCES, floor, page, best)


def _explains_on_page(candidate: Candidate, page: frozenset[str]) -> bool:
    """A body sentence of the passage's page: a key-terms or summary line only repeats a body section."""
    return candidate.doc in page and not restates(candidate)


def passage_page(analysis: Analysis, passage: list[int], copies: set[int]) -> frozenset[str]:
    """The page that holds a highlighted passage: the one the client named, or the one whose text repeats it."""
    candidates = analysis.candidates
    named = {candidates[i].doc for i in passage if candidates[i].doc != "selection"}
    return frozenset(named | {candidates[i].doc for i in copies})


def repeats(analysis: Analysis, index: int, passage: list[int]) -> bool:
    """The sentence says what a passage sentence says: nearly the same meaning, or the same words
    inside a longer line ("Design Principle: <the passage's sentence>")."""
    if not passage:
        return False
    text = analysis.candidates[index].text.strip().rstrip(".").lower()
    same_words = any(
        (other := analysis.candidates[j].text.strip().rstrip(".").lower()) in text or text in other for j in passage
    )
    return same_words or redundancy(analysis, index, passage) >= DUPLICATE_SIMILARITY


def passage_context(analysis: Analysis, pool: list[int]) -> list[int]:
    """About a highlighted passage, the sentences that may complete the answer (a reason, a side, a
    part): the passage's own and those of the retrieved section that holds it, never another
    section's claim; other questions keep the whole pool."""
    if not analysis.features["selection_mode"]:
        return pool
    candidates = analysis.candidates
    passage = [i for i in pool if candidates[i].source == "selection"]
    home = {candidates[i].rank for i in pool if candidates[i].source != "selection" and repeats(analysis, i, passage)}
    return [i for i in pool if candidates[i].source == "selection" or candidates[i].rank in home]


def _explaining_sentence(analysis: Analysis, book: list[int], copies: set[int], picked: list[int]) -> int | None:
    """The book's own explanation of a highlighted passage: the best sentence next to it (within
    `CONTEXT_SENTENCES` of the book's copy of the passage, `copies`) in the retrieved section that
    holds it, when that section was retrieved."""
    candidates = analysis.candidates
    near = [
        i
        for i in book
        if i not in copies
        and candidates[i].kind == "sentence"
        and any(
            candidates[j].rank == candidates[i].rank
            and abs(candidates[j].position - candidates[i].position) <= CONTEXT_SENTENCES
            for j in copies
        )
        and picked_words(analysis, picked) + candidates[i].words <= MAX_WORDS
    ]
    return max(near, key=lambda i: float(analysis.total[i]), default=None)


def _same_script_terms(analysis: Analysis, sentences: list[int]) -> list[int]:
    """For a question in another script than Latin (Urdu): only sentences that use one of its own
    words (in a sentence of its script, also an English term it keeps: "Whisper"), or that the
    encoder finds close (a multilingual one can; the bundled one reads English
    only, so for it a sentence without a shared word is a guess)."""
    own = {t for t in analysis.question_terms if not t.isascii()}
    if not own:
        return sentences
    kept = {t for t in analysis.question_terms if t.isascii() and not t.isdigit()}  # "Whisper", "GPU"
    return [
        i
        for i in sentences
        if own & analysis.candidates[i].terms
        or (not analysis.candidates[i].text.isascii() and kept & analysis.candidates[i].terms)
        or (analysis.candidates[i].text.isascii() and float(analysis.semantic[i]) >= CROSS_SCRIPT_SIMILARITY)
    ]


def _second_pick(analysis: Analysis, body: list[int], sentences: list[int], picked: list[int]) -> list[int]:
    """A second sentence for a one-sentence body answer: a weaker body sentence from a cited section's
    document, else a key-terms or summary line that adds something (not a restatement of the first);
    that line first when it passes the usual second-pick bar and no weaker body sentence does."""
    best = max(float(analysis.total[i]) for i in picked)
    docs = {analysis.candidates[i].doc for i in picked}
    sections = {analysis.candidates[i].n for i in picked}
    weaker = [
        i
        for i in body
        if i not in picked
        and analysis.candidates[i].doc in docs
        and (analysis.candidates[i].n in sections or analysis.candidates[i].terms & analysis.question_terms)
        and float(analysis.total[i]) >= FILL_RELATIVE * best
        and redundancy(analysis, i, picked) < DUPLICATE_SIMILARITY
        and picked_words(analysis, picked) + analysis.candidates[i].words <= MAX_WORDS
    ]
    others = [i for i in sentences if i not in body and redundancy(analysis, i, picked) < RESTATING_REDUNDANCY]
    says_more = max((float(analysis.total[i]) for i in others), default=0.0) >= SECOND_PICK_RELATIVE * best
    if weaker and not (says_more and all(float(analysis.total[i]) < SECOND_PICK_RELATIVE * best for i in weaker)):
        return [*picked, max(weaker, key=lambda i: (analysis.candidates[i].n in sections, float(analysis.total[i])))]
    # a key-terms or summary line that says what no body sentence close enough says beats a weak filler
    return _mmr(analysis, others + picked, picked, MIN_SENTENCES, 0.0)


def picked_words(analysis: Analysis, picked: list[int]) -> int:
    return sum(analysis.candidates[i].words for i in picked)


def select_code(analysis: Analysis, question: str, picked: list[int], *, asked: bool = False) -> int | None:
    """The code block to show: asked for ("show me the code"), the best-matching block of the top results;
    otherwise, when the question hints at code, a short block from a result the answer already cites."""
    if asked:
        shell_ok = bool(_COMMAND_ASKED.search(question))
        return _best_code(analysis, range(len(analysis.candidates)), MAX_ASKED_CODE_LINES, MAX_CODE_CHARS, shell_ok)
    if not _CODE_CUES.search(question) or not picked:
        return None
    cited_ranks = {analysis.candidates[i].rank for i in picked}
    cited = (i for i in range(len(analysis.candidates)) if analysis.candidates[i].rank in cited_ranks)
    return _best_code(analysis, cited, MAX_CODE_LINES, MAX_HINTED_CODE_CHARS)


def select_example_code(analysis: Analysis) -> int | None:
    """For "Show me an example of X": a listing of a few lines or more about X (`EXAMPLE_CODE_COVERAGE` of
    the question's words), from the best-ranked result that has one; commands only when no other listing is
    (a one-line command is no example)."""
    examples = [
        i
        for i, code in enumerate(analysis.candidates)
        if code.kind == "code"
        and code.code_language not in _DIAGRAMS
        and MIN_EXAMPLE_LINES <= len(code.text.splitlines()) <= MAX_ASKED_CODE_LINES
        and len(code.text) <= MAX_CODE_CHARS
        and code_coverage(analysis, i) >= EXAMPLE_CODE_COVERAGE
    ]
    return min(
        examples,
        key=lambda i: (_is_shell(analysis.candidates[i]), analysis.candidates[i].rank, -float(analysis.total[i])),
        default=None,
    )


def _is_shell(code: Candidate) -> bool:
    return code.code_language.lower() in _SHELL


def _best_code(
    analysis: Analysis, indices: Iterable[int], max_lines: int, max_chars: int, shell_ok: bool = True
) -> int | None:
    candidates = analysis.candidates
    scored = []
    for i in indices:
        code = candidates[i]
        if code.kind != "code" or code.code_language in _DIAGRAMS:
            continue
        if len(code.text.splitlines()) > max_lines or len(code.text) > max_chars:
            continue
        overlap = code_coverage(analysis, i)
        if overlap > 0:
            shell = 0.0 if shell_ok or code.code_language.lower() not in _SHELL else SHELL_PENALTY
            scored.append((overlap + float(analysis.total[i]) + RANK_PREFERENCE / (1 + code.rank) - shell, i))
    return max(scored, default=(0.0, None))[1]


def code_coverage(analysis: Analysis, index: int) -> float:
    """The share of the question's words that a code block, its identifiers, its lead-in sentence or its
    section's title name (a listing under "URDF Structure Overview" is a URDF file)."""
    code = analysis.candidates[index]
    context = code.terms | identifier_terms(code.text) | _lead_in_terms(analysis, index) | code.heading
    return len(context & analysis.question_terms) / max(len(analysis.question_terms), 1)


def identifier_terms(code: str) -> frozenset[str]:
    """The words inside identifiers (`create_publisher`, `spinOnce`): what the code is about."""
    return content_terms(" ".join(_IDENTIFIER_PARTS.findall(code)))


def lead_in(analysis: Analysis, index: int) -> int | None:
    """The sentence introducing a code block ("The publisher below sends ..."): the nearest sentence
    before it in the same passage, past at most one other block (tabs of the same example)."""
    code = analysis.candidates[index]
    for i in range(index - 1, max(index - 3, -1), -1):
        other = analysis.candidates[i]
        if other.rank != code.rank:
            return None
        if other.kind == "sentence":
            return i
    return None


def _lead_in_terms(analysis: Analysis, index: int) -> frozenset[str]:
    """The words of the sentence introducing a code block."""
    sentence = lead_in(analysis, index)
    return analysis.candidates[sentence].terms if sentence is not None else frozenset()


REPEAT_MIN_TERMS = 4
"""A sentence whose words (this many or more) all appear in another quoted one says nothing new."""


def wider_sentence(analysis: Analysis, index: int, order: list[int]) -> int | None:
    """Another sentence of the order that says all of this one's words and more, if any."""
    terms = analysis.candidates[index].terms
    if len(terms) < REPEAT_MIN_TERMS:
        return None
    wider = [j for j in order if j != index and terms < analysis.candidates[j].terms]
    return max(wider, key=lambda j: len(analysis.candidates[j].terms), default=None)
