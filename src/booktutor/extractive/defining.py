"""Asked what X is, the answer opens with the sentence that says what X is.

The best-scoring sentence often only uses X among other words ('ROS 2 enables ... (topics, services,
actions)' for "What is a ROS 2 action?") or defines a word that qualifies X ('ROS 2 is an open-source
middleware ...'), while the sentence that answers ('An action is designed for long-running tasks that
provide feedback.') scores a little lower: it does not repeat the qualifier its page is about.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from booktutor.extractive.analysis import Analysis
from booktutor.extractive.headword import modified_head
from booktutor.extractive.intent import Intent
from booktutor.extractive.roles import RESTATING_PURPOSES
from booktutor.extractive.scoring import asked_term, defined_term, definition_strength, term_weights
from booktutor.extractive.selection import MAX_SENTENCES, MAX_WORDS
from booktutor.extractive.text import content_terms

_PARENTHESES = re.compile(r"\(([^()]*)\)")
_OF_WHAT = re.compile(r"\s+(?:of|in|for|on)\s+", re.I)
"""Where the thing asked about ends: 'the principal point' of 'the principal point of a camera'."""

DEFINITION_LEAD_RELATIVE = 0.7
"""A sentence saying what X is leads when it scores this share of the opening chosen otherwise."""


def definition_first(analysis: Analysis, question: str, intent: Intent, order: list[int], pool: list[int]) -> list[int]:
    """The order opened by the sentence of `pool` that says what the question's X is (`defines_head`, on a
    page that names the rest of X's words), when the opening does not and that sentence scores
    `DEFINITION_LEAD_RELATIVE` of it; else `order`. Opened by what X is, the answer leaves out what the
    words before X's head are ('ROS 2 is an open-source middleware ...' for 'a ROS 2 topic')."""
    head = definition_head(question) if intent.kind == "definition" else frozenset()
    if not order or not head:
        return order
    lead = (
        order[0]
        if definition_strength(analysis.candidates[order[0]].text, head) > 0
        else _lead(analysis, intent, head, order, pool)
    )
    if lead is None:
        return order
    modifiers = content_terms(modified_head(question)[0]) if intent.head else frozenset()
    result = [
        lead,
        *(i for i in order if i != lead and not _defines_modifier(analysis.candidates[i].text, modifiers, head)),
    ]
    while len(result) > 2 and (
        len(result) > MAX_SENTENCES or sum(analysis.candidates[i].words for i in result) > MAX_WORDS
    ):
        result.remove(min(result[1:], key=lambda i: float(analysis.total[i])))
    return result


def _lead(analysis: Analysis, intent: Intent, head: frozenset[str], order: list[int], pool: list[int]) -> int | None:
    """The sentence of `pool` that says what X is, scoring `DEFINITION_LEAD_RELATIVE` of the opening."""
    candidates = analysis.candidates
    bar = DEFINITION_LEAD_RELATIVE * float(analysis.total[order[0]])
    defining = [
        i
        for i in pool
        if candidates[i].kind == "sentence"
        and not (candidates[i].opens_list or candidates[i].list_item)
        and float(analysis.total[i]) >= bar
        and defines_head(candidates[i].text, intent.subject, head)
        and intent.subject <= _page_terms(analysis, candidates[i].doc)
    ]
    if not defining:
        return None
    return max(defining, key=lambda i: (candidates[i].purpose not in RESTATING_PURPOSES, float(analysis.total[i])))


def _defines_modifier(sentence: str, modifiers: frozenset[str], head: frozenset[str]) -> bool:
    """The sentence says what a word before X's head is ('ROS 2 (Robot Operating System 2) is ...')."""
    named = content_terms(defined_term(sentence))
    return bool(named & modifiers) and not named & head


def rarest_head(question: str, intent: Intent, evidence: dict[str, Any] | None) -> Intent:
    """The intent with X's head noun only when the book uses it more rarely than each word before it (its
    `term_weights`, when known): 'twin' of 'a digital twin' says what is asked; 'constraint' of 'a friction
    cone constraint' is the general word, 'cone' the distinctive one."""
    weights = term_weights(evidence)
    if not intent.head or not weights:
        return intent
    head = min(weights.get(t, 0.0) for t in intent.head)
    modifiers = [weights[t] for t in content_terms(modified_head(question)[0]) if t in weights]
    return intent if modifiers and all(w < head for w in modifiers) else replace(intent, head=frozenset())


def naming_head(analysis: Analysis, intent: Intent, pool: list[int]) -> list[int]:
    """The sentences of `pool` whose text or heading names X's head noun, asked what a modified term is: one
    that names only the words before it ('Digital AI optimizes ...' for 'a digital twin', the section 'What
    is ROS 2?' for 'a ROS 2 topic') is about another thing."""
    if not intent.head:
        return pool
    return [i for i in pool if intent.head & (analysis.candidates[i].terms | analysis.candidates[i].heading)]


def _page_terms(analysis: Analysis, doc: str) -> frozenset[str]:
    """The words the answerer read of page `doc`: its sentences and their headings."""
    return frozenset[str]().union(*(c.terms | c.heading for c in analysis.candidates if c.doc == doc))


def definition_head(question: str) -> frozenset[str]:
    """The word "What is X?" names X by, its last ('action' of 'a ROS 2 action'; the words before it say
    which one)."""
    return head_term(_OF_WHAT.split(asked_term(question), maxsplit=1)[0])


def head_term(phrase: str) -> frozenset[str]:
    """The phrase's last content word outside parentheses ('sim' of 'NVIDIA Isaac Sim (Isaac)')."""
    for word in reversed(_PARENTHESES.sub(" ", phrase).split()):
        if terms := content_terms(word):
            return terms
    return frozenset()


def defines_head(sentence: str, subject: frozenset[str], head: frozenset[str]) -> bool:
    """The sentence says what the asked term is, by its head word (`head`): 'An action is ...' or 'ROS 2
    actions are ...' for 'a ROS 2 action'; not what a word before the head names ('ROS 2 is ...'), nor a
    term of other words ('Admittance control is ...' for 'impedance control'), nor 'The model is ...' for
    'a VLA model' (the model the passage spoke of: only a general 'A model' or 'Models' drops a word)."""
    defined = defined_term(sentence)
    alias = content_terms(" ".join(_PARENTHESES.findall(defined)))
    named = content_terms(_PARENTHESES.sub(" ", defined))
    if not head & (named | alias) or not (named <= subject or subject <= alias):
        return False
    return subject <= named | alias or not defined.lower().startswith("the ")
