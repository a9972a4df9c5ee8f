"""A `<details>` fold after a quiz question: one whose summary names a hint is not the question's answer, and a
fold written on one line keeps its summary apart from its body (never "AnswerPort 80")."""

from __future__ import annotations

from booktutor.extractive.practice_keys import ANSWER_HIDDEN
from booktutor.markdown.mdx import clean_markdown
from booktutor.tools.answer_keys import keyless
from booktutor.tutoring.quiz_pages import page_questions

CHECK = """# Check your understanding

1. Which part of a bicycle chain meshes with the sprocket teeth?

<details>
<summary>Hint</summary>

Look between the plates.

</details>

2. Which way does a left pedal thread tighten?

<details><summary>Need a clue?</summary>Think of the pedal's own spin.</details>

<details><summary>Answer</summary>Anticlockwise, the reverse of a normal thread.</details>

3. What keeps a quick-release wheel in the dropouts?

<details><summary>Answer</summary>The cam lever's clamping force.</details>
"""


def test_a_hint_fold_is_not_the_answer_and_an_answer_fold_after_it_is():
    answers = {q.number: q.answer for q in page_questions(CHECK, "Check your understanding")}
    assert answers == {2: "Anticlockwise, the reverse of a normal thread.", 3: "The cam lever's clamping force."}


def test_a_one_line_fold_keeps_its_summary_apart_from_its_body():
    text = clean_markdown(CHECK)
    assert "AnswerThe" not in text and "clue?Think" not in text
    assert "Answer\n\nThe cam lever's clamping force." in text


def test_a_one_line_answer_fold_is_hidden_from_the_tools():
    shown = keyless(clean_markdown(CHECK), ("Check your understanding",))
    assert "clamping force" not in shown and "Anticlockwise" not in shown, shown
    assert ANSWER_HIDDEN in shown and "Think of the pedal's own spin." in shown
