"""Learners ask for examples ("Show me an example of a config file", "Can you give an example?"): the book's
own listing of the thing when it has one, else the sentences that give examples; a request worded as a
question ("Can you ...?") is no yes/no question."""

from __future__ import annotations

from typing import Any

from tests.unit.extractive_support import answer, hit

from booktutor.extractive.intent import question_intent

STRUCTURE = """A board file tells the firmware which pins drive which parts of the rover.

```yaml
board: rover-mini
motors:
  left: {pwm: 5, dir: 6}
  right: {pwm: 9, dir: 10}
bumper: 3
```
"""
VALIDATE = """Before you flash the firmware, validate the board file with the checker.

```bash
board-check rover.yaml
```

The checker reports pins that are used twice and pins the board does not have.
"""
FEEDBACK = """Feedback control measures what a system does and corrects its input from that measurement.
A feedback controller compares the measured output with the set point and acts on the difference.
The difference between the set point and the measurement is called the error.
For example, a thermostat switches the heater on when the room reads colder than the set point.
Controllers without feedback cannot correct for disturbances they do not foresee.
"""


def test_a_request_worded_as_a_question_is_not_a_yes_no_question() -> None:
    assert question_intent("Can you show me an example?").kind == "example"
    assert question_intent("Could you explain how a board file works?").kind != "yesno"
    assert question_intent("Can I validate a board file twice?").kind == "yesno"
    assert question_intent("What are some examples of sensors?").kind == "list"


async def test_an_example_of_a_file_is_the_books_listing_of_one(embedder: Any) -> None:
    results = [
        hit(1, VALIDATE, "Validating the board file", doc="book/validate.md"),
        hit(2, STRUCTURE, "Board file structure", doc="book/board.md"),
    ]
    composed = await answer("Show me an example of a board file", results, embedder)
    assert "```yaml" in composed.text and "left: {pwm: 5, dir: 6}" in composed.text
    assert "board-check rover.yaml" not in composed.text  # a one-line command is no example of the file


async def test_an_example_of_an_idea_without_code_quotes_the_sentence_that_gives_one(embedder: Any) -> None:
    composed = await answer("Can you give me an example of feedback control?", [hit(1, FEEDBACK, "Feedback")], embedder)
    assert "a thermostat switches the heater on" in composed.text
    assert not composed.text.startswith(("Yes", "No"))
