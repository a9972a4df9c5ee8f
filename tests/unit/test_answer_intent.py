"""What a question asks for, and which book sentences may answer it."""

from __future__ import annotations

import pytest

from booktutor.extractive.intent import asked_topic, question_intent, split_parts
from booktutor.extractive.roles import depends_on_previous, is_prompt


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("What is the difference between a topic and a service?", "comparison"),
        ("Compare lidar with stereo cameras", "comparison"),
        ("Show me the code for a minimal publisher", "code"),
        ("Why do humanoids need compliant actuators?", "why"),
        ("How does domain randomization help sim-to-real transfer?", "how"),
        ("How many joints does the arm have?", "number"),
        ("What are the main types of sensors?", "list"),
        ("What is an IMU?", "definition"),
        ("What's an IMU?", "definition"),
        ("What's a safe way to test a new gait on the real robot?", "procedure"),
        ("What is the best way to store a battery pack?", "procedure"),
        ("Is a servo a kind of motor?", "yesno"),
    ],
)
def test_question_kind(question: str, kind: str) -> None:
    assert question_intent(question).kind == kind


def test_comparison_sides_are_the_two_things_compared() -> None:
    intent = question_intent("What is the difference between a ROS 2 topic and a service?")
    assert intent.sides == (frozenset({"ros", "topic"}), frozenset({"servic"}))


def test_compare_a_and_b_splits_at_and_when_a_says_with() -> None:
    intent = question_intent("compare the tests done with a simulator and the checks done on generated plans")
    assert intent.kind == "comparison"
    assert intent.sides[0] == frozenset({"test", "done", "simulator"})
    assert {"check", "plan"} <= intent.sides[1]


def test_a_question_asking_two_things_has_two_parts() -> None:
    assert split_parts("What is a series elastic actuator and what is its main drawback?") == (
        "What is a series elastic actuator",
        "what is its main drawback",
    )
    assert split_parts("What is a gear train?") == ()


def test_a_chat_style_and_still_joins_two_questions() -> None:
    assert split_parts("where does the planner get its map from n how is that map built?") == (
        "where does the planner get its map from",
        "how is that map built",
    )
    assert split_parts("what is a gear train & why do its teeth wear") == (
        "what is a gear train",
        "why do its teeth wear",
    )
    assert split_parts("what is a pin n a hole") == ()


@pytest.mark.parametrize(
    "sentence",
    [
        "Explain the difference between ROS 2 topics and services.",
        "A) Nodes B) Topics C) Master D) Services",
        "In this lab, you will implement domain randomization.",
        "What is the role of the middleware?",
        "Evaluate the effectiveness of your policy on the real robot.",
        "Step 3: Launch the simulator.",
        "By the end of this chapter, you will be able to tune a PID loop.",
    ],
)
def test_prompts_are_not_answers(sentence: str) -> None:
    assert is_prompt(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "A topic is a named channel that carries messages from publishers to subscribers.",
        "Test results show that the controller converges within two seconds.",
        "Domain randomization varies friction and lighting so that the policy generalises.",
    ],
)
def test_explanations_are_answers(sentence: str) -> None:
    assert not is_prompt(sentence)


def test_sentences_that_refer_back() -> None:
    assert depends_on_previous("This observation is now known as Moravec's paradox.")
    assert depends_on_previous("It closes with a short quiz.")
    assert depends_on_previous("This chapter introduces the building blocks of ROS 2."), "a weak opening"
    assert not depends_on_previous("Moravec's paradox says that perception is harder than reasoning.")


@pytest.mark.parametrize(
    ("question", "aspect"),
    [
        ("What are the series elastic actuator's disadvantages?", "drawback"),
        ("What is the main limitation of a watchdog timer?", "drawback"),
        ("What are the benefits of simulation?", "benefit"),
        ("What is a series elastic actuator?", ""),
        ("Can I work with a partner on the project?", "collaboration"),
        ("Is the project a group project?", "collaboration"),
        ("Do I have to work alone on the assessment?", "collaboration"),
        ("How do topics and services work together?", ""),
        ("Can I use PID and MPC together?", ""),
        ("When is the Greenhouse Node project due?", "deadline"),
        ("What is the deadline for the final report?", "deadline"),
        ("What is the deadline QoS policy?", ""),
    ],
)
def test_the_side_of_a_topic_asked_about(question: str, aspect: str) -> None:
    assert question_intent(question).aspect == aspect


def test_the_part_of_a_thing_asked_about_is_its_focus() -> None:
    assert question_intent("What does the integral term of a PID controller do?").focus == frozenset({"integral"})
    assert question_intent("What is a PID controller?").focus == frozenset()


def test_a_comparison_in_the_first_clause_has_two_sides() -> None:
    intent = question_intent("reentrant vs mutually exclusive callback groups - what's the practical difference?")
    assert intent.kind == "comparison"
    assert intent.sides[0] == frozenset({"reentrant"})


def test_a_part_that_names_nothing_of_its_own_asks_the_part_before_it_again() -> None:
    assert split_parts("gazebo or unity for my project? whats the difference") == ()
    assert split_parts("which depth camera type should i avoid outdoors and what are my options?") == ()
    assert split_parts("What is a series elastic actuator and what is its main drawback?") == (
        "What is a series elastic actuator",
        "what is its main drawback",
    )


