"""Which candidates may answer the question, and how the kind of question shifts their scores.

A reason answers "why", a contrast answers a comparison, a number answers "how many". Sentences that
prompt the learner (questions, options, exercise and lab instructions) and passages that only point
elsewhere (objectives, next steps) never answer; summaries and glossaries yield to the body section that
says the same thing.
"""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np

from booktutor.extractive.analysis import Analysis
from booktutor.extractive.aspects import states_side
from booktutor.extractive.intent import Intent
from booktutor.extractive.roles import (
    COURSE_PURPOSES,
    NOT_ANSWER_PURPOSES,
    PRACTICE_PURPOSES,
    RESTATING_PURPOSES,
    contrasts,
    enumerates,
    gives_example,
    gives_reason,
    has_number,
    is_advice,
    is_front_matter,
    is_generic,
    is_option_list,
    is_pointer,
    is_prompt,
    tells_the_learners_task,
)
from booktutor.extractive.scoring import Candidate, definition_strength
from booktutor.extractive.selection import identifier_terms
from booktutor.extractive.text import content_terms, has_arabic_script, script_of

REASON_BONUS = 0.10
SIDE_BONUS = 0.10
"""Asked for a drawback or a benefit: a sentence that states one."""
MECHANISM_BONUS = 0.05
CONTRAST_BONUS = 0.06
BOTH_SIDES_BONUS = 0.10
NUMBER_BONUS = 0.08
EXAMPLE_BONUS = 0.08
LIST_ITEM_BONUS = 0.03
ENUMERATION_BONUS = 0.06
"""Asked for a list, a sentence that names its members ("three components: A, B and C") answers it whole."""
RESTATING_PENALTY = 0.04
GENERIC_PENALTY = 0.08
"""'X is crucial for ...', 'Welcome to ...': introduces the topic, says nothing about it."""
INTRO_PENALTY = 0.04
"""A chapter's opening paragraphs introduce it; the section that explains is the better answer."""
TABLE_ROW_PENALTY = 0.12
"""A table row ("Accel Noise — Low-Cost IMU: 0.5 mg; High-End IMU: 0.01 mg") that shares the question's
words only through its column names, asked anything but a value or a comparison: every row of the table
shares them, and the prose that explains is the better answer."""
NAMED_SECTION_BONUS = 0.1
"""The question names the sentence's section ("In the sim-to-real case study, ..." of "Case Study: Sim-to-Real
Transfer"): the learner points at where the answer is."""
NAMED_SECTION_SHARE = 0.75
COURSE_BONUS = 0.2
"""Asked about the course itself ("What will I learn?", "What are the prerequisites?"): a sentence of its
objectives, structure or prerequisites says it, though it shares few of the question's words."""
"""... when its heading says this share of the words naming the place (two at least)."""


def names_section(heading: frozenset[str], place: frozenset[str]) -> bool:
    return len(place) >= 2 and len(place & heading) >= NAMED_SECTION_SHARE * len(place)


RULE_ASPECTS = frozenset({"collaboration", "deadline"})
"""Sides a course states as rules for the learner, often in the imperative ("Work alone; ...", "Submit ... by
Friday"): such a sentence answers although it reads like an exercise's instruction, and only such a sentence
answers when one does."""
VALUE_KINDS = frozenset({"number", "comparison"})
_ADVICE_ASKED = re.compile(
    r"\b(?:should\s+(?:i|we)|what\s+should|(?:safe|best|right|good)\s+way|how\s+(?:can|do|should)\s+(?:i|we)|"
    r"tips?|advice|what\s+(?:can|do)\s+(?:i|we)\s+do|what\s+to\s+do)\b",
    re.I,
)


def may_answer(candidate: Candidate, intent: Intent, *, advice: bool = False) -> bool:
    """Whether a sentence may be quoted as (part of) the answer. Asked for advice ("what should I
    change?"), an imperative that advises ("Start simple ...") answers; a lab step still does not."""
    if candidate.source == "selection":  # the learner pointed at it: explain it, never pose its questions
        return not is_prompt(candidate.text, allow_steps=intent.wants_steps)
    if intent.about_practice and candidate.purpose in PRACTICE_PURPOSES:  # asked what the exercise is
        return not is_option_list(candidate.text)
    if intent.about_course and _about_the_course(candidate.text, candidate.purpose):
        return True
    if intent.aspect in RULE_ASPECTS and states_side(candidate.text, intent.aspect):
        return not candidate.text.rstrip().endswith("?")  # "Work alone; ..." is the rule, not an exercise step
    steps = intent.wants_steps and candidate.purpose == "lab"
    if (
        candidate.purpose in NOT_ANSWER_PURPOSES
        and not steps
        or is_front_matter(candidate.text)
        or is_pointer(candidate.text)
    ):
        return False
    if not is_prompt(candidate.text, allow_steps=intent.wants_steps):
        return True
    return advice and is_advice(candidate.text) and not is_prompt(candidate.text, allow_steps=True)


