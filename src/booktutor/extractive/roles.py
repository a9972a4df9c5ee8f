"""What a sentence of the book does: explain, give a reason, contrast, prompt the learner, refer back.

An answer quotes sentences that explain. It never serves a question, a list of options, an exercise
prompt or a lab step as the answer, and never opens with a sentence that refers to one it left out.
"""

from __future__ import annotations

import re
from functools import lru_cache

PRACTICE_PURPOSES = frozenset({"exercise", "lab"})
"""Chunks that ask the learner to do something (booktutor.ingest.purpose)."""
NOT_ANSWER_PURPOSES = PRACTICE_PURPOSES | {"objectives", "navigation"}
"""Chunks whose sentences never answer a question: practice, learning objectives, next steps and links."""
COURSE_PURPOSES = {"goals": frozenset({"objectives"}), "logistics": frozenset({"navigation"})}
"""Chunks about the course itself, by what is asked of it: its goals, or its structure, prerequisites and time."""
RESTATING_PURPOSES = frozenset({"summary", "definition"})
"""Chunks that restate what a body section says: the body section is the better citation."""

_OPTIONS = re.compile(r"(?:^|\s)\(?[A-Da-d][).]\s+\S.*?\s\(?[B-Db-d][).]\s+\S|^\(?[A-Da-d][).]\s+\S")
_LEARNER_TASK = re.compile(
    r"^(?:in\s+this\s+(?:lab|exercise|tutorial|activity|assignment|project|challenge|quiz|section|chapter|module|"
    r"case\s+study|lesson|unit|guide|part|walkthrough|workshop)"
    r",?\s+(?:you|we)(?:'ll|\s+will)\b|by\s+the\s+end\s+of\s+this\b|you\s+(?:will|'ll)\s+(?:be\s+able\s+to|learn)\b|"
    r"what\s+you(?:'ll|\s+will)\s+(?:build|learn|create|make)\b|"
    r"(?:your\s+task|the\s+goal\s+of\s+this\s+(?:lab|exercise))\b|let'?s\s+(?:build|create|implement|write|train|try)\b)",
    re.I,
)
_LABELLED_OPTION = re.compile(r"^[^:]{1,80}:\s+\(?[A-Da-d][).]\s+\S")
"""A quiz option read with its section's title ("Command Line Tools: C) Actions use less memory")."""
_STEP_LEAD = re.compile(r"^(?:step\s+\d+|task\s+\d+|question\s+\d+|q\d+|exercise\s+\d+)\b", re.I)
_IMPERATIVE_TEXT = """
    add analyse analyze answer apply build calculate change check choose clone compare compile complete
    configure connect copy create debug deploy describe design determine discuss download draw edit evaluate
    examine execute explain explore extend find fix identify implement import install investigate launch list
    load measure modify navigate observe open outline paste plot predict press print record reflect remove
    repeat replace research review run save select simulate sketch source start summarise summarize switch
    test train try type update verify visualize write
"""
_IMPERATIVE = frozenset(_IMPERATIVE_TEXT.split())
"""Verbs that, leading a sentence, tell the learner to do something (a lab step or an exercise prompt)."""
_FIRST_WORD = re.compile(r"^[\W\d]*([A-Za-z]+)")

_ANAPHOR = re.compile(
    r"^(?:this|these|that|those|such|it|its|they|their|them|he|she|his|her|here|both|another|the\s+latter|"
    r"the\s+former|the\s+same|however|therefore|thus|hence|but|and|so|also|similarly|instead|moreover|"
    r"furthermore|in\s+addition|additionally|as\s+a\s+result|consequently|for\s+example|for\s+instance|"
    r"finally|then|next|second|secondly|third|thirdly|likewise|otherwise|in\s+contrast|on\s+the\s+other\s+hand|"
    r"in\s+this\s+case|in\s+that\s+case|at\s+this\s+point|because\s+of\s+this)\b|"
    # Urdu: this/these, that/those (and their oblique forms), but, however, therefore, moreover, similarly.
    r"^(?:یہ|وہ|اس|ان|اسی|انہی|لیکن|مگر|تاہم|اس\s+لیے|لہٰذا|لہذا|چنانچہ|مزید\s+برآں|اسی\s+طرح|اس\s+کے\s+علاوہ)(?=\s)",
    re.I,
)
_SELF_CONTAINED_THIS = re.compile(r"^(?:this|these)\s+(?:book|chapter|section|course|module|guide|textbook)\b", re.I)
_REASON = re.compile(
    r"\b(?:because|since|so\s+that|in\s+order\s+to|therefore|thus|due\s+to|as\s+a\s+result|which\s+means|"
    r"this\s+means|allows?|allowing|enables?|enabling|lets?|helps?|prevents?|avoids?|reduces?|removes?|"
    r"eliminates?|ensures?|improves?|the\s+reason|(?:the|an?)\s+(?:\w+\s+)?explanation|explained\s+by|so\s+the|otherwise|without\s+it|leads?\s+to|causes?|results?\s+in)\b",
    re.I,
)
_EXAMPLE_GIVEN = re.compile(
    r"\b(?:for\s+example|for\s+instance|e\.\s?g\.|such\s+as|imagine|suppose|consider\s+(?:an?|the)|examples?|"
    r"instance)\b",
    re.I,
)
_CONTRAST = re.compile(
    r"\b(?:whereas|while|unlike|in\s+contrast|compared\s+(?:to|with)|instead|rather\s+than|on\s+the\s+other\s+hand|"
    r"however|but|differs?|difference|versus|vs\.?|both|whilst)\b",
    re.I,
)
_NUMBER = re.compile(r"\d")
_ENUMERATION = re.compile(
    r"(?::|\b(?:include|includes|including|consists?\s+of|comprises?|such\s+as|combines?|combining))\s+"
    r"[^.;:]*,[^.;:]*\b(?:and|or)\s",
    re.I,
)


