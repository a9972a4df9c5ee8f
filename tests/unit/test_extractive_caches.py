"""The answerer's text functions remember their results: a caller changing what it got back must not
change what the next answer reads."""

from booktutor.extractive.roles import is_generic, is_prompt
from booktutor.extractive.text import content_terms, split_markdown

CHUNK = "## Sensors\n\nA gyroscope measures angular velocity. It drifts over time.\n\n- Short item about sensors\n"


def test_split_markdown_hands_out_a_fresh_list_each_time() -> None:
    first = split_markdown(CHUNK)
    expected = list(first)
    first.clear()
    assert split_markdown(CHUNK) == expected
    assert [s.text for s in expected][:2] == ["A gyroscope measures angular velocity.", "It drifts over time."]


def test_remembered_answers_equal_fresh_ones() -> None:
    sentence = "Gyroscopes drift because sensing errors accumulate."
    assert (
        content_terms(sentence)
        == content_terms(sentence)
        == frozenset({"gyroscop", "drift", "sens", "error", "accumulat"})
    )
    assert is_prompt("What is a gyroscope?") and is_prompt("What is a gyroscope?", allow_steps=True)
    assert not is_prompt("Create a node that publishes.", allow_steps=True)
    assert is_prompt("Create a node that publishes.")
    assert is_generic("In this chapter we look at sensors.") is True


def test_question_word_weights_are_keyed_by_the_answerers_own_stems() -> None:
    from booktutor.extractive.scoring import term_weights

    evidence = {
        "chunks": 100,
        "terms": [
            {"word": "Actuators", "term": "actuat", "df": 2, "in_top": True},  # the search's lexeme differs
            {"word": "robot", "term": "robot", "df": 90, "in_top": True},
        ],
    }
    weights = term_weights(evidence)
    (actuator,) = content_terms("actuators")
    (robot,) = content_terms("robot")
    assert set(weights) == {actuator, robot}
    assert weights[actuator] > weights[robot]
