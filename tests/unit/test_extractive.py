"""compose_answer on small hand-written robotics chunks."""

from __future__ import annotations

import re
import socket
from collections.abc import Sequence
from typing import Any

import pytest
from tests.unit.extractive_support import answer

from booktutor.extractive import (
    MAX_WORDS,
    NOT_COVERED,
    AbstentionPolicy,
    features,
    should_abstain,
)
from booktutor.extractive.text import split_markdown, split_sentences

IMU_TEXT = """## IMUs

Most robots fuse IMU data with wheel odometry, e.g. in an extended Kalman filter.
An inertial measurement unit (IMU) is a sensor that measures linear acceleration and angular rate.
IMU readings drift over time, so they are corrected with other sensors.

- Accelerometers measure specific force along three axes
- Gyroscopes measure angular velocity around three axes

```python
imu = robot.read_imu()
print(imu.angular_rate)
```
"""
PID_TEXT = """## PID control

A PID controller computes a motor command from the error between the target and the measurement.
The integral term removes steady-state error, while the derivative term damps oscillation.
Tuning the gains trades response speed against overshoot.
"""
LIDAR_TEXT = """## Lidar

A lidar measures distance by timing reflected laser pulses.
Lidar scans are used to build occupancy grid maps of the environment.
"""
URDU_TEXT = """## آئی ایم یو

آئی ایم یو ایک سینسر ہے جو روبوٹ کی رفتار اور زاویائی شرح کی پیمائش کرتا ہے۔ \
زیادہ تر روبوٹ اس کے ڈیٹا کو پہیوں کی اوڈومیٹری کے ساتھ ملاتے ہیں۔
"""
SELECTION_TEXT = (
    "The derivative term reacts to how fast the error changes. It damps oscillation when the gains are high."
)


def hit(n: int, text: str, heading: str, **extra: Any) -> dict[str, Any]:
    slug = heading.lower().replace(" ", "-")
    return {
        "n": n,
        "source": "book",
        "doc_path": f"foundations/{slug}.md",
        "chapter_title": "Foundations",
        "heading": heading,
        "anchor_url": f"/docs/foundations/{slug}#{slug}",
        "text": text,
        "score": 0.03 / n,
        "dense_score": 0.6 / n,
        "lexical_rank": n,
        "language": "en",
        **extra,
    }


BOOK = [hit(1, IMU_TEXT, "IMUs"), hit(2, PID_TEXT, "PID control"), hit(3, LIDAR_TEXT, "Lidar")]


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise RuntimeError("network access is blocked in unit tests")

    monkeypatch.setattr(socket.socket, "connect", refuse)


def markers(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"\[(\d+)\]", text)]


def test_markdown_split_drops_headings_and_keeps_bullets_and_code() -> None:
    segments = split_markdown(IMU_TEXT)
    sentences = [s.text for s in segments if s.kind == "sentence"]
    assert not any(s.startswith("#") for s in sentences)
    # a list item is read with the heading it sits under: alone it may not say what it is about
    assert "IMUs: Gyroscopes measure angular velocity around three axes" in sentences
    assert "Most robots fuse IMU data with wheel odometry, e.g. in an extended Kalman filter." in sentences
    assert [s.code_language for s in segments if s.kind == "code"] == ["python"]


def test_urdu_full_stop_ends_a_sentence() -> None:
    assert len(split_sentences(URDU_TEXT.splitlines()[2])) == 2


async def test_definitional_question_leads_with_the_definition(embedder: Any) -> None:
    result = await answer("What is an IMU?", BOOK, embedder)
    assert not result.abstained
    assert result.text.startswith("An inertial measurement unit (IMU) is a sensor")
    assert result.cited[0] == 1


async def test_markers_match_cited_results(embedder: Any) -> None:
    result = await answer("How does the integral term of a PID controller affect error?", BOOK, embedder)
    assert not result.abstained
    assert set(markers(result.text)) == set(result.cited)
    assert 2 in result.cited
    assert "integral term removes steady-state error" in result.text
    sentence_count = len(markers(result.text))
    assert 2 <= sentence_count <= 4


async def test_unrelated_question_abstains_with_nearest_sections(embedder: Any) -> None:
    unrelated = [{**r, "dense_score": 0.08, "lexical_rank": None} for r in BOOK]
    result = await answer("What is the best recipe for sourdough bread?", unrelated, embedder)
    assert result.abstained
    assert result.cited == [] and markers(result.text) == []
    assert result.text.startswith(NOT_COVERED)
    assert "Nearest sections:" in result.text
    assert "- [Foundations › IMUs](/docs/foundations/imus#imus)" in result.text
    assert result.text.count("\n- [") == 3


async def test_features_expose_the_abstention_signals() -> None:
    related = await features("What is an IMU?", BOOK)
    unrelated = await features("What is the best recipe for sourdough bread?", BOOK)
    assert related["coverage"] == 1.0 and related["best_dense"] == pytest.approx(0.6)
    assert unrelated["coverage"] == 0.0
    assert not should_abstain(related, AbstentionPolicy())
    assert should_abstain(unrelated, AbstentionPolicy())
    assert should_abstain(related, AbstentionPolicy(min_evidence=0.99))