_ROLE_CACHE = 1 << 14
"""The same candidate sentences come back answer after answer: the pure tests below remember their results."""

_RUN_IN_LABEL = re.compile(r"^[A-Z][\w'/()-]*(?:\s+[\w'/()-]+){0,3}:\s+(?=\S)")
"""'Key Insight: ', 'Design Principle: ', 'Stereo Vision: ': a run-in label before the sentence proper."""


def _after_label(text: str) -> str:
    stripped = text.strip().strip("*_ ")
    return _RUN_IN_LABEL.sub("", stripped, count=1)


@lru_cache(maxsize=_ROLE_CACHE)
def tells_the_learners_task(text: str) -> bool:
    """'By the end of this chapter, you will be able to:', 'In this lab, you will ...': what the learner will do."""
    return bool(_LEARNER_TASK.search(_after_label(text)))


def is_option_list(text: str) -> bool:
    """A multiple-choice option list ("A) Nodes B) Topics ..."), with or without its section's title."""
    return bool(_OPTIONS.search(_after_label(text)) or _LABELLED_OPTION.match(text.strip()))


@lru_cache(maxsize=_ROLE_CACHE)
def is_prompt(text: str, *, allow_steps: bool = False) -> bool:
    """A question, an option list, an exercise prompt or (unless steps were asked for) an imperative step."""
    stripped = _after_label(text)
    if stripped.endswith("?") or _OPTIONS.search(stripped) or _LEARNER_TASK.search(stripped):
        return True
    if _LABELLED_OPTION.match(text.strip()):
        return True
    if _STEP_LEAD.search(stripped):
        return not allow_steps
    first = _FIRST_WORD.match(stripped)
    if first is None or allow_steps:
        return False
    return first.group(1).lower() in _IMPERATIVE and _is_imperative(stripped)


def _is_imperative(text: str) -> bool:
    """'Create a node that ...' is an instruction; 'Create_publisher returns ...' or 'Test results show' is not."""
    words = text.split()
    if len(words) < 2:
        return False
    second = words[1].lower().strip(",:;")
    return second not in {"is", "are", "was", "were", "has", "have", "results", "cases", "data", "shows", "show"}


