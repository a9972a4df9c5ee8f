"""What a practice section's own text asks (its prompts and tasks, else its opening sentences) and its
"Step 1: ..." lines, for the answers about the book's practice (extractive.practice); never its steps' list
again, which the answer gives as its steps.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from booktutor.extractive.roles import is_option_list, is_prompt
from booktutor.extractive.text import Segment, split_markdown

MAX_PROMPTS = 3
MAX_PROMPT_WORDS = 70
MIN_PROMPT_WORDS = 3
"""A shorter line ("Q2.", "Solution:") is a label, not a prompt."""
MIN_ITEM_WORDS = 2
"""A list's item says what to do in fewer words ("Avoid obstacles")."""
MAX_STEPS = 12

_STEP = re.compile(r"^(?:step|task|part)\s*\d+\b", re.I)
_HEADING_LINE = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.M)


def prompts(text: str, listed: Sequence[str] = ()) -> tuple[str, list[str]]:
    """What the section's own text asks (its prompts and tasks, else its opening sentences; never an option
    list nor a sentence of its `listed` steps; up to `MAX_PROMPTS` sentences and `MAX_PROMPT_WORDS` words, a
    list's items read as one list), and its "Step 1: ..." lines."""
    labels = tuple(f"{_plain(m)}: " for m in _HEADING_LINE.findall(text))
    segments = list(
        {
            _unlabelled(s.text.strip(), labels): s
            for s in split_markdown(text)
            if s.kind == "sentence" and not s.table_row and not is_option_list(s.text)
        }.items()
    )
    sentences = [(t, s) for t, s in segments if len(t.split()) >= (MIN_ITEM_WORDS if s.list_item else MIN_PROMPT_WORDS)]
    steps = [t.rstrip(":").strip() for t, _ in sentences if _STEP.match(t)][:MAX_STEPS]
    steps_said = [_said(step) for step in listed]
    prose = [
        (t, s)
        for t, s in sentences
        if not _STEP.match(t) and (s.opens_list or not t.endswith(":")) and not any(_said(t) in x for x in steps_said)
    ]
    asking = [prose[i] for i in _asking(prose)] or prose
    kept: list[tuple[str, bool]] = []
    for sentence, segment in asking:
        if sum(len(t.split()) for t, _ in kept) + len(sentence.split()) > MAX_PROMPT_WORDS and kept:
            break
        if not segment.list_item and sum(not item for _, item in kept) == MAX_PROMPTS:
            break
        kept.append((sentence, segment.list_item))
    return _joined(kept), steps


def _asking(prose: Sequence[tuple[str, Segment]]) -> list[int]:
    """The sentences that ask something (`is_prompt`), with the whole list one of them is an item of or opens."""
    chosen = {i for i, (text, _) in enumerate(prose) if is_prompt(text)}
    for i in sorted(chosen):
        if prose[i][1].list_item or prose[i][1].opens_list:
            chosen.update(_list_around(prose, i))
    return sorted(chosen)


def _list_around(prose: Sequence[tuple[str, Segment]], i: int) -> range:
    first = last = i
    while first > 0 and prose[i][1].list_item and prose[first - 1][1].list_item:
        first -= 1
    while last + 1 < len(prose) and prose[last + 1][1].list_item:
        last += 1
    return range(first, last + 1)


def _plain(text: str) -> str:
    return re.sub(r"[*_`]", "", text).strip().rstrip(":")


def _unlabelled(sentence: str, labels: tuple[str, ...]) -> str:
    """A list item without the section's heading the sentence splitter reads it with ("Tasks: Build ...")."""
    for label in labels:
        if sentence.lower().startswith(label.lower()):
            return sentence[len(label) :]
    return sentence


def _joined(kept: Sequence[tuple[str, bool]]) -> str:
    """Sentences one after another; a list's phrases ("Avoid obstacles") as one sentence, split by semicolons."""
    parts: list[str] = []
    for i, (sentence, item) in enumerate(kept):
        following = i + 1 < len(kept) and kept[i + 1][1]
        if item and not sentence.endswith((".", "?", "!")):  # a list of phrases, not of sentences
            parts.append(sentence.rstrip(";") + (";" if following else "."))
        else:
            parts.append(sentence)
    return " ".join(parts)


def _said(text: str) -> str:
    """The words of a sentence or step, to find a step's sentences among the text's."""
    return " ".join(re.findall(r"\w+", text.lower()))
