"""What a kinds question asks the kinds of, which headings announce them, where a section's own text lists them,
and how the answer lists them (extractive.kinds)."""

from __future__ import annotations

import pytest

from booktutor.extractive.kinds import first_sentence, kinds_answer, kinds_subject, names_kinds_of, quoted_kinds


@pytest.mark.parametrize(
    ("question", "subject"),
    [
        ("What kinds of sensors does a humanoid robot use?", "sensors"),
        ("What are the main types of actuators?", "actuators"),
        ("What types of wheel drives are there?", "drives"),
        ("What are the main gripper types?", "gripper"),
        ("Which motors do warehouse rovers use?", "motors"),
        ("which sensors is this talking about? what are the main types", "sensors"),
        ("What is a sensor?", ""),
        ("Which command starts the simulation?", ""),
        ("Which topics does the camera node publish?", ""),
        ("How does a stepper motor work?", ""),
    ],
)
def test_the_subject_of_a_kinds_question(question, subject):
    assert kinds_subject(question) == subject


@pytest.mark.parametrize(
    ("heading", "announces"),
    [
        ("Types of Sensors", True),
        ("Sensor Types in Mobile Robots", True),
        ("Types of Simulated Sensors", True),
        ("Kinds of sensor", True),
        ("Types of Sensor Noise", False),
        ("Sensor Fusion", False),
        ("Common Message Types", False),
    ],
)
def test_a_heading_announces_kinds_of_its_head_noun_only(heading, announces):
    assert names_kinds_of(heading, "sensors") is announces


GRIPPERS = """Grippers come in several designs.

Grippers fall into three families:

- **Parallel jaws** close two fingers along a rail.
- **Suction cups** hold flat boxes by vacuum.
- **Soft fingers** wrap around fragile fruit.

```python
# Types of grippers
grip = open_jaws()
```

| Gripper | Payload | Best for |
|---|---|---|
| Parallel jaw | 5 kg | Boxes |
| Suction cup | 2 kg | Flat cartons |
"""


def test_a_lead_in_announcing_kinds_is_quoted_with_its_items_as_written():
    lead, items = quoted_kinds(GRIPPERS, "End effectors", "grippers", "introduced")
    assert lead == "Grippers fall into three families: [{n}]"
    assert items == [
        "Parallel jaws close two fingers along a rail.",
        "Suction cups hold flat boxes by vacuum.",
        "Soft fingers wrap around fragile fruit.",
    ]


def test_a_lead_in_about_another_thing_announces_nothing():
    assert quoted_kinds(GRIPPERS, "End effectors", "motors", "introduced") is None


def test_a_table_lists_kinds_when_its_first_column_names_them():
    lead, rows = quoted_kinds(GRIPPERS, "End effectors", "grippers", "tabled")
    assert lead == "The table in **End effectors** [{n}] compares these kinds of grippers:"
    assert rows == [
        "Parallel jaw — Payload: 5 kg; Best for: Boxes.",
        "Suction cup — Payload: 2 kg; Best for: Flat cartons.",
    ]


def test_a_section_headed_with_the_kinds_lists_them_in_its_first_list():
    text = "- Revolute: turns about an axis\n- Prismatic: slides along an axis"
    lead, items = quoted_kinds(text, "Joint Types", "joints", "headed")
    assert lead == "**Joint Types** [{n}]:" and items == [
        "Revolute: turns about an axis",
        "Prismatic: slides along an axis",
    ]
    assert quoted_kinds(text, "Joint Limits", "joints", "headed") is None


def test_a_kinds_first_sentence_is_its_own_short_prose():
    assert first_sentence("### Wheel Sensors\n\nWheel sensors count turns.\n\nMore.") == "Wheel sensors count turns."
    assert first_sentence("### Proprioceptive\n\nSensors of the body:\n\n| A | B |\n|---|---|\n| x | y |") == (
        "Sensors of the body."
    )
    assert first_sentence("### Optical\n\n```mermaid\ngraph LR\n```\n\n#### Line Cameras\n\nThey read rows.") == ""
    assert first_sentence("### Long\n\n" + "word " * 40 + "end.") == ""


def _source(n: int, heading: str, text: str, doc: str = "hw/sensing.md") -> dict:
    return {"n": n, "heading": heading, "text": text, "doc_path": doc, "anchor_url": f"/{doc}#{n}"}


LISTING = {
    "n": 81,
    "heading": "Types of Sensors",
    "items": [{"n": 82, "sub": ["Line Cameras", "Stereo Pairs"]}, {"n": 83, "sub": []}],
    "sources": [
        _source(81, "Types of Sensors", "## Types of Sensors\n"),
        _source(82, "Optical Sensors", "### Optical Sensors\n\n```mermaid\ngraph LR\n```"),
        _source(83, "Wheel Sensors", "### Wheel Sensors\n\nWheel sensors count turns."),
    ],
}


def test_the_kinds_of_a_types_heading_are_listed_each_cited():
    text = kinds_answer("What kinds of sensors are there?", LISTING)
    assert text == (
        "The book describes 2 kinds of sensors under **Types of Sensors** [81]:\n"
        "- **Optical Sensors** [82] (Line Cameras, Stereo Pairs)\n"
        "- **Wheel Sensors** [83]: Wheel sensors count turns."
    )


def test_a_kind_the_search_found_is_cited_by_the_search_results_number():
    results = [{"n": 2, "doc_path": "hw/sensing.md", "heading": "Wheel Sensors"}]
    text = kinds_answer("What kinds of sensors are there?", LISTING, results)
    assert text is not None and "- **Wheel Sensors** [2]:" in text and "[83]" not in text


def test_no_kinds_answer_without_a_kinds_question_or_two_kinds():
    assert kinds_answer("What is a wheel sensor?", LISTING) is None
    one = {**LISTING, "items": LISTING["items"][:1]}
    assert kinds_answer("What kinds of sensors are there?", one) is None
    assert kinds_answer("What kinds of sensors are there?", None) is None