_FRONT_MATTER = re.compile(
    r"\b(?:estimated\s+(?:reading\s+)?time|reading\s+time|difficulty|prerequisites?|duration)\s*:", re.I
)
_GENERIC = re.compile(
    r"^(?:welcome\b|before\s+(?:we\s+)?div\w+|let'?s\b|let\s+us\b|now\s+that\b|in\s+(?:this|the\s+next|the\s+"
    r"following|the\s+previous|later)\s+(?:chapter|section|module|lesson|case\s+study|part|unit)s?\b|"
    r"(?:this|the\s+next)\s+(?:chapter|section|module|lesson)\b|congratulations\b|you(?:'ve|\s+have)\s+"
    r"(?:now\s+)?(?:completed|finished)\b)|"
    r"\b(?:is|are)\s+(?:crucial|essential|important|key|fundamental|critical|vital)\s+(?:for|to|in|when)\b|"
    r"\bforms?\s+the\s+(?:foundation|basis|backbone)\b|\bprovides?\s+the\s+foundation\b|"
    r"\b(?:is|are)\s+(?:a|an)\s+(?:powerful|comprehensive|versatile|exciting|fascinating)\b|"
    r"\b(?:this|the|our)\s+(?:course|book|textbook|module|chapter|section)\s+(?:will|is|covers|teaches|guides|"
    r"explores|introduces|walks)\b|\bmake\s+sure\s+(?:you|to)\s+(?:complete|read|try|do)\b|"
    # Urdu: let's ..., now that ..., in this chapter/section/module ..., welcome; "forms the foundation".
    r"^(?:آئیے|آؤ|اب\s+جب\s*کہ|اب\s+جبکہ|خوش\s+آمدید|اس\s+(?:باب|حصے|سیکشن|ماڈیول|module|chapter|section)\s+میں)|"
    r"(?:بنیاد|foundation)\s+(?:بناتے|بناتا|بناتی|فراہم)",
    re.I,
)
_ADVICE_TEXT = """
    start begin use keep avoid reduce increase lower raise limit ensure consider prefer choose tune monitor log
    make blend scale clip normalize normalise
"""
_ADVICE_VERBS = frozenset(_ADVICE_TEXT.split())
"""Imperatives that give advice ("Start simple", "Use safety wrappers"), not a lab step or an exercise."""


_NAVIGATION_LINE = re.compile(r"^(?:next|previous|prev|up\s+next|see\s+also)\s*:|[→←]\s*\.?$", re.I)
"""'Next: Python ROS 2 Integration →': a link to another page, not a statement."""


@lru_cache(maxsize=_ROLE_CACHE)
def is_front_matter(text: str) -> bool:
    """'Estimated Time: 45 minutes | Difficulty: Beginner' or 'Next: Chapter 5 →': about the page or the
    way through the book, not the topic."""
    return bool(_FRONT_MATTER.search(text) or _NAVIGATION_LINE.search(text.strip()))


@lru_cache(maxsize=_ROLE_CACHE)
def is_generic(text: str) -> bool:
    """A sentence that introduces or praises a topic instead of saying something about it."""
    return bool(_GENERIC.search(text.strip().lstrip("*_ ")))


def is_advice(text: str) -> bool:
    first = _FIRST_WORD.match(_after_label(text))
    return first is not None and first.group(1).lower() in _ADVICE_VERBS


def depends_on_previous(text: str) -> bool:
    """The sentence opens by referring to something said before it ("This observation ...", "It ...")."""
    stripped = _after_label(text)
    return bool(_ANAPHOR.match(stripped))


_POINTER_LEAD = re.compile(
    r"(?:figure|fig\.|table|diagram)\s*\d*[:.]|related\s+(?:terms|topics|concepts|reading|chapters)\s*:|"
    r"(?:further\s+reading|references|next\s+steps?|see\s+also|bibliography|(?:additional\s+|external\s+)?resources)\s*:|"
    r"(?:continue|proceed|go\s+on|move\s+on)\s+(?:with|to)\b|see\s",
    re.I,
)
"""Matched at the start only (`match`): searched, an anchored pattern is still tried at every position."""
_POINTER_ANYWHERE = re.compile(r"\bfor\s+more\s+(?:information|details)\b|,\s+see\s", re.I)


@lru_cache(maxsize=_ROLE_CACHE)
def is_pointer(text: str) -> bool:
    """'For more information on topics, see Communication Patterns.', 'Figure 1: ...': points at another
    page or a figure instead of saying something itself."""
    return any(
        _POINTER_LEAD.match(form) or _POINTER_ANYWHERE.search(form) for form in (text.strip(), _after_label(text))
    )


def introduces_only(text: str) -> bool:
    """A generic sentence, also behind a run-in label ("Gazebo Overview: Welcome to the world of simulation!")."""
    return is_generic(text) or is_generic(_after_label(text))


def is_signpost(text: str) -> bool:
    """'This chapter explains ...': about the book, not the topic; a weak opening with no antecedent."""
    return bool(_SELF_CONTAINED_THIS.match(text.strip().lstrip("*_ ")))


@lru_cache(maxsize=_ROLE_CACHE)
def gives_reason(text: str) -> bool:
    return bool(_REASON.search(text))


@lru_cache(maxsize=_ROLE_CACHE)
def gives_example(text: str) -> bool:
    return bool(_EXAMPLE_GIVEN.search(text))


def contrasts(text: str) -> bool:
    return bool(_CONTRAST.search(text))


def has_number(text: str) -> bool:
    return bool(_NUMBER.search(text))


def enumerates(text: str) -> bool:
    """The sentence names the members of a list ("three core components: physics engines, sensor models
    and environment models"): a list question's answer in one sentence."""
    return bool(_ENUMERATION.search(text))
