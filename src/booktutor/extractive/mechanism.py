"""How the code decides: asked how something works ("how does the node know the speaker stopped?", "how does
it rate each grasp?"), a technical book often answers in a listing, not in prose: a condition on a named
constant, a score computed from weights. The excerpt that matched the question best often only names its
subject (a class line and its docstring); the lines that decide or compute are the answer.

Within the listing of the excerpt chosen to be shown, the stanza that computes a word the question asks
about (`score = w1 * a + w2 * b` for "how does it score ...") is preferred, else one that decides (a
condition with a comparison); it is shown with the stanza of the same listing that sets the constants it
reads (`self.threshold = 0.5` beside `if level > self.threshold:`).
"""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np

from booktutor.extractive.analysis import Analysis
from booktutor.extractive.excerpts import DOCSTRING_QUOTES, toggles_string
from booktutor.extractive.intent import Intent, asks_mechanism
from booktutor.extractive.scoring import Candidate
from booktutor.extractive.selection import identifier_terms

MECHANISM_RELATIVE = 0.6
"""The deciding or computing stanza replaces the chosen excerpt when it scores this share of it: it names
fewer of the question's words (the learner's "finished talking" is the code's `silence_duration`)."""
_CONDITION = re.compile(r"^\s*(?:if|elif|while|else\s+if|\}\s*else\s+if)\b.*(?:[<>]=?|[!=]==?)", re.M)
_ASSIGNMENT = re.compile(r"^\s*(?P<lhs>[A-Za-z_][\w.]*)\s*[-+*/]?=\s*(?P<rhs>[^=\n].*)$", re.M)
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?\s*;?\s*(?:(?:#|//).*)?$")
_ARITHMETIC = re.compile(r"[\w)\]]\s*[-+*/]\s*[\w(]")
_NAME = re.compile(r"[A-Za-z_][\w.]*")
_STRING = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"")
_DECLARATION = re.compile(r"^(?:@|(?:async\s+)?def\s|class\s)")


def mechanism_code(analysis: Analysis, code: int) -> int:
    """The lines of `code`'s listing that compute or decide what the question asks (see the module), with
    the constants they read; `code` itself when it is not an excerpt or no stanza of its listing does."""
    chosen = analysis.candidates[code]
    if chosen.kind != "excerpt" or chosen.diagram:
        return code
    block = [
        i
        for i, c in enumerate(analysis.candidates)
        if c.kind == "excerpt" and (c.rank, c.position) == (chosen.rank, chosen.position)
    ]
    bar = MECHANISM_RELATIVE * float(analysis.total[code])
    strong = [i for i in block if float(analysis.total[i]) >= bar]
    computing = [i for i in strong if _computes(analysis.candidates[i].text, analysis.question_terms)]
    deciding = [i for i in strong if _CONDITION.search(analysis.candidates[i].text)]
    if computing:
        picked = _best(analysis, computing)
    elif code in deciding or not deciding:
        return code
    else:
        picked = _best(analysis, deciding)
    reads = _reads(analysis, picked)
    setting = {i: _constants_set(analysis.candidates[i].text, reads) for i in block if i != picked}
    if not any(setting.values()):
        return picked
    constants = max(setting, key=lambda i: (setting[i], float(analysis.total[i]), -i))
    return _joined(analysis, sorted((picked, constants)))


def doing_code(analysis: Analysis, code: int) -> int:
    """Asked how to do something, a stanza of the chosen excerpt's listing that does it (calls, commands), when
    the excerpt only declares (a class line and its docstring: "Node to spawn robots in Gazebo." restates the
    question) and that stanza scores `MECHANISM_RELATIVE` of it; else `code`."""
    chosen = analysis.candidates[code]
    if chosen.kind != "excerpt" or chosen.diagram or not declares_only(chosen.text):
        return code
    bar = MECHANISM_RELATIVE * float(analysis.total[code])
    doing = [
        i
        for i, c in enumerate(analysis.candidates)
        if c.kind == "excerpt"
        and (c.rank, c.position) == (chosen.rank, chosen.position)
        and float(analysis.total[i]) >= bar
        and not declares_only(c.text)
    ]
    return _best(analysis, doing) if doing else code


def declares_only(text: str) -> bool:
    """Whether the lines only declare: definition lines (with their parameters), decorators, docstrings and
    comments, no statement that does something."""
    in_string = in_signature = False
    for line in (raw.strip() for raw in text.splitlines()):
        if in_string or line.startswith(DOCSTRING_QUOTES):
            in_string ^= toggles_string(line)
            continue
        if in_signature or _DECLARATION.match(line):
            in_signature = not line.endswith(":")
            continue
        if line and not line.startswith(("#", "//")):
            return False
    return True


def code_covers_more(analysis: Analysis, code: int, order: list[int]) -> bool:
    """The listing of `code` names more of the question's words than any sentence of the order: the prose
    beside it is about something else on the page (a neighbouring section's design note)."""
    chosen = analysis.candidates[code]
    listing = frozenset[str]().union(
        *(
            c.terms | identifier_terms(c.text)
            for c in analysis.candidates
            if c.kind in ("excerpt", "code") and (c.rank, c.position) == (chosen.rank, chosen.position)
        )
    )
    covered = len(listing & analysis.question_terms)
    return all(len(analysis.candidates[i].terms & analysis.question_terms) < covered for i in order)


def _best(analysis: Analysis, indices: list[int]) -> int:
    return max(indices, key=lambda i: (float(analysis.total[i]), -i))


def _computes(text: str, question_terms: frozenset[str]) -> bool:
    """An assignment to a name the question asks about from an arithmetic expression (`score = (0.5 * a
    + ...)`, its continuation lines included)."""
    for match in _ASSIGNMENT.finditer(text):
        rest = _STRING.sub("0", text[match.start("rhs") :])  # '/fridge/door' is no division
        if identifier_terms(match["lhs"]) & question_terms and _ARITHMETIC.search(rest):
            return True
    return False


def _reads(analysis: Analysis, index: int) -> frozenset[str]:
    """The names the stanza reads (the attribute's last part: `self.silence_duration` -> silence_duration)."""
    return frozenset(name.rsplit(".", 1)[-1] for name in _NAME.findall(analysis.candidates[index].text))


def _constants_set(text: str, names: frozenset[str]) -> int:
    """How many of `names` the stanza sets to a number (`stability_weight = 0.5`, `self.threshold = 0.01`)."""
    return len(
        {
            name
            for match in _ASSIGNMENT.finditer(text)
            if (name := match["lhs"].rsplit(".", 1)[-1]) in names and _NUMBER.match(match["rhs"].strip())
        }
    )


def _joined(analysis: Analysis, indices: list[int]) -> int:
    """A new candidate showing the stanzas of one listing together, in the listing's order."""
    first: Candidate = analysis.candidates[indices[0]]
    text = "\n\n".join(analysis.candidates[i].text for i in indices)
    terms = frozenset[str]().union(*(analysis.candidates[i].terms for i in indices))
    analysis.candidates.append(replace(first, text=text, terms=terms))
    best = max(indices, key=lambda i: float(analysis.total[i]))
    analysis.total = np.append(analysis.total, analysis.total[best])
    analysis.semantic = np.append(analysis.semantic, analysis.semantic[best])
    if analysis.vectors is not None:
        analysis.vectors = np.vstack([analysis.vectors, analysis.vectors[best]])
    return len(analysis.candidates) - 1


CODE_INTRO = "From the book"
MECHANISM_INTRO = "In the book's code"
"""Introduces the lines that compute or decide: a frame, no claim of its own (like `CODE_INTRO`)."""


def code_led(
    analysis: Analysis, question: str, intent: Intent, code: int | None, order: list[int]
) -> tuple[list[int], int | None, str]:
    """The answer's sentences, its code and the line introducing the code. Asked how something works, the
    lines of the listing that compute or decide it (`mechanism_code`); they answer alone when the listing
    names more of the question's words than any of the sentences (`code_covers_more`)."""
    if code is not None and intent.kind == "procedure":
        return order, doing_code(analysis, code), CODE_INTRO
    if code is None or not asks_mechanism(question, intent):
        return order, code, CODE_INTRO
    shown = mechanism_code(analysis, code)
    if shown == code:
        return order, code, CODE_INTRO
    return ([] if code_covers_more(analysis, code, order) else order), shown, MECHANISM_INTRO
