"""Answer-level eval metrics (evidence, echo, dangling, section citations) on hand-made answers."""

from __future__ import annotations

import pytest

from booktutor.evals import answer_metrics as am
from booktutor.evals.metrics import METRICS, aggregate

EVIDENCE = ["The integral term removes steady-state error by accumulating past error."]


def test_evidence_recall_verbatim_near_and_missing():
    verbatim = "In short: the **integral term** removes steady-state error by accumulating past error. [2]"
    assert am.evidence_recall(verbatim, EVIDENCE, abstained=False) == 1.0
    # a paraphrase keeping 6 of the quote's 8 content words (>= 0.6)
    near = "The integral term adds up past error, so the steady state has no error left."
    assert am.evidence_recall(near, EVIDENCE, abstained=False) == 1.0
    # on topic, but only 2 of 8 content words: not the evidence
    off = "A PID controller has a proportional, an integral and a derivative term."
    assert am.evidence_recall(off, EVIDENCE, abstained=False) == 0.0
    assert am.evidence_recall(verbatim, EVIDENCE, abstained=True) == 0.0
    assert am.evidence_recall(verbatim, [], abstained=False) is None


def test_evidence_recall_any_quote_counts_and_table_rows_match():
    quotes = ["Gears trade speed for torque.", "Consequences | Reversible | Often irreversible"]
    answer = "| Consequences | Reversible | Often irreversible |"
    assert am.evidence_recall(answer, quotes, abstained=False) == 1.0


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        (
            "Explain the difference between ROS2 topics and services. [1] A) Nodes B) Topics C) Master D) Services [3]",
            "options",
        ),
        ("Which message type carries images? Topics carry streams of data.", "question"),
        ("Explain the difference between ROS 2 topics and services.", "exercise"),
        ("Exercise 2: build a node that publishes the battery level.", "exercise"),
        ("In this lab, you will implement domain randomization in Isaac Sim.", "lab_step"),
        ("Topics stream data.\n\n1. Run `ros2 topic list` in a terminal.", "lab_step"),
        ("Open a terminal and source the workspace. [2]", "lab_step"),
        ("Evaluate the effectiveness of domain randomization on the real robot.", "exercise"),
        ("Implement basic sampling-based planning algorithms (RRT, PRM) [3]", "lab_step"),
        ("Test and debug robot systems systematically [3]", "lab_step"),
        ("Understand degrees of freedom [2] Explain the advantages of humanoid design [2]", "exercise"),
        ("Choose the correct answer: a topic, a service or an action.", "exercise"),
        ("Let's train a humanoid to walk forward. [1]", "lab_step"),
        ("Publish robot state using the robot_state_publisher node [3]", "lab_step"),
        ("In this case study, you'll learn how to deploy a policy to a real robot. [1]", "lab_step"),
        ("a) a sensor\nb) an actuator\nc) a controller", "options"),
    ],
)
def test_echo_detects_pasted_study_material(answer, kind):
    question = "What is the difference between a ROS 2 topic and a service?"
    assert kind in am.echo_kinds(answer, question)
    assert am.echo(answer, question, abstained=False) == 1.0


@pytest.mark.parametrize(
    "answer",
    [
        "A topic is a named bus that streams messages from publishers to subscribers [1]. A service is a "
        "request/response call: a client sends one request and waits for one reply [2].",
        "It is important to note that topics are asynchronous, while services block the caller [1].",
        "Services answer once (see figure A). Note that actions add feedback, as in step 3 [2].",
        "Use a service for a quick query, e.g. reading a parameter; use a topic for sensor streams [1].",
        "```python\nwhat = input('Name?')\n```\nThe node reads a name from the user [1].",
        "Open-vocabulary detectors locate objects described in words [2]. Test results show they generalise [3].",
        "Run time grows with the number of topics [1].",
        "Choose the right pattern for the data: topics for streams, services for quick queries [4].",
    ],
)
def test_echo_leaves_expository_answers_alone(answer):
    question = "What is the difference between a ROS 2 topic and a service?"
    assert am.echo_kinds(answer, question) == []
    assert am.echo(answer, question, abstained=False) == 0.0


def test_echo_allows_what_the_learner_asked_for():
    steps = "1. Install ROS 2 Humble. [1]\n2. Run `ros2 run demo_nodes_cpp talker`. [1]"
    assert am.echo(steps, "How do I install ROS 2 and run the talker demo?", abstained=False) == 0.0
    assert am.echo(steps, "What is ROS 2?", abstained=False) == 1.0
    quiz = "Which layer does ROS 2 use for discovery? A) DDS B) TCP C) HTTP"
    assert am.echo(quiz, "Give me a practice quiz question on ROS 2", abstained=False) == 0.0
    assert am.echo("I don't know.", "What is ROS 2?", abstained=True) is None