@pytest.mark.parametrize(
    ("question", "about_practice"),
    [
        ("What exercises are there in the motor control chapter?", True),
        ("Are there any exercises on gear ratios?", True),
        ("What is the lab in module 2 about?", True),
        ("What does the final assessment cover?", True),
        ("What do I need to submit for the capstone project?", True),
        ("What will I build in the first robot project?", True),
        ("Describe the hands-on exercise in chapter 4", True),
        ("In the task allocator exercise, which robot gets the first task?", False),
        ("What are the challenges of sim-to-real transfer?", False),
        ("What is the reward for the agent?", False),
        ("Quiz me on gears", False),
    ],
)
def test_a_question_about_the_books_practice_itself(question: str, about_practice: bool) -> None:
    assert question_intent(question).about_practice is about_practice


def test_asked_about_practice_its_prompts_may_answer_but_never_an_option_list() -> None:
    from booktutor.extractive.scoring import Candidate
    from booktutor.extractive.shaping import may_answer

    def candidate(text: str, purpose: str) -> Candidate:
        return Candidate(text, "sentence", 1, 1, 0, "search", "en", frozenset(), purpose=purpose)

    asked = question_intent("What exercises are there on gears?")
    other = question_intent("What is a gear ratio?")
    task = candidate("In this exercise, you'll measure the gear ratio of a toy car.", "exercise")
    options = candidate("Which gear turns faster? A) The small one B) The large one", "exercise")
    assert may_answer(task, asked) and not may_answer(task, other)
    assert not may_answer(options, asked)


def test_urdu_signposts_and_openings_that_refer_back_are_recognised() -> None:
    from booktutor.extractive.roles import is_generic

    assert is_generic("آئیے اب sensors کو دریافت کریں۔")  # let's explore sensors now
    assert is_generic("اس باب میں ہم actuators کے بارے میں سیکھیں گے۔")  # in this chapter we will learn
    assert depends_on_previous("یہ طریقہ توانائی بچاتا ہے۔")  # this method saves energy
    assert depends_on_previous("تاہم gears شور پیدا کرتے ہیں۔")  # however, gears make noise
    assert not depends_on_previous("یہاں ایک servo motor دکھایا گیا ہے۔")  # here a servo motor is shown
    assert not is_generic("ایک servo motor اپنی پوزیشن خود ناپتا ہے۔")  # a servo measures its own position


def test_sentences_about_the_course_s_progress_say_nothing_of_the_topic() -> None:
    from booktutor.extractive.roles import is_generic

    assert is_generic("In the next module, we'll explore gear trains with two simulators.")
    assert is_generic("You've completed Module 2: Gear Trains.")
    assert is_generic("Congratulations! You can now size a gearbox.")
    assert not is_generic("In the lab, the gear train runs at half speed.")
    assert not is_generic("A gear train trades speed for torque.")


@pytest.mark.parametrize(
    ("question", "about_course"),
    [
        ("How long is this course?", "logistics"),
        ("What will I learn in the motor control chapter?", "goals"),
        ("What are the prerequisites for this course?", "logistics"),
        ("What does this chapter cover?", "goals"),
        ("How is the book organized?", "logistics"),
        ("What do I need to know before starting?", "logistics"),
        ("How long will module 2 take me, labs included?", "logistics"),
        ("how long does chapter 7 take", "logistics"),
        ("What does unit 3 cover?", "goals"),
        ("How long does a battery last?", ""),
        ("How long does step 2 of the calibration take?", ""),
        ("How long is the control loop period?", ""),
        ("What is a gear ratio?", ""),
        ("What are the objectives of lesson 2?", "goals"),
        ("What are the outcomes for this chapter?", "goals"),
        ("What are the objectives of a PID controller?", ""),
    ],
)
def test_a_question_about_the_course_itself(question: str, about_course: str) -> None:
    assert question_intent(question).about_course == about_course


@pytest.mark.parametrize(
    "question", ["What are the learning objectives of lesson 2.1?", "What are the prerequisites of module 3?"]
)
def test_a_course_parts_objectives_are_listed_not_defined(question: str) -> None:
    intent = question_intent(question)
    assert intent.kind == "list" and not intent.head and not intent.subject


def test_links_to_further_reading_point_elsewhere() -> None:
    from booktutor.extractive.roles import is_pointer

    assert is_pointer("Further Reading: The motor driver datasheet")
    assert is_pointer("Next Steps: Wire the second sensor")
    assert not is_pointer("References to the encoder count are kept in a buffer.")


@pytest.mark.parametrize(
    ("message", "topic"),
    [
        ("Teach me about backlash", "backlash"),
        ("Can you teach me about IMUs?", "IMUs?"),
        ("I need help understanding PID control", "PID control"),
        ("Help me understand: what is a gear ratio?", "what is a gear ratio?"),
        ("I don't understand Jacobians", "Jacobians"),
        ("Tell me more about SLAM", "Tell me more about SLAM"),  # a follow-up: its wording is the request
        ("What is a teach pendant?", "What is a teach pendant?"),
        ("Teach me", "Teach me"),
    ],
)
def test_a_requests_lead_is_not_part_of_its_topic(message, topic):
    assert asked_topic(message) == topic