def _about_the_course(text: str, purpose: str) -> bool:
    """A sentence that says what the course or chapter is, asks of the learner or takes (not a link, question
    or option list): the answer when the question is about the course itself."""
    course = purpose in COURSE_PURPOSES["goals"] | COURSE_PURPOSES["logistics"]
    about = course or is_front_matter(text) or tells_the_learners_task(text) or is_generic(text)
    return about and not (is_pointer(text) or is_option_list(text) or text.rstrip().endswith("?"))


def answer_pool(analysis: Analysis, intent: Intent, question: str = "") -> list[int]:
    """The sentences that may answer; in the question's script when the book has some in it (an English
    question is answered from English sentences, not from the Urdu translation of the same page), and
    never a sentence that only introduces its topic when another one says something about it."""
    advice = bool(_ADVICE_ASKED.search(question))
    pool = [
        i for i, c in enumerate(analysis.candidates) if c.kind == "sentence" and may_answer(c, intent, advice=advice)
    ]
    script = script_of(question)
    same = [
        i
        for i in pool
        if analysis.candidates[i].source == "selection" or _in_script(analysis.candidates[i].text, script)
    ]
    pool = same if script != "other" and _says_itself(analysis, same) else pool
    if intent.about_course == "goals":  # a part's stated objectives are its goals: they alone answer
        stated = [i for i in pool if analysis.candidates[i].purpose in COURSE_PURPOSES["goals"]]
        return stated if _says_itself(analysis, stated) else pool
    if intent.about_course:  # "This course covers ..." is then what was asked
        return pool
    if intent.aspect in RULE_ASPECTS:  # the rule asked about answers; the page's other rules do not
        pool = [i for i in pool if states_side(analysis.candidates[i].text, intent.aspect)] or pool
    specific = [i for i in pool if not is_generic(analysis.candidates[i].text)]
    return specific if _says_itself(analysis, specific) else pool  # an introduction answers when nothing else can


def _says_itself(analysis: Analysis, sentences: list[int]) -> bool:
    """Some sentence besides a lead-in ending with a colon, which goes with an answer that has begun
    (`selection.introduces_cited_list`): a pool of lead-ins alone answers nothing."""
    return any(not analysis.candidates[i].opens_list for i in sentences)


def _in_script(text: str, script: str) -> bool:
    """Written in the question's script: for a Latin-script question, no Arabic-script words either (a
    translated page keeps the English terms inside Urdu sentences; those are not the English text)."""
    if script == "latin" and has_arabic_script(text):
        return False
    return script_of(text) == script


def shaped_scores(analysis: Analysis, intent: Intent) -> np.ndarray:
    """The candidates' scores with the question kind's preferences applied."""
    total = analysis.total.astype(np.float32, copy=True)
    terms = analysis.question_terms
    glossary = glossary_definitions(analysis, intent)
    for i, candidate in enumerate(analysis.candidates):
        total[i] += _bonus(candidate, intent, terms) - _table_row_penalty(candidate, intent, terms)
        total[i] += RESTATING_PENALTY if i in glossary else 0.0
    return total


def glossary_definitions(analysis: Analysis, intent: Intent) -> frozenset[int]:
    """Asked what X is, the key-terms or glossary lines that define X when no body sentence does: the
    chapters use the term ("VLA systems benefit from ...") without saying what it is, the glossary says it.
    They answer as a body sentence would, not as a restatement of one."""
    if not intent.subject:
        return frozenset()
    defining = [
        i
        for i, c in enumerate(analysis.candidates)
        if c.kind == "sentence" and definition_strength(c.text, intent.subject) >= 1.0
    ]
    if any(analysis.candidates[i].purpose not in RESTATING_PURPOSES for i in defining):
        return frozenset()
    return frozenset(defining)


