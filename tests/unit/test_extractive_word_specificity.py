"""How specific a question word is that the book never uses: a name or method abstains, an inflected
everyday word does not."""

from __future__ import annotations

from booktutor.extractive.abstention import AbstentionPolicy
from booktutor.extractive.specificity import missing_specificity, word_specificity
from booktutor.extractive.text import content_terms

GATE = AbstentionPolicy().max_unknown_specificity


def test_an_inflected_everyday_word_is_judged_by_its_base_form() -> None:
    assert word_specificity("restarting") < GATE, "rarer than 'restart' in general text only by its ending"
    assert word_specificity("rebooting") < GATE


def test_a_rare_name_or_method_stays_specific() -> None:
    assert word_specificity("odometry") >= GATE
    assert word_specificity("kalman") >= GATE
    assert word_specificity("quaternions") >= GATE, "a plural's base form is as rare as the word"


EVERYDAY = AbstentionPolicy().everyday_specificity


def test_the_words_the_top_hits_lack_are_judged_by_the_most_specific() -> None:
    question = "What kinds of things cause trouble for a rangefinder?"
    found = content_terms("A rangefinder times the echo of a burst of sound.")
    assert (missing_specificity(question, found) or 1.0) <= EVERYDAY, "only everyday wording is missing"
    question = "How do phased-array transducers steer a rangefinder's beam?"
    assert (missing_specificity(question, found) or 0.0) > EVERYDAY, "'transducers' names what the hits lack"


def test_hits_with_no_word_or_every_word_of_the_question_or_one_not_in_english_have_no_measure() -> None:
    assert missing_specificity("What kinds of bread are there?", content_terms("A rangefinder times echoes.")) is None
    assert missing_specificity("رینج فائنڈر کیا ہے؟", frozenset({"رینج"})) is None
    assert missing_specificity("What is a rangefinder?", None) is None
    assert missing_specificity("What is a rangefinder?", content_terms("A rangefinder times echoes.")) is None
