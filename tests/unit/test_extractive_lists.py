"""List questions get the list, comparisons of three things get all three, and no answer quotes half a line."""

from __future__ import annotations

from typing import Any

import numpy as np
from tests.unit.extractive_support import answer, hit

from booktutor.extractive.analysis import Analysis
from booktutor.extractive.intent import question_intent
from booktutor.extractive.scoring import Candidate
from booktutor.extractive.shaping import shaped_scores
from booktutor.extractive.text import content_terms

GAIT = """## The gait controller

A walking robot's gait controller keeps it upright while it steps.

## Summary

The gait controller is built from three layers:

- **Footstep planner**: chooses where each foot lands on the terrain ahead
- **Balance layer**: shifts the torso so the centre of mass stays over the feet
- **Joint servo**: turns the planned motion into motor torques at every joint

These three layers of the gait controller run at different rates, the servo fastest.
"""
SIMULATOR = """## What a simulator is

A robot simulator is a virtual world that imitates physical reality closely enough for testing.

## Summary

Robot simulators consist of three core parts: a physics engine, sensor models, and world geometry.
"""
CHANNELS = """## Topics, services and actions

A topic streams messages from publishers to any number of subscribers.
A service answers one request with one response while the caller waits.
An action runs a long task, sends feedback while it runs and can be cancelled.

### Decision factors

1. **Is the data a continuous stream?** → Use Topic
2. **Do you need progress while it runs?** → Use Action
"""
DIALOG = """## Dialog manager

The dialog manager decides when to speak vs. act and keeps the conversation state.
"""
GROUPS = """## Callback groups

A reentrant callback group lets its callbacks run in parallel on several threads.
A mutually exclusive callback group runs its callbacks one at a time.
"""


async def test_a_list_question_gets_every_item_of_the_list(embedder: Any) -> None:
    composed = await answer("What are the three layers of the gait controller?", [hit(1, GAIT, "Gait")], embedder)
    assert not composed.abstained
    positions = [composed.text.find(part) for part in ("Footstep planner", "Balance layer", "Joint servo")]
    assert all(p >= 0 for p in positions) and positions == sorted(positions)  # the book's order


async def test_a_sentence_naming_the_members_answers_a_list_question(embedder: Any) -> None:
    composed = await answer(
        "What are the main building blocks of a robot simulator?", [hit(1, SIMULATOR, "Simulators")], embedder
    )
    assert "three core parts: a physics engine, sensor models, and world geometry" in composed.text


async def test_a_comparison_of_three_things_covers_all_three(embedder: Any) -> None:
    composed = await answer(
        "topics vs services vs actions - when should I use which one?", [hit(1, CHANNELS, "Channels")], embedder
    )
    for sentence in ("A topic streams messages", "A service answers one request", "An action runs a long task"):
        assert sentence in composed.text


async def test_the_answer_half_of_a_question_item_is_never_quoted(embedder: Any) -> None:
    composed = await answer("When should I use a topic or an action?", [hit(1, CHANNELS, "Channels")], embedder)
    assert "→" not in composed.text and "Use Topic" not in composed.text


async def test_vs_in_the_question_matches_no_sentence_by_itself(embedder: Any) -> None:
    results = [hit(1, DIALOG, "Dialog"), hit(2, GROUPS, "Callback groups")]
    composed = await answer("reentrant vs mutually exclusive callback groups?", results, embedder)
    assert "run in parallel" in composed.text and "one at a time" in composed.text
    assert "speak vs. act" not in composed.text


def test_a_contrast_word_earns_the_comparison_bonus_only_about_what_is_compared() -> None:
    question = "reentrant vs mutually exclusive callback groups - what's the practical difference?"
    texts = [
        "The dialog manager decides when to speak vs. act.",
        "A reentrant group runs callbacks in parallel, while an exclusive group runs one at a time.",
    ]
    candidates = [
        Candidate(text, "sentence", n=1, rank=1, position=i, source="book", language="en", terms=content_terms(text))
        for i, text in enumerate(texts)
    ]
    flat = np.zeros(len(texts), dtype=np.float32)
    analysis = Analysis(content_terms(question), candidates, flat, flat, None, {})
    off_topic, on_topic = shaped_scores(analysis, question_intent(question))
    assert off_topic == 0.0 and on_topic > 0.0


