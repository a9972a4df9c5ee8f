"""Asked for one step of a lab or exercise ("What do I do in step 3 of the lab?", "the third step of the exercise",
"step 2 of lab 1"): which step, and that step among the practice section's steps (booktutor.tools.practice reads
them: the items of its steps' list, its "Step N" sub-sections, else its text's "Step N:" lines).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from booktutor.extractive.practice_keys import LAST, ORDINALS

_NUMBER = re.compile(r"\bsteps?\s*(?:#|no\.?|number)?\s*(\d{1,2})\b", re.I)
_ORDINAL = re.compile(
    rf"\b(?:the\s+)?(?:very\s+)?({'|'.join(ORDINALS)}|last|final|\d{{1,2}}(?:st|nd|rd|th))\s+step\b", re.I
)
_SAYS_NUMBER = re.compile(r"^\W*(?:step|task|part|stage)\s*(\d{1,2})\b\s*[:.)\u2013\u2014-]?\s*", re.I)


def asked_step(question: str) -> int | None:
    """The number of the step asked about ("step 3", "the third step", "the 2nd step"; `LAST` for "the last
    step"), if any."""
    if found := _NUMBER.search(question):
        return int(found.group(1))
    if said := _ORDINAL.search(question):
        word = said.group(1).lower()
        if word[:1].isdigit():
            return int(word[:-2])
        return ORDINALS.index(word) + 1 if word in ORDINALS else LAST
    return None


def without_step(question: str) -> str:
    """The question without the asked step: "step 3" names no lab or page."""
    return _ORDINAL.sub(" step ", _NUMBER.sub(" step ", question))


def step_of(steps: Sequence[str], number: int) -> tuple[int, str, int] | None:
    """The asked step's number, what it says and its place among `steps`: the step that says that number
    ("Step 3: Wire it"), else the number-th; the last for `LAST`. None when there is no such step."""
    said = [(_said_number(step), step) for step in steps]
    if number == LAST:
        return (said[-1][0] or len(steps), _unnumbered(said[-1][1]), len(steps) - 1) if steps else None
    own = next((i for i, (n, _) in enumerate(said) if n == number), None)
    if own is not None:
        return number, _unnumbered(steps[own]), own
    if any(n is not None for n, _ in said) or not 0 < number <= len(steps):
        return None
    return number, steps[number - 1], number - 1


def _said_number(step: str) -> int | None:
    found = _SAYS_NUMBER.match(step)
    return int(found.group(1)) if found else None


def _unnumbered(step: str) -> str:
    """ "Step 3: Wire it" -> "Wire it"."""
    return _SAYS_NUMBER.sub("", step, count=1).strip() or step
