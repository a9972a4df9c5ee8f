"""Answers from how real course books are written: tables, admonitions, headed fragments, code comments,
chapter openings and case-study lead-ins (MDX books above all)."""

from __future__ import annotations

import re
from typing import Any

from tests.unit.extractive_support import answer

from booktutor.extractive.excerpts import code_excerpts
from booktutor.extractive.roles import is_front_matter, is_generic, is_prompt
from booktutor.extractive.text import split_markdown

SENSORS = """### Force/torque sensor locations

| Location | Purpose | Typical Range |
|----------|---------|---------------|
| **Wrist** | Manipulation force control | ±100N, ±10Nm |
| **Ankle** | Ground reaction forces | ±1000N, ±100Nm |
"""
ROS = """### ROS 1 vs ROS 2

**Tip: Migration Note**
If you're coming from ROS 1, the biggest change is the removal of the master node.
"""
FILTERS = """### Kalman Filter
Optimal estimation for linear systems with Gaussian noise.

### Extended Kalman Filter (EKF)
Handles nonlinear systems through linearization.

### Hydraulic Systems
Used in heavy-duty applications:
- High force output
- **Maintenance** - complex and messy
"""
QOS = """## Quality of service

Every topic has a quality-of-service profile.

```python
from rclpy.qos import QoSProfile, ReliabilityPolicy

# For sensor data: best effort, keep only the latest sample
sensor_qos = QoSProfile(reliability=ReliabilityPolicy.BEST_EFFORT, depth=1)

# For commands: reliable delivery, never drop one
command_qos = QoSProfile(reliability=ReliabilityPolicy.RELIABLE, depth=10)
```
"""
TROUBLESHOOTING = """## Troubleshooting

Work through the checks below in order when the arm misbehaves.

```mermaid
flowchart TD
    S{Arm drifts?} -->|Yes| R[Recalibrate the encoders]
    S -->|No| T{Motor too hot?}
    T -->|Yes| D["Lower the duty cycle"]
    style S fill:#fee
```
"""
DEPTH = """## Depth cameras outdoors

A depth camera measures the distance to every pixel, and sunlight decides which kind works outdoors.

| Type | Pros | Cons |
|------|------|------|
| **Structured light** | Accurate indoors | Fails in sunlight outdoors |
| **Time of flight** | Works outdoors in sunlight | Lower resolution |
| **Stereo** | Passive, works outdoors anywhere | Needs texture |
"""
GAZEBO_INTRO = """# Gazebo simulation

> **Estimated Time:** 75 minutes | **Difficulty:** Intermediate

Gazebo is a powerful physics simulation environment for testing robots.
Welcome to the world of robot simulation!
In this case study, you'll build a robot that never flies away.
"""
GAZEBO_INERTIA = """## Troubleshooting physics

A robot that flies away when the simulation starts almost always has wrong inertia values.
Incorrect inertia values make the physics solver unstable, so compute them from the link's mass and shape.
"""


def hit(n: int, text: str, heading: str, anchor: str = "#section", doc: str = "book/page.mdx") -> dict[str, Any]:
    return {
        "n": n,
        "source": "book",
        "doc_path": doc,
        "chapter_title": "Book",
        "heading": heading,
        "anchor_url": f"/docs/{doc.removesuffix('.mdx')}{anchor}",
        "text": text,
        "score": 0.03 / n,
        "dense_score": 0.6,
        "lexical_rank": n,
        "language": "en",
        "purpose": "exposition",
    }


def body(text: str) -> str:
    return re.sub(r"\s*\[\d+\]", "", text)


def sentences(text: str) -> list[str]:
    return [s.text for s in split_markdown(text) if s.kind == "sentence"]


def test_a_table_row_is_one_sentence_that_names_its_columns() -> None:
    assert "Ankle — Purpose: Ground reaction forces; Typical Range: ±1000N, ±100Nm." in sentences(SENSORS)


def test_inline_code_keeps_its_tags_and_underscores_while_markup_around_it_goes() -> None:
    table = "| Feature | URDF | SDF |\n|---|---|---|\n| **Plugins** | Via `<gazebo>` tags | Native |\n"
    assert sentences(table) == ["Plugins — URDF: Via `<gazebo>` tags; SDF: Native."]
    prose = "Put a **package marker** named `__init__.py` in the folder and call `spin(*args)`.<br/>\n"
    assert sentences(prose) == ["Put a package marker named `__init__.py` in the folder and call `spin(*args)`."]


def test_an_admonition_title_is_not_glued_to_its_first_sentence() -> None:
    assert sentences(ROS) == ["If you're coming from ROS 1, the biggest change is the removal of the master node."]


def test_a_fragment_is_read_with_its_heading_and_an_item_with_its_own_label_is_not() -> None:
    found = sentences(FILTERS)
    assert "Extended Kalman Filter (EKF): Handles nonlinear systems through linearization." in found
    assert "Hydraulic Systems: High force output" in found
    assert "Maintenance - complex and messy" in found


def test_a_list_item_keeps_its_statements_and_leaves_out_its_question() -> None:
    item = '- Proprioceptive sensors measure the robot\'s own body. They answer "how am I moving?"\n'
    assert sentences(item) == ["Proprioceptive sensors measure the robot's own body."]


async def test_an_answer_quotes_the_table_row_that_holds_it(embedder: Any) -> None:
    question = "What force range does an ankle force/torque sensor handle?"
    composed = await answer(question, [hit(1, SENSORS, "F/T")], embedder)
    assert "±1000N" in composed.text


