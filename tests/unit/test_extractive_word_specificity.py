"""How specific a question word is that the book never uses: a name or method abstains, an inflected
everyday word does not."""

from __future__ import annotations

from booktutor.extractive.abstention import AbstentionPolicy
from booktutor.extractive.specificity import word_specificity

GATE = AbstentionPolicy().max_unknown_specificity


def test_an_inflected_everyday_word_is_judged_by_its_base_form() -> None:
    assert word_specificity("restarting") < GATE, "rarer than 'restart' in general text only by its ending"
    assert word_specificity("rebooting") < GATE


def test_a_rare_name_or_method_stays_specific() -> None:
    assert word_specificity("odometry") >= GATE
    assert word_specificity("kalman") >= GATE
    assert word_specificity("quaternions") >= GATE, "a plural's base form is as rare as the word"