def test_compared_things_are_split_at_each_vs() -> None:
    assert question_intent("topics vs services vs actions - when should I use which one?").sides == (
        frozenset({"topic"}),
        frozenset({"servic"}),
        frozenset({"action"}),
    )
    assert question_intent("What are the three parts of the AI robot brain?").kind == "list"
    assert question_intent("What are the main building blocks of a simulator?").kind == "list"


def test_a_list_question_may_name_what_is_listed_and_open_with_a_filler() -> None:
    assert question_intent("ok so which planning approaches does the chapter suggest?").kind == "list"
    assert question_intent("So, what sensor types does a humanoid carry?").kind == "list"
    assert question_intent("How are encoders used, and what kinds of encoder are there?").kind != "list"


PLANNERS = """## Planning under a deadline

Global planners compute a complete path before the robot moves, and that takes time.
A planner that needs more time to compute than the robot has is of little use to it.

### Quick planners

- **Anytime search**: returns the best path found so far when the time to compute runs out
- **Reactive rules**: steer away from the nearest obstacle without a global plan
- **Cached roadmaps**: reuse paths computed offline for the same rooms
- **Coarse grids**: search a low-resolution map first and refine near the goal
"""


async def test_a_list_question_naming_what_is_listed_gets_the_list(embedder: Any) -> None:
    question = "ok so which planning approaches does the chapter suggest when there is little time to compute?"
    composed = await answer(question, [hit(1, PLANNERS, "Planning")], embedder)
    items = ("returns the best path found so far", "steer away from the nearest", "reuse paths", "low-resolution map")
    positions = [composed.text.find(item) for item in items]
    assert all(p >= 0 for p in positions) and positions == sorted(positions)  # the list, in the book's order


STANCE = """## Footstep checks

- **Stance region analysis**: why each step of walking matters for a stable walker
- **Terrain scan**: looking for flat ground before walking on it
"""
STANCE_GLOSSARY = """## Stance region

The stance region is the area under the feet; the centre of mass must stay inside the stance region for balance.
"""


async def test_a_glossary_line_that_says_more_than_a_weak_body_fragment_answers(embedder: Any) -> None:
    key_terms = {**hit(2, STANCE_GLOSSARY, "Stance region", "definition"), "doc_path": "book/footstep-checks.md"}
    results = [hit(1, STANCE, "Footstep checks"), key_terms]  # the page's own key-terms section
    composed = await answer("What is the stance region and why does it matter for walking?", results, embedder)
    assert "the centre of mass must stay inside the stance region for balance" in composed.text


DEPTH = """## Depth cameras

One colour image does not measure distance. Depth comes from two techniques:

- **Stereo pairs** compare the same feature seen by two lenses a fixed baseline apart. Range is the
  baseline times the focal length divided by the pixel shift between the two images, called the disparity.
  Because the shift shrinks for distant points, range error grows with distance squared.
- **Time-of-flight sensors** time the round trip of emitted light for every pixel.
"""


async def test_a_long_list_item_goes_on_explaining_its_first_sentence(embedder: Any) -> None:
    composed = await answer(
        "How do stereo pairs use the same feature seen by two lenses?", [hit(1, DEPTH, "Depth")], embedder
    )
    assert "compare the same feature seen by two lenses" in composed.text
    assert "divided by the pixel shift between the two images, called the disparity" in composed.text


GEARING = """## Gear ratio and impacts

A gearbox multiplies motor torque by its ratio.
Gearing has a hidden cost: the rotor inertia seen from the joint grows with the square of the ratio.
At a high ratio a tiny rotor feels thousands of times heavier, so the foot hits the floor like a hammer.
"""


async def test_a_why_answer_that_restates_the_question_brings_the_cause_before_it(embedder: Any) -> None:
    composed = await answer(
        "Why does a foot with a high gear ratio hit the floor so hard?", [hit(1, GEARING, "Gearing")], embedder
    )
    text = composed.text
    cause, effect = text.find("the rotor inertia seen from the joint grows"), text.find("tiny rotor feels")
    assert 0 <= cause < effect


PARADOX = """## The grasping puzzle

Early researchers found that proving theorems was easy for computers while grasping a toy was very hard.
This observation is now called the grasping puzzle.

The usual explanation is evolutionary pressure on perception over millions of years.
"""


async def test_a_why_answer_takes_the_sentence_that_gives_the_explanation(embedder: Any) -> None:
    composed = await answer(
        "Why is grasping a toy harder for computers than proving theorems?", [hit(1, PARADOX, "Puzzle")], embedder
    )
    assert "The usual explanation is evolutionary pressure" in composed.text