async def test_a_quoted_table_row_brings_the_rows_it_is_compared_with(embedder: Any) -> None:
    """Rows of one table are the options it compares: beside the row that works outdoors, the row that
    matches the question nearly as well (the one that fails in sunlight) is quoted too."""
    composed = await answer("Which depth camera types work outdoors in sunlight?", [hit(1, DEPTH, "Depth")], embedder)
    assert "Time of flight — Pros: Works outdoors in sunlight" in composed.text
    assert "Structured light — Pros: Accurate indoors; Cons: Fails in sunlight outdoors." in composed.text


def test_code_is_cut_into_excerpts_at_blank_lines_and_comments() -> None:
    code = QOS.split("```python\n")[1].split("```")[0]
    excerpts = code_excerpts(code, "python")
    assert excerpts[0].startswith("# For sensor data: best effort")
    assert all("import" not in e for e in excerpts)
    assert code_excerpts("sequenceDiagram\n  Alice->>Bob: ping\n  Bob-->>Alice: pong", "mermaid") == []
    assert code_excerpts("A --> B\nB --> C", "text") == []


async def test_where_the_book_says_it_in_code_the_answer_shows_the_lines(embedder: Any) -> None:
    question = "Which QoS reliability setting should sensor data use?"
    composed = await answer(question, [hit(1, QOS, "Quality of service")], embedder)
    assert "BEST_EFFORT" in composed.text and "```python" in composed.text


def test_a_flowchart_is_read_as_its_edges_with_the_nodes_labels() -> None:
    source = TROUBLESHOOTING.split("```mermaid\n")[1].split("```")[0]
    assert code_excerpts(source, "mermaid") == [
        "Arm drifts? → Yes: Recalibrate the encoders\n"
        "Arm drifts? → No: Motor too hot?\n"
        "Motor too hot? → Yes: Lower the duty cycle"
    ]


async def test_a_fact_the_book_states_only_in_a_flowchart_is_answered_with_its_lines(embedder: Any) -> None:
    """The section's one prose line introduces the diagram; what the learner asks is in its edges, and
    the answer shows them as text (not Mermaid source)."""
    composed = await answer(
        "What should I do when the arm motor gets too hot?", [hit(1, TROUBLESHOOTING, "Troubleshooting")], embedder
    )
    assert "Motor too hot? → Yes: Lower the duty cycle" in composed.text
    assert "```text" in composed.text and "```mermaid" not in composed.text


async def test_a_flowchart_backs_up_the_prose_that_answers_and_never_replaces_it(embedder: Any) -> None:
    """Its terse labels are no answer on their own: another page's sentences that say it stay, and a
    learner who asks for code gets code, not the flowchart."""
    flow_only = TROUBLESHOOTING.replace("Work through the checks below in order when the arm misbehaves.", "Checks:")
    fixes = "## Thermal limits\n\nA servo that overheats needs a lower duty cycle, so that it cools between moves.\n"
    results = [hit(1, flow_only, "Troubleshooting", doc="book/debug.md"), hit(2, fixes, "Thermal limits")]
    composed = await answer("My arm motor is too hot. What should I do?", results, embedder)
    assert composed.text.startswith("A servo that overheats needs a lower duty cycle")
    assert "Motor too hot? → Yes: Lower the duty cycle" in composed.text
    code = "## Duty cycle\n\n```python\n# lower the duty cycle when the motor is too hot\nduty = 0.5 * duty\n```\n"
    results = [hit(1, TROUBLESHOOTING, "Troubleshooting", doc="book/debug.md"), hit(2, code, "Duty cycle")]
    composed = await answer("Show me the code that lowers the duty cycle when the motor is too hot", results, embedder)
    assert "duty = 0.5 * duty" in composed.text and "→" not in composed.text


def test_page_furniture_and_lead_ins_are_recognised() -> None:
    assert is_front_matter("Estimated Time: 75 minutes | Difficulty: Intermediate")
    assert is_prompt("In this case study, you'll build a robot that never flies away.")
    assert is_generic("Understanding callbacks is crucial for building responsive applications.")
    assert is_generic("Welcome to the world of robot simulation!")
    assert not is_generic("Incorrect inertia values make the physics solver unstable.")


async def test_a_chapter_opening_does_not_answer_what_a_section_explains(embedder: Any) -> None:
    results = [
        hit(1, GAZEBO_INTRO, "Gazebo simulation", anchor="", doc="sim/gazebo.mdx"),
        hit(2, GAZEBO_INERTIA, "Troubleshooting physics", doc="sim/gazebo.mdx"),
    ]
    composed = await answer("Why does my robot fly away when the Gazebo simulation starts?", results, embedder)
    text = body(composed.text)
    assert text.startswith("A robot that flies away") or text.startswith("Incorrect inertia values")
    for pasted in ("Estimated Time", "Welcome to", "In this case study", "is a powerful"):
        assert pasted not in text


GLOSSARY = """# Glossary

## Footstep Plan

**Definition**: An ordered list of foot placements a walking robot commits to before it moves.

**Context**: Footstep plans are checked against the support region before each step.

## Summary

**Definition**: not a term of its own.
"""


async def test_a_glossary_definition_is_quoted_with_the_term_it_defines(embedder: Any) -> None:
    said = sentences(GLOSSARY)
    assert "Footstep Plan: An ordered list of foot placements a walking robot commits to before it moves." in said
    assert "Context: Footstep plans are checked against the support region before each step." in said
    assert "Definition: not a term of its own." in said  # a chapter heading names no term
    hit = {"n": 1, "source": "book", "doc_path": "glossary.md", "heading": "Footstep Plan", "text": GLOSSARY}
    composed = await answer("What is a footstep plan?", [{**hit, "score": 0.03, "dense_score": 0.6}], embedder)
    assert composed.text.startswith("Footstep Plan: An ordered list of foot placements")