def _table_row_penalty(candidate: Candidate, intent: Intent, question_terms: frozenset[str]) -> float:
    """A row that shares the question's words only through its column names: every row of its table
    says those words, so they do not make this row the answer."""
    if not candidate.table_row or intent.kind in VALUE_KINDS:
        return 0.0
    label, joined, rest = candidate.text.rstrip(".").partition(" — ")
    cells = [cell.partition(": ") for cell in (rest if joined else label).split("; ")]
    columns = content_terms(" ".join(name for name, named, _ in cells if named))
    values = content_terms(" ".join([label if joined else "", *(value or name for name, _, value in cells)]))
    return TABLE_ROW_PENALTY if columns & question_terms and not values & question_terms else 0.0


def _bonus(candidate: Candidate, intent: Intent, question_terms: frozenset[str]) -> float:
    text = candidate.text
    bonus = -RESTATING_PENALTY if candidate.purpose in RESTATING_PURPOSES else 0.0
    if intent.about_course:  # "This course teaches ..." is then what was asked
        bonus += COURSE_BONUS if candidate.purpose in COURSE_PURPOSES[intent.about_course] else 0.0
    else:
        bonus -= GENERIC_PENALTY if is_generic(text) else 0.0
        bonus -= INTRO_PENALTY if candidate.intro else 0.0
    bonus += NAMED_SECTION_BONUS if names_section(candidate.heading, intent.place) else 0.0
    if intent.aspect and states_side(text, intent.aspect):
        bonus += SIDE_BONUS
    if intent.kind == "why" and gives_reason(text):
        bonus += REASON_BONUS
    elif intent.kind == "how" and gives_reason(text):
        bonus += MECHANISM_BONUS
    elif intent.kind == "comparison":
        bonus += CONTRAST_BONUS * (contrasts(text) and _names_compared(candidate, intent, question_terms))
        if intent.sides and all(side & candidate.terms for side in intent.sides):
            bonus += BOTH_SIDES_BONUS
    elif intent.kind == "example" and gives_example(text):
        bonus += EXAMPLE_BONUS
    elif intent.kind == "number" and has_number(text):
        bonus += NUMBER_BONUS
    elif intent.kind == "list":
        bonus += LIST_ITEM_BONUS if candidate.list_item else ENUMERATION_BONUS if enumerates(text) else 0.0
    return bonus


def _names_compared(candidate: Candidate, intent: Intent, question_terms: frozenset[str]) -> bool:
    """A contrast word ("vs.", "while", "but") answers a comparison only in a sentence about what is compared."""
    return any(side & candidate.terms for side in intent.sides or (question_terms,))


EXCERPT_RELATIVE = 1.0
"""A code excerpt is shown beside the answer's sentences when it matches the question at least this well
relative to the best of them: where the book says it in code (a comment, a named constant), not in prose.
At 1.0 an excerpt from a page the answer does not cite yet also meets `NEW_DOCUMENT_RELATIVE`."""
EXCERPT_ADDS_RELATIVE = 0.6
"""... or, from a page the answer cites, this share when it names `EXCERPT_MIN_TERMS` words of the question
that none of the sentences names: asked how an example handles a cancelled goal, the prose around the
example says what it shows, the lines under '# Check if goal was cancelled' say what it does. (One such
word is often an everyday one, "robot", "safe", or a keyword, "def": no sign the lines say more.)"""
EXCERPT_MIN_TERMS = 2
_DIAGRAMS = frozenset({"mermaid", "plantuml", "dot", "graphviz"})


def code_excerpt(
    analysis: Analysis, order: list[int], *, code_may_answer: bool = True, diagrams: bool = True
) -> int | None:
    """The code excerpt that answers better than the picked sentences, or (`code_may_answer`: not asked a
    reason or a yes or no) says the part of the question they leave out, if one does; a flowchart's lines
    only with `diagrams` (not when the learner asked for code)."""
    if not order:
        return None
    best = max(float(analysis.total[i]) for i in order)
    wanted = min(EXCERPT_MIN_TERMS, len(analysis.question_terms))
    scored = [
        (float(analysis.total[i]), i)
        for i, c in enumerate(analysis.candidates)
        if c.kind == "excerpt"
        and (diagrams or not c.diagram)
        and len(c.terms & analysis.question_terms) >= wanted
        and (
            float(analysis.total[i]) >= EXCERPT_RELATIVE * best
            or (code_may_answer and _says_what_is_left_out(analysis, i, order, best))
        )
    ]
    return max(scored, default=(0.0, None))[1]