async def test_selection_mode_answers_from_the_selection_first(embedder: Any) -> None:
    selection = {
        **hit(1, SELECTION_TEXT, "PID control"),
        "source": "selection",
        "dense_score": None,
    }
    results = [selection, *[{**r, "n": r["n"] + 1} for r in BOOK]]
    result = await answer("Explain this", results, embedder)
    assert not result.abstained
    assert result.cited[0] == 1
    assert result.text.startswith("The derivative term reacts")


async def test_urdu_question_on_urdu_text(embedder: Any) -> None:
    urdu = [hit(1, URDU_TEXT, "IMU", language="ur")]
    result = await answer("آئی ایم یو کیا ہے؟", urdu, embedder)
    assert not result.abstained
    assert result.language == "ur"
    assert "آئی ایم یو ایک سینسر ہے" in result.text
    assert result.cited == [1]
    assert "Note" not in result.text


class ConceptEmbedder:
    """Maps Urdu and English words for the same idea onto one axis (a cross-lingual stand-in)."""

    model_name = "concepts"
    concepts = [("imu", "آئی", "inertial"), ("sensor", "سینسر"), ("pid", "controller")]
    dimension = len(concepts) + 1

    def _vector(self, text: str) -> list[float]:
        lowered = text.lower()
        vector = [float(sum(lowered.count(w) for w in words)) for words in self.concepts] + [0.2]
        norm = sum(v * v for v in vector) ** 0.5
        return [v / norm for v in vector]

    async def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]

    async def embed_query(self, text: str) -> list[float]:
        return self._vector(text)


async def test_urdu_question_on_english_text_adds_a_quote_note() -> None:
    result = await answer("آئی ایم یو کیا ہے؟", BOOK, ConceptEmbedder())
    assert not result.abstained
    assert result.language == "en"
    assert "IMU" in result.text and result.cited == [1]
    assert "The answer quotes the book's English text." in result.text


async def test_urdu_question_on_an_urdu_page_that_keeps_english_terms_gets_no_quote_note() -> None:
    page = {
        **BOOK[0],
        "n": 1,
        "language": "ur",
        "text": "Speech recognition: Whisper audio کو text میں transcribe کرتا ہے۔",
        "heading": "Whisper",
    }
    result = await answer("روبوٹ کو آواز سے حکم دینے میں Whisper کا کیا کردار ہے؟", [page], ConceptEmbedder())
    assert not result.abstained, result.text
    assert "Whisper audio" in result.text
    assert "Note:" not in result.text and "نوٹ" not in result.text, "the answer is in the learner's language"


async def test_answers_stay_short(embedder: Any) -> None:
    long_text = " ".join(
        f"The IMU sample number {i} is fused with odometry to estimate the robot pose accurately." for i in range(40)
    )
    result = await answer("How is the IMU fused with odometry?", [hit(1, long_text, "IMUs")], embedder)
    prose = result.text.split("\n\n")[0]
    assert len(re.sub(r"\[\d+\]", "", prose).split()) <= MAX_WORDS


async def test_code_block_is_quoted_when_asked_for_code() -> None:
    result = await answer("Show me example code to read the IMU", BOOK)
    assert "```python\nimu = robot.read_imu()" in result.text


async def test_no_results_abstains_without_links() -> None:
    result = await answer("What is an IMU?", [])
    assert result.abstained and result.text == NOT_COVERED


async def test_a_weaker_sentence_from_another_document_adds_no_citation() -> None:
    gears = (
        "## Gears\n\nGear ratios trade motor speed for torque at the wheel.\n"
        "A controller cannot fix a gearbox with too much backlash, which causes oscillation around the target.\n"
    )
    results = [hit(1, PID_TEXT, "PID control"), hit(2, gears, "Gears")]
    question = "How does a PID controller reduce oscillation around the target?"
    result = await answer(question, results)
    assert result.text.startswith("A controller cannot fix a gearbox") and result.cited == [2]
    assert "PID controller computes" not in result.text  # relevant, but far weaker than the lead


async def test_a_count_question_needs_a_count_of_that_thing() -> None:
    counted = await answer("How many axes does an accelerometer measure along?", BOOK)
    assert not counted.abstained and "three axes" in counted.text
    uncounted = await answer("How many calibration cycles does an IMU survive before it drifts?", BOOK)
    assert uncounted.abstained and uncounted.signals["answer_type_missing"]


def test_code_spans_keep_their_angle_brackets_and_underscores() -> None:
    text = "Submit `greenhouse-<your-name>.zip` and `__init__.py` by <b>Friday</b>, **on time**."
    [sentence] = split_markdown(text)
    assert sentence.text == "Submit `greenhouse-<your-name>.zip` and `__init__.py` by Friday, on time."