@pytest.mark.parametrize(
    "answer",
    [
        "This observation is now known as Moravec's paradox. [1]",
        "It closes with a short summary of the chapter. [2]",
        "However, the gains must be tuned on the real robot. [1]",
        "These results show that series elastic actuators are safer. [1]",
        "The latter is cheaper to build. [1]",
        "Together, these components create a realistic virtual space. [5]",
        "In this case the controller saturates. [1]",
        "## Moravec's paradox\nThis is why walking is harder than chess. [1]",
    ],
)
def test_dangling_first_sentences(answer):
    assert am.is_dangling(am.first_sentence(answer))
    assert am.dangling(answer, abstained=False) == 1.0


@pytest.mark.parametrize(
    "answer",
    [
        "Moravec's paradox is the observation that high-level reasoning needs little computation. [1] "
        "This observation surprised early AI researchers. [1]",
        "This chapter introduces the building blocks of ROS 2. [1]",
        "It is important to keep the loop rate constant. [1]",
        "Thermal cameras see heat. [1]",
        "In this case study, a quadruped learns to walk in simulation. [1]",
    ],
)
def test_self_contained_first_sentences(answer):
    assert am.dangling(answer, abstained=False) == 0.0


def test_dangling_does_not_apply_to_abstentions():
    assert am.dangling("This is not covered.", abstained=True) is None


SECTIONS = {
    ("control.md", "pid-control"): "The integral term removes steady-state error by accumulating past error.",
    ("control.md", "key-terms"): "PID: a controller with proportional, integral and derivative terms.",
    ("control.md", ""): "This chapter explains feedback control.",
    ("control.md", "tuning"): "Tune the proportional gain first, then the derivative gain.",
    ("sensors.md", "imu"): "An IMU measures acceleration and angular rate.",
}


def cite(path: str, anchor: str, heading: str = "") -> dict[str, str]:
    url = f"https://book/{path}" + (f"#{anchor}" if anchor else "")
    return {"doc_path": path, "anchor_url": url, "heading": heading, "snippet": ""}


def test_section_citation_precision_credits_evidence_and_relevant_body_sections():
    relevant = ["control.md"]
    precise = [cite("control.md", "pid-control"), cite("control.md", "pid-control")]
    assert am.section_citation_precision(precise, relevant, EVIDENCE, SECTIONS) == 1.0
    # the chapter's key terms and its intro are not precise, another relevant body section is
    mixed = [cite("control.md", "key-terms", "Key terms"), cite("control.md", ""), cite("control.md", "tuning")]
    assert am.section_citation_precision(mixed, relevant, EVIDENCE, SECTIONS) == pytest.approx(1 / 3)
    # an irrelevant doc's section counts only if it holds the evidence
    assert am.section_citation_precision([cite("sensors.md", "imu")], relevant, EVIDENCE, SECTIONS) == 0.0
    glossary = {("glossary.md", "pid"): EVIDENCE[0]}
    assert am.section_citation_precision([cite("glossary.md", "pid")], relevant, EVIDENCE, glossary) == 1.0
    selection_only = [{"doc_path": "", "anchor_url": "", "heading": "", "snippet": "selected"}]
    assert am.section_citation_precision(selection_only, relevant, EVIDENCE, SECTIONS) is None


def test_a_pages_opening_under_its_title_is_its_intro():
    """The text under a page's title heading, before its first section, is anchored at the title: the
    intro, unless the page has no other section (then it is the page's body)."""
    titled = {**SECTIONS, ("control.md", "control-and-balance"): "This chapter explains feedback control."}
    title = "Control and balance"
    opening = {**cite("control.md", "control-and-balance", title), "chapter_title": title}
    assert am.section_citation_precision([opening], ["control.md"], [], titled) == 0.0
    one_section = {("faq.md", "faq"): "Ask the tutor about any paragraph."}
    page = {**cite("faq.md", "faq", "FAQ"), "chapter_title": "FAQ"}
    assert am.section_citation_precision([page], ["faq.md"], [], one_section) == 1.0
    # an opening that holds the evidence is precise all the same
    holding = {**titled, ("control.md", "control-and-balance"): EVIDENCE[0]}
    assert am.section_citation_precision([opening], ["control.md"], EVIDENCE, holding) == 1.0


def test_answer_scores_and_aggregation():
    scores = am.answer_scores(
        question="What does the integral term do?",
        answer="However, the integral term removes steady-state error by accumulating past error. [1]",
        abstained=False,
        answerable=True,
        relevant=["control.md"],
        evidence=EVIDENCE,
        citations=[cite("control.md", "pid-control")],
        section_text=SECTIONS,
    )
    assert scores == {
        "echo_rate": 0.0,
        "dangling_rate": 1.0,
        "evidence_recall": 1.0,
        "section_citation_precision": 1.0,
    }
    unanswerable = am.answer_scores(
        question="Who invented PID?",
        answer="Who invented it? Nobody knows.",
        abstained=False,
        answerable=False,
        relevant=[],
        evidence=[],
        citations=[],
        section_text=SECTIONS,
    )
    assert unanswerable["echo_rate"] == 1.0 and unanswerable["evidence_recall"] is None
    assert set(scores) <= set(METRICS)
    result = aggregate([scores, unanswerable], [10.0, 20.0])
    assert result["echo_rate"] == 0.5 and result["evidence_recall"] == 1.0