def _says_what_is_left_out(analysis: Analysis, index: int, order: list[int], best: float) -> bool:
    """The excerpt, from a page the answer cites, names words of the question that no sentence of it names
    (`EXCERPT_MIN_TERMS`) and scores `EXCERPT_ADDS_RELATIVE` of the best sentence."""
    excerpt = analysis.candidates[index]
    said = frozenset[str]().union(*(analysis.candidates[i].terms for i in order))
    unsaid = (excerpt.terms & analysis.question_terms) - said
    return (
        excerpt.doc in {analysis.candidates[i].doc for i in order}
        and len(unsaid) >= min(EXCERPT_MIN_TERMS, len(analysis.question_terms))
        and float(analysis.total[index]) >= EXCERPT_ADDS_RELATIVE * best
    )


def quoted_excerpt(analysis: Analysis, question: str) -> int | None:
    """The book's code excerpt holding what the question quotes of its code (`alpha = 0.98`,
    `step_size_max`, `spin()`) and naming as many of its words as an excerpt shown unasked must."""
    literals = code_literals(question)
    if not literals:
        return None
    wanted = min(EXCERPT_MIN_TERMS, len(analysis.question_terms))
    scored = [
        (float(analysis.total[i]), i)
        for i, c in enumerate(analysis.candidates)
        if c.kind == "excerpt" and len(c.terms & analysis.question_terms) >= wanted and _holds_any(c.text, literals)
    ]
    return max(scored, default=(0.0, None))[1]


_CODE_LITERAL = re.compile(r"\b[A-Za-z_]\w*\s*=\s*[\w.]+|\b[A-Za-z]\w*_\w+\b|\b[a-z]+[A-Z]\w*\b|\b\w+\(\)")
"""What a learner copies from code into a question: an assignment, a snake_case or camelCase name, a call."""


def code_literals(question: str) -> list[str]:
    return [_squeezed(match) for match in _CODE_LITERAL.findall(question)]


def _holds_any(code: str, literals: list[str]) -> bool:
    squeezed = _squeezed(code)
    return any(literal in squeezed for literal in literals)


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def quotable_code(analysis: Analysis) -> list[int]:
    """The book's code blocks and excerpts that could be shown beside an answer: not a diagram, and naming
    as many of the question's words as an excerpt shown unasked must (`EXCERPT_MIN_TERMS`)."""
    wanted = min(EXCERPT_MIN_TERMS, len(analysis.question_terms))
    return [
        i
        for i, c in enumerate(analysis.candidates)
        if c.kind in ("code", "excerpt")
        and c.source == "book"
        and c.code_language not in _DIAGRAMS
        and len(c.terms & analysis.question_terms) >= wanted
    ]


def both_sides_code(analysis: Analysis, intent: Intent, code: int) -> int:
    """For a comparison, the code excerpt shown with the excerpt of the same block that names the side it
    does not ("# Callbacks in this group can run in parallel" beside "# ... run one at a time"), in the
    block's order: a block that sets the two things side by side answers for both. Else `code` itself."""
    candidates = analysis.candidates
    shown = candidates[code]
    if shown.kind != "excerpt":
        return code
    named = [side for side in intent.sides if side & _code_words(shown)]
    others = [side for side in intent.sides if side not in named]
    if not named or not others:
        return code
    partners = [
        i
        for i, c in enumerate(candidates)
        if i != code
        and c.kind == "excerpt"
        and (c.rank, c.position) == (shown.rank, shown.position)
        and any(side & _code_words(c) for side in others)
    ]
    if not partners:
        return code
    partner = max(partners, key=lambda i: float(analysis.total[i]))
    first, second = sorted((code, partner))
    text = f"{candidates[first].text}\n\n{candidates[second].text}"
    candidates.append(replace(shown, text=text, terms=candidates[first].terms | candidates[second].terms))
    analysis.total = np.append(analysis.total, analysis.total[code])
    analysis.semantic = np.append(analysis.semantic, analysis.semantic[code])
    if analysis.vectors is not None:
        analysis.vectors = np.vstack([analysis.vectors, analysis.vectors[code]])
    return len(candidates) - 1


def _code_words(candidate: Candidate) -> frozenset[str]:
    return candidate.terms | identifier_terms(candidate.text)
