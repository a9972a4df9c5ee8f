"""Grounded extractive answers: quote the book's most relevant sentences with [n] citations.

Pure logic (no Agents SDK): split retrieved Markdown chunks into sentences, score them against the
question, pick 2-5 non-redundant ones that do what the question asks (a reason for "why", both sides
of a comparison, every part of a two-part question, the code block for "show me the code") and render
them with the citation marker of the section that holds them. Decide first, from several retrieval
signals, whether the book covers the question at all.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from booktutor.extractive.abstention import AbstentionPolicy, evidence_score, should_abstain
from booktutor.extractive.analysis import Analysis, analyse
from booktutor.extractive.beyond import beyond_the_passage, passage_example
from booktutor.extractive.continuation import cause_first, continue_explanation, fill_cited_sections
from booktutor.extractive.coverage import (
    code_prose,
    cover_example,
    cover_parts,
    cover_reason,
    cover_sides,
    distinctive_sides,
    focus_first,
    listing_prose,
    part_queries,
    practice_pointer,
    stand_alone_opening,
)
from booktutor.extractive.defining import definition_first, naming_head, rarest_head
from booktutor.extractive.followup import (
    NO_REASON,
    NOTHING_MORE,
    already_said,
    asks_for_more,
    favour_reasons_near,
    off_the_claims_page,
    off_topic,
    restated_claims,
    section_headings,
    states_a_reason,
)
from booktutor.extractive.howto import listing_under_heading
from booktutor.extractive.intent import Intent, question_intent, split_parts
from booktutor.extractive.kinds import kinds_answer, kinds_opening, kinds_subject
from booktutor.extractive.listing import (
    add_lead_ins,
    quote_referred_lists,
    take_introduced_lists,
    take_list,
    take_rows,
    without_stray_items,
)
from booktutor.extractive.mechanism import CODE_INTRO, code_led
from booktutor.extractive.pages import completing_sentences, near_best_document, on_page_of, pages_that_hold_up
from booktutor.extractive.practice import practice_answer
from booktutor.extractive.rendering import abstention_text, reading_order, render
from booktutor.extractive.roles import introduces_only
from booktutor.extractive.scoring import term_cosine
from booktutor.extractive.selection import (
    NEW_DOCUMENT_RELATIVE,
    passage_context,
    select_code,
    select_example_code,
    select_sentences,
    wider_sentence,
)
from booktutor.extractive.shaping import (
    answer_pool,
    both_sides_code,
    code_excerpt,
    glossary_definitions,
    quotable_code,
    quoted_excerpt,
    shaped_scores,
)
from booktutor.extractive.stated import asked_fact_missing, side_missing
from booktutor.extractive.tabled import headed_table
from booktutor.extractive.text import content_terms
from booktutor.extractive.yesno import yes_no_lead
from booktutor.providers.embeddings import Embedder, embed_queries

PROSE_KINDS = frozenset({"why", "yesno"})
"""What code cannot answer on its own: a reason, a yes or no."""


@dataclass(frozen=True)
class ComposedAnswer:
    text: str
    cited: list[int]
    abstained: bool
    language: str
    signals: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class _Plan:
    order: list[int]
    code: int | None
    missing_parts: list[str]
    lead: str = ""
    more: list[int] = field(default_factory=list)
    """Sentences that may carry the answer on in the sections it cites (`fill_cited_sections`)."""
    code_intro: str = CODE_INTRO


async def compose_answer(
    question: str,
    results: list[dict[str, Any]],
    *,
    embedder: Embedder | None,
    policy: AbstentionPolicy,
    evidence: dict[str, Any] | None = None,
    said: Sequence[str] = (),
    practice: Sequence[dict[str, Any]] | None = None,
    kinds: dict[str, Any] | None = None,
) -> ComposedAnswer:
    """`said`: the thread's earlier answers. Asked for more, or why an earlier answer's claim holds, the
    answer quotes what they did not (extractive.followup). `practice`: the practice sections of the pages
    the search ranked first, read when the question is about the book's practice (extractive.practice).
    `kinds`: where the book lists the kinds a question asks for, read from its outline (extractive.kinds)."""
    analysis = await analyse(question, results, embedder=embedder, evidence=evidence)
    signals = dict(analysis.features, evidence=evidence_score(analysis.features, policy))
    intent = question_intent(question)
    signals["question_kind"] = intent.kind
    quoted = already_said(analysis, said)
    claims = restated_claims(analysis, intent) & quoted
    skip = claims | off_the_claims_page(analysis, claims)
    if asks_for_more(question):
        skip |= quoted | off_topic(analysis, question, section_headings(results), evidence)
    plan = None
    covered = not should_abstain(analysis.features, policy)
    if not skip and (rows := headed_table(analysis, intent)):  # the section the question names is its table
        table, cited = render(analysis, question, rows, None)
        return ComposedAnswer(table, cited, False, analysis.candidates[rows[0]].language, signals)
    if (
        practice is not None
        and intent.about_practice
        and (text := practice_answer(question, results, practice, covered=covered))
    ):
        return ComposedAnswer(text, _markers(text), False, "en", signals)
    listed = None if skip else kinds_answer(question, kinds, results)
    if covered:
        intent = distinctive_sides(analysis, intent, answer_pool(analysis, intent, question), evidence)
        intent = rarest_head(question, intent, evidence)
        plan = await _plan(analysis, question, intent, embedder, skip, claims)
    if plan is not None:
        plan = _stated(analysis, results, question, plan)
    if listed:
        text = kinds_opening(analysis, question, plan.order if plan else [], kinds, listed) + listed
        return ComposedAnswer(text, _markers(text), False, "en", signals)
    if claims and (plan is None or not states_a_reason(analysis, plan.order)):
        return ComposedAnswer(NO_REASON, [], True, "en", signals)
    if plan is None and skip:
        return ComposedAnswer(NOTHING_MORE, [], True, "en", signals)
    if plan is None:
        language = (evidence or {}).get("language")  # the learner's: the language of the question
        return ComposedAnswer(abstention_text(results, language), [], True, "en", signals)
    if plan.more:  # after the checks above, which judge what answers, not the sections' further sentences
        plan = replace(plan, order=_without_repeats(analysis, fill_cited_sections(analysis, plan.order, plan.more)))
    text, cited = render(analysis, question, plan.order, plan.code, plan.missing_parts, plan.code_intro)
    if plan.lead:
        text = f"{plan.lead} {text}"
    shown = [*plan.order, *([plan.code] if plan.code is not None else [])]
    cited_docs = {analysis.candidates[i].doc for i in shown}
    if pointer := practice_pointer(results, analysis.question_terms, cited_docs):
        text = f"{text}\n\n{pointer}"
    return ComposedAnswer(text, cited, False, analysis.candidates[shown[0]].language, signals)


async def _plan(
    analysis: Analysis, question: str, intent: Intent, embedder: Embedder | None, skip: set[int], claims: set[int]
) -> _Plan | None:
    """The answer's sentences and code; none of `skip` (what the thread quoted, when asked for more), and
    a reason next to one of `claims` (an earlier answer's claim a "why" asks about) before others."""
    analysis.total = favour_reasons_near(analysis, shaped_scores(analysis, intent), claims)
    pool = [i for i in answer_pool(analysis, intent, question) if i not in skip]
    pool = naming_head(analysis, intent, pool) or pool
    lead_ins = [i for i in pool if analysis.candidates[i].opens_list]  # they join a begun answer (add_lead_ins)
    pool = [i for i in pool if i not in lead_ins]
    if not analysis.features["selection_mode"]:
        if _code_alone_may_answer(question, intent) and (code := _code_answer(analysis, question, pool)) is not None:
            _, code, intro = code_led(analysis, question, intent, code, [])
            return _Plan([], code, [], code_intro=intro)
        pool = near_best_document(analysis, pool)
    defining = glossary_definitions(analysis, intent)
    list_asked = intent.kind == "list" or bool(intent.about_course)
    picked = select_sentences(analysis, pool, list_asked=list_asked, defining=defining)
    if not picked:
        return None
    if picked[0] in defining:  # the glossary says what X is; the other pages only use the term
        picked, pool = on_page_of(analysis, picked[0], picked), on_page_of(analysis, picked[0], pool)
    picked = add_lead_ins(analysis, picked, lead_ins, pool)
    answering = pool
    pool = passage_context(analysis, completing_sentences(analysis, pool, picked, defining))
    if intent.sides:
        picked = cover_sides(analysis, intent, pool, picked)
    if intent.kind in ("why", "how"):
        picked = cover_reason(analysis, pool, picked)
    elif intent.kind == "example":
        picked = cover_example(analysis, pool, picked)
    missing: list[str] = []
    if intent.parts and not analysis.features["selection_mode"]:
        queries = part_queries(intent.parts)
        similarity = await _part_similarity(analysis, queries, embedder)
        picked, missing = cover_parts(analysis, queries, similarity, pool, picked)
        missing = [part for query, part in zip(queries, intent.parts, strict=True) if query in missing]
        if len(missing) == len(intent.parts):
            missing = []  # no part stands out: the answer as a whole is what the book says
    order = definition_first(
        analysis, question, intent, focus_first(analysis, intent, reading_order(analysis, picked), pool), pool
    )
    order = stand_alone_opening(analysis, order, pool)
    order = take_list(analysis, intent, order, pool)
    order = take_rows(analysis, order, pool)
    order = stand_alone_opening(analysis, take_introduced_lists(analysis, order, pool), pool)
    order = quote_referred_lists(analysis, order, skip)
    if intent.kind == "why":
        order = cause_first(analysis, order, pool)
    if not intent.wants_code:
        order = continue_explanation(analysis, order, pool)
    order = without_stray_items(analysis, intent, _without_repeats(analysis, order))
    beyond = beyond_the_passage(analysis, answering, order) if analysis.features["selection_mode"] else order
    if beyond != order:  # never the passage alone: what the book says beyond it, the passage only a lead
        order, pool = beyond, [i for i in pool if i in beyond or analysis.candidates[i].source != "selection"]
    code, intro = quoted_excerpt(analysis, question), CODE_INTRO
    if code is not None:  # the learner quotes this page's code: the question is about that page
        order = [i for i in order if analysis.candidates[i].doc == analysis.candidates[code].doc]
    elif intent.wants_code:
        code = select_code(analysis, question, order, asked=True)
        code = code_excerpt(analysis, order, diagrams=False) if code is None else code
    else:
        example = select_example_code(analysis) if intent.kind == "example" else None
        if example is None and analysis.features["selection_mode"]:
            example = passage_example(analysis, question)
        code = example if example is not None else _unasked_code(analysis, question, intent, order)
        order, code, intro = code_led(analysis, question, intent, code, order)
        if intent.kind == "procedure" and code is not None and intro == CODE_INTRO:
            order = listing_prose(analysis, code, order, pool) or order  # the steps' own words lead them
    if intent.wants_code and code is not None:  # the block answers: introduce it, skip the rest
        order = stand_alone_opening(analysis, code_prose(analysis, code, order, pool), pool, code)
    code = None if code in skip else code
    if intent.sides and code is not None:
        code = both_sides_code(analysis, intent, code)
    order = pages_that_hold_up(analysis, order, code if _code_answers(analysis, intent, code) else None)
    if code is not None and all(introduces_only(analysis.candidates[i].text) for i in order):
        order = []  # "Welcome to the world of robot simulation!" introduces nothing the code shows
    more = [] if intent.wants_code else pool
    return _Plan(order, code, missing, yes_no_lead(analysis, intent, order, question), more, intro)


def _markers(text: str) -> list[int]:
    return list(dict.fromkeys(int(n) for n in re.findall(r"\[(\d{1,2})\]", text)))


def _unasked_code(analysis: Analysis, question: str, intent: Intent, order: list[int]) -> int | None:
    """Code shown beside sentences the learner did not ask code of: the excerpt that says what they leave
    out (`code_excerpt`), unless it is part of the short block the question hints at (`select_code`), which
    shows it in context; else that block. Asked how to do something, else the listing under a heading that
    says it (`howto`)."""
    hinted = select_code(analysis, question, order)
    excerpt = code_excerpt(analysis, order, code_may_answer=_code_may_answer(intent))
    if excerpt is None and hinted is None and intent.kind == "procedure":
        return listing_under_heading(analysis)
    if excerpt is None or (
        hinted is not None and analysis.candidates[excerpt].text in analysis.candidates[hinted].text
    ):
        return hinted
    return excerpt


def _without_repeats(analysis: Analysis, order: list[int]) -> list[int]:
    """The order without a sentence the answer already says: word for word (the same line in two sections)
    or within a longer one ('Like services, actions have a goal (request)' beside 'Action-Based Pattern:
    Like services, actions have a goal (request to start a task)'); an opening said within a later
    sentence gives that sentence its place."""
    seen: set[str] = set()
    kept: list[int] = []
    for i in order:
        key = " ".join(analysis.candidates[i].text.lower().split())
        if key not in seen and wider_sentence(analysis, i, order) is None:
            seen.add(key)
            kept.append(i)
    if order and kept and order[0] not in kept and (wider := wider_sentence(analysis, order[0], order)) in kept:
        kept = [wider, *(i for i in kept if i != wider)]
    return kept or order[:1]


def _code_may_answer(intent: Intent) -> bool:
    """Code can answer the question, or its first part (what it mainly asks): not a reason, nor a yes or no."""
    main = question_intent(intent.parts[0]).kind if intent.parts else intent.kind
    return main not in PROSE_KINDS


def _code_alone_may_answer(question: str, intent: Intent) -> bool:
    """Code may answer with no sentence beside it: not a list of things, nor the kinds of something ("What
    kinds of sensors does a humanoid use?"), which prose names; a listing that mentions some names none."""
    return _code_may_answer(intent) and intent.kind != "list" and not kinds_subject(question)


def _code_answers(analysis: Analysis, intent: Intent, code: int | None) -> bool:
    """The code shown may carry the answer on its own (`pages_that_hold_up` then weighs it against the
    sentences): code that can answer the question, not a flowchart's lines, which only back prose up."""
    return code is not None and _code_may_answer(intent) and not analysis.candidates[code].diagram


def _code_answer(analysis: Analysis, question: str, pool: list[int]) -> int | None:
    """The code that answers when the page that says it best says it only in code (the swarm example's
    docstring, the task allocator of an exercise) and every prose sentence the answer could quote comes
    from another page that matches clearly less well (below `NEW_DOCUMENT_RELATIVE` of the code): such a
    sentence does not carry the answer, it only adds a citation of a weakly related page. When no sentence
    may answer at all (the sections found are listings under their headings), the code answers. Not when the
    question quotes code the book holds: that code's page answers (`quoted_excerpt`)."""
    code = [i for i in quotable_code(analysis) if not analysis.candidates[i].diagram]
    if not code or quoted_excerpt(analysis, question) is not None:
        return None
    strongest = max(code, key=lambda i: float(analysis.total[i]))
    if not pool:
        return strongest  # no sentence may answer: the sections found explain it in code alone
    home = analysis.candidates[strongest].doc
    if any(analysis.candidates[i].doc == home for i in pool):
        return None
    best_prose = max(float(analysis.total[i]) for i in pool)
    return strongest if best_prose < NEW_DOCUMENT_RELATIVE * float(analysis.total[strongest]) else None


async def _part_similarity(analysis: Analysis, queries: list[str], embedder: Embedder | None) -> list[np.ndarray]:
    if analysis.vectors is not None and embedder is not None:
        try:
            vectors = [np.asarray(v, dtype=np.float32) for v in await embed_queries(embedder, queries)]
            return [np.clip(analysis.vectors @ v, 0.0, 1.0) for v in vectors]
        except Exception:  # an embedder outage: fall back to shared words
            pass
    return [
        np.asarray([term_cosine(content_terms(q), c.terms) for c in analysis.candidates], dtype=np.float32)
        for q in queries
    ]


def _stated(analysis: Analysis, results: list[dict[str, Any]], question: str, plan: _Plan) -> _Plan | None:
    """The plan, unless the question asks for a fact (a named quantity, what a term is) or a side of
    its topic (a drawback, a benefit) that none of its sentences states: then the book does not answer
    it, however many words they share."""
    if analysis.features["selection_mode"]:
        return plan
    first = (split_parts(question) or (question,))[0]
    headings = {int(r["n"]): str(r.get("heading") or "") for r in results if isinstance(r.get("n"), int)}
    sentences = [
        f"{headings.get(c.n, '')} {' '.join(sorted(c.heading))}: {c.text}"  # its result's and its own section's
        for c in (analysis.candidates[i] for i in [*plan.order, *([plan.code] if plan.code is not None else [])])
    ]
    intent = question_intent(question)
    aspect = "" if intent.kind == "why" else intent.aspect  # "why use X?" asks a reason, in any wording
    if side_missing(question, aspect, intent.focus, _with_sections(analysis, headings, plan.order)):
        return None  # "what are its drawbacks?" answered with what it is re-serves the last answer
    return None if asked_fact_missing(first, question_intent(first).kind, sentences) else plan


def _with_sections(analysis: Analysis, headings: dict[int, str], order: list[int]) -> list[tuple[str, str]]:
    """Each sentence with its section's text: the heading and every sentence of it the answerer read."""
    sections: dict[int, list[str]] = {}
    for candidate in analysis.candidates:
        sections.setdefault(candidate.n, [headings.get(candidate.n, "")]).append(candidate.text)
    return [(analysis.candidates[i].text, " ".join(sections[analysis.candidates[i].n])) for i in order]