ACTIONS_LONG = """## Action pattern

- **Action pattern**: Like services, actions have a goal request that starts a long task
- **Action pattern**: Like topics, actions stream feedback while the task runs
"""
ACTIONS_SHORT = """## Actions

- Like services, actions have a goal request
"""


async def test_a_sentence_said_within_a_longer_quoted_one_is_left_out(embedder: Any) -> None:
    results = [hit(1, ACTIONS_LONG, "Action pattern"), hit(2, ACTIONS_SHORT, "Actions")]
    composed = await answer("How are actions like services and topics?", results, embedder)
    assert "actions have a goal request that starts a long task" in composed.text
    assert "Like services, actions have a goal request [" not in composed.text


CAMERA = """## How a simulated camera imitates a real one

A simulated camera renders the virtual scene from the robot's point of view.

A simulated camera turns the scene into frames in three steps:

- Rendering the virtual scene from the camera's pose in the world
- Adding blur, grain and colour shift like a real lens and image sensor
- Delivering each frame a little late, the way a real camera driver does

Engineers compare these frames with real ones before they train a detector.
"""


async def test_an_answer_that_opens_with_a_list_item_gives_the_rest_of_the_list(embedder: Any) -> None:
    composed = await answer(
        "How does a simulated camera make its frames look like a real lens and sensor?",
        [hit(1, CAMERA, "Cameras")],
        embedder,
    )
    steps = ("Rendering the virtual scene", "Adding blur, grain", "Delivering each frame a little late")
    positions = [composed.text.find(step) for step in steps]
    # the sentence that introduces the list, then its items in the book's order
    lead_in = composed.text.find("turns the scene into frames in three steps:")
    assert 0 <= lead_in < min(positions) and positions == sorted(positions)


LENS = """## Lens models

A real lens and sensor blur the frames, and a simulated camera must add the same blur to look real.
"""


async def test_a_list_completing_the_opening_item_keeps_what_another_page_adds(embedder: Any) -> None:
    composed = await answer(
        "How does a simulated camera make its frames look like a real lens and sensor?",
        [hit(1, CAMERA, "Cameras", doc="book/cameras.md"), hit(2, LENS, "Lens models", doc="book/lenses.md")],
        embedder,
    )
    assert "a simulated camera must add the same blur to look real. [2]" in composed.text
    if "Adding blur, grain" in composed.text:
        assert "Rendering the virtual scene" in composed.text and "Delivering each frame" in composed.text


OBJECTIVES = """## Learning Objectives

By the end of this chapter, you will be able to:

- Explain the architecture and design goals of the message bus
- Understand the role of brokers as the central routers
- Describe how channels carry publish-subscribe traffic
- Implement request handlers for question-answer exchanges
- Use jobs for long-running work with progress reports
- Navigate the bus tooling and its command line
"""
BUS_INTRO = """# Messaging Architecture

Welcome to the message bus, the part of the system that lets programs talk without knowing each other. In this
chapter you will learn how the bus architecture lets programs exchange messages.
"""


async def test_asked_for_a_chapters_objectives_every_objective_is_listed(embedder: Any) -> None:
    """The objectives that do not repeat the chapter's subject words are objectives all the same."""
    page = {"doc": "book/messaging.md", "title": "Messaging Architecture"}
    results = [
        hit(1, OBJECTIVES, "Learning Objectives", "objectives", **page),
        hit(2, BUS_INTRO, "Messaging Architecture", **page),
    ]
    question = "What are the learning objectives of the messaging architecture chapter?"
    composed = await answer(question, results, embedder)
    objectives = ("Explain the architecture", "Understand the role", "Describe how channels", "Implement request")
    for objective in (*objectives, "Use jobs", "Navigate the bus tooling"):
        assert objective in composed.text


LAB = """## Lab 2: Log a motor's current

1. Clamp the current probe around the red supply wire.
2. Open the logger on your laptop and choose a rate of 1 kHz.
3. Run the motor for ten seconds and watch the current it draws.
4. Save the log as motor-current.csv and plot it.
"""


async def test_numbered_steps_keep_the_books_order(embedder: Any) -> None:
    composed = await answer("How do I see the current my motor draws?", [hit(1, LAB, "Lab 2", "lab")], embedder)
    steps = ("Clamp the current probe", "Open the logger", "Run the motor", "Save the log")
    positions = [composed.text.find(step) for step in steps]
    assert all(p >= 0 for p in positions) and positions == sorted(positions), composed.text
