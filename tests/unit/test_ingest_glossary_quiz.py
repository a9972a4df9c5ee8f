"""Key-term extraction and authored ```quiz blocks."""

from __future__ import annotations

from booktutor.ingest.quiz_blocks import extract_quiz_blocks, parse_quiz_blocks
from booktutor.markdown.glossary import extract_key_terms

CHAPTER = """# Sensors

Intro.

## Key Terms

- **IMU**: An inertial measurement unit.
- **Drift:** Slow error growth
  over time.
- Not a term line.

```text
- **Fake**: inside a code block.
```

## Next section

- **Outside**: not in a glossary section.
"""


def test_key_terms_section_bullets() -> None:
    assert extract_key_terms(CHAPTER) == {
        "IMU": "An inertial measurement unit.",
        "Drift": "Slow error growth over time.",
    }


def test_glossary_page_with_bullets_and_term_headings() -> None:
    page = (
        "# Glossary\n\nTerms used in this book.\n\n## A\n\n### Actuator\n"
        "A device that produces motion.\n\n**Related**: motors\n\n"
        "- **Encoder**: Measures rotation.\n"
    )
    assert extract_key_terms(page) == {
        "Actuator": "A device that produces motion.",
        "Encoder": "Measures rotation.",
    }


def test_whole_page_flag_and_no_glossary() -> None:
    assert extract_key_terms("# مضمون\n\n- **روبوٹ**: مشین۔\n", whole_page=True) == {"روبوٹ": "مشین۔"}
    assert extract_key_terms("# Intro\n\n- **Term**: text\n") == {}


def test_urdu_key_terms_section() -> None:
    page = "# حفاظت\n\n## کلیدی اصطلاحات\n\n- **ہنگامی اسٹاپ**: فوری رکنا۔\n"
    assert extract_key_terms(page) == {"ہنگامی اسٹاپ": "فوری رکنا۔"}


QUIZ_DOC = """# Sensors

## IMUs {#imu}

Text.

```quiz
- id: sensors-imu-drift
  type: mcq
  question: Why does integrating gyroscope readings drift?
  choices: ["noise", "bias accumulates", "gravity", "magnets"]
  answer: 1
  explanation: Small biases add up.
- id: sensors-proprio
  type: short
  question: What is proprioception?
  answer: Sensing the body's own state.
  key_terms: [joint angles, encoders]
```

## Broken

```quiz
- id: bad
  question: [unclosed
```

```quiz
- id: out-of-range
  type: mcq
  question: Q?
  choices: [a, b]
  answer: 5
- id: sensors-proprio
  type: short
  question: Duplicate id?
  answer: x
- id: ok-by-text
  type: mcq
  question: Which letter?
  choices: [a, b]
  answer: b
```
"""


def test_quiz_questions_carry_their_section() -> None:
    questions = extract_quiz_blocks(QUIZ_DOC, title="Sensors")
    mcq, short, by_text = questions
    assert mcq.id == "sensors-imu-drift" and mcq.type == "mcq"
    assert mcq.choices[mcq.answer] == "bias accumulates"
    assert mcq.explanation == "Small biases add up."
    assert mcq.heading_path == ("Sensors", "IMUs") and mcq.anchor == "imu"
    assert short.answer == "Sensing the body's own state."
    assert short.key_terms == ("joint angles", "encoders")
    assert by_text.answer == 1 and by_text.anchor == "broken"


def test_invalid_quiz_blocks_become_problems_not_crashes() -> None:
    problems = parse_quiz_blocks(QUIZ_DOC, title="Sensors").problems
    messages = [p.message for p in problems]
    assert len(problems) == 3
    assert "not valid YAML" in messages[0] and problems[0].anchor == "broken"
    assert "outside choices" in messages[1]
    assert "duplicate question id" in messages[2]
    assert problems[0].line == QUIZ_DOC.split("\n").index("- id: bad")  # 1-based fence line
