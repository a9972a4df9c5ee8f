"""Resolve a follow-up against the thread's recent turns before anything retrieves.

"What are its disadvantages?" after "What is a series elastic actuator?" asks about series elastic
actuators; "And a service?" after "What is a ROS 2 topic?" asks "What is a service?". The rules are
deterministic (the offline answerer needs them, and a fallback chain lands there too):

- a message with a referring word (it, its, this, that, these, those, they, them, their, the
  previous/last/former/latter one) and no topic of its own gets the previous topic in its place;
- "and X?", "what about X?", "how about X?" reuse the previous question with X as its topic;
- a message with no content word at all ("Tell me more", "Can you give an example?") is asked about
  the previous question's topic;
- a bare "Why?" ("Why is that?", "How come?") after an answer asks the reason for that answer's claim,
  its first quoted sentence: "Why is it that <claim>?".

The previous topic is the noun phrase of the newest earlier learner question that has one (earlier
follow-ups are resolved first, so chains work). Selection mode never resolves: there the passage is
what "this" means.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from booktutor.graph.state import ChatMessage

_TOKEN = re.compile(r"[\w][\w'’.+-]*[\w+]|[\w]", re.UNICODE)
_REFERRING = re.compile(
    r"\b(?:the (?:previous|last|former|latter|above|same|first|second) (?:one|ones|term|concept|topic|idea)|"
    r"the (?:former|latter)|its|it|it's|itself|they|them|their|"
    r"(?:this|that|these|those)(?!\s+(?:chapter|book|section|page|lesson|module|passage|paragraph|course|"
    r"text|site|unit|part)s?\b))\b",
    re.IGNORECASE,
)
_POSSESSIVE = {"its", "their"}
_CONTINUATION = re.compile(
    r"^\s*(?:and|also|and also|but|what about|how about|and what about|and how about|what of|same for|"
    r"and for)\s+(?P<subject>[^?]+?)\s*[?.!]*\s*$",
    re.IGNORECASE,
)
_EXPLETIVE_IT = re.compile(
    r"\b(?:is|was|isn't|wasn't) it \w+ (?:to|that|if|whether)\b|\bit(?: is|'s| was) \w+ (?:to|that)\b", re.I
)
# Words that are never the topic: question frames, auxiliaries, determiners, pronouns, requests.
_FRAME = frozenset(
    [
        "what",
        "what's",
        "whats",
        "which",
        "who",
        "whom",
        "whose",
        "why",
        "how",
        "when",
        "where",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "does",
        "do",
        "did",
        "can",
        "could",
        "would",
        "should",
        "will",
        "shall",
        "may",
        "might",
        "must",
        "has",
        "have",
        "had",
        "a",
        "an",
        "the",
        "please",
        "tell",
        "me",
        "us",
        "about",
        "explain",
        "describe",
        "define",
        "give",
        "show",
        "i",
        "we",
        "you",
        "your",
        "my",
        "our",
        "some",
        "any",
        "kind",
        "sort",
        "of",
        "in",
        "on",
        "for",
        "to",
        "by",
        "with",
        "from",
        "as",
        "and",
        "or",
        "but",
        "also",
        "really",
        "exactly",
        "again",
        "briefly",
        "simply",
        "more",
        "detail",
        "details",
        "detailed",
        "elaborate",
        "example",
        "examples",
        "go",
        "on",
        "continue",
        "mean",
        "means",
        "meaning",
        "work",
        "works",
        "used",
        "use",
        "it",
        "its",
        "it's",
        "itself",
        "they",
        "them",
        "their",
        "this",
        "that",
        "these",
        "those",
        "one",
        "ones",
        "previous",
        "last",
        "former",
        "latter",
        "above",
        "same",
        "first",
        "second",
        "difference",
        "between",
        "compare",
        "versus",
        "vs",
        "isn't",
        "aren't",
        "doesn't",
        "don't",
        "main",
        "key",
        "important",
        "why's",
        "how's",
        "advantage",
        "advantages",
        "disadvantage",
        "disadvantages",
        "drawback",
        "drawbacks",
        "downside",
        "downsides",
        "benefit",
        "benefits",
        "limitation",
        "limitations",
        "problem",
        "problems",
        "purpose",
        "role",
        "need",
        "needed",
        "matter",
        "matters",
        "so",
        "then",
        "there",
        "here",
        "than",
        "else",
        "other",
        "like",
    ]
)
_SUBJECT_WH = frozenset({"who", "what"})
_POSSESSIVE_END = re.compile(r"['’]s$")
_DETERMINERS = frozenset({"a", "an", "the"})
_LEAD = _FRAME - {"difference", "advantages", "disadvantages", "drawback", "drawbacks", "limitations"}
_TRAIL = frozenset(
    [
        "work",
        "works",
        "working",
        "mean",
        "means",
        "do",
        "does",
        "used",
        "use",
        "for",
        "defined",
        "called",
        "matter",
        "matters",
        "important",
        "help",
        "helps",
        "needed",
        "need",
        "exist",
    ]
)
MAX_TOPIC_WORDS = 8
MAX_OWN_CONTENT_WORDS = 2
"""A message with a referring word and at most this many content words of its own is a follow-up
even when one of them comes before the pronoun ("What are the disadvantages of it?")."""


@dataclass(frozen=True, slots=True)
class Topic:
    """What a question is about: its noun phrase and where it sits in the question's words."""

    phrase: str
    frame: str  # the question's words before the topic (and its determiner), e.g. "What is"
    rest: str  # the words after it, with the question mark
    determiner: bool


def resolve_followup(question: str, history: Sequence[ChatMessage]) -> str:
    """The standalone form of `question` given the earlier messages (oldest first)."""
    if _BARE_WHY.match(question) and (claim := _previous_claim(history)):
        return f"Why is it that {claim}?"
    topic = _previous_topic(history)
    if topic is None:
        return question
    return _resolve(question, topic)


_BARE_WHY = re.compile(
    r"^\s*(?:(?:but|and|so)\s+)?(?:why|how come)"
    r"(?:\s+(?:is|was)\s+(?:that|this|it)(?:\s+so)?|\s+so)?\s*[?.!]*\s*$",
    re.IGNORECASE,
)
_CITATION = re.compile(r"\s*\[\d+\]")
_CLAIM_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(*_`])")
MIN_CLAIM_WORDS = 3


def _previous_claim(history: Sequence[ChatMessage]) -> str | None:
    """The first sentence the previous answer quoted (it cited the book: an abstention cites nothing), past
    a "Yes."/"No." lead, without its citation marker and final stop, its first letter lower-cased unless
    it opens a name."""
    answer = next((m["content"] for m in reversed(history) if m["role"] == "assistant"), "")
    if not re.search(r"\[\d+\]", answer):
        return None
    sentences = _CLAIM_END.split(_CITATION.sub("", answer.strip().split("\n\n")[0]))
    claim = next((s for s in sentences[:2] if len(_content_words(s)) >= MIN_CLAIM_WORDS), None)
    if claim is None:
        return None
    claim = claim.strip().rstrip(".!?:;").strip("*_ ")
    opening = claim.split(" ", 1)[0]
    return (
        claim
        if len(opening) > 1 and (opening.isupper() or opening[1:] != opening[1:].lower())
        else claim[0].lower() + claim[1:]
    )


def _previous_topic(history: Sequence[ChatMessage]) -> Topic | None:
    """The newest topic among earlier learner questions, each resolved against those before it."""
    topic: Topic | None = None
    for message in history:
        if message["role"] != "user":
            continue
        resolved = _resolve(message["content"], topic) if topic is not None else message["content"]
        topic = topic_of(resolved) or topic
    return topic


def _resolve(question: str, topic: Topic) -> str:
    continuation = _CONTINUATION.match(question)
    if continuation and _content_words(continuation["subject"]):
        subject = _replace_references(continuation["subject"], topic)
        return f"{topic.frame} {subject}{topic.rest}".strip()
    if _refers_back(question):
        return _replace_references(question, topic)
    if not _content_words(question):
        core = question.strip().rstrip("?.! ")
        named = f"the {topic.phrase}" if topic.determiner else topic.phrase
        if not core:
            return question
        return f"{core}? ({named})" if len(core.split()) == 1 else f"{core} about {named}?"
    return question


def _refers_back(question: str) -> bool:
    match = _REFERRING.search(_EXPLETIVE_IT.sub(" ", question))
    if match is None:
        return False
    before = _content_words(question[: match.start()])
    return not before or len(_content_words(question)) <= MAX_OWN_CONTENT_WORDS


def _replace_references(text: str, topic: Topic) -> str:
    named = f"the {topic.phrase}" if topic.determiner else topic.phrase

    def replace(match: re.Match[str]) -> str:
        word = match.group(0)
        if word.lower() in _POSSESSIVE:
            replacement = f"{named}'s"
        elif word.lower() == "it's":
            replacement = f"{named} is"
        else:
            replacement = named
        return replacement[0].upper() + replacement[1:] if match.start() == 0 else replacement

    if _EXPLETIVE_IT.search(text):
        return text
    return _REFERRING.sub(replace, text)


def topic_of(question: str) -> Topic | None:
    """The noun phrase a question asks about: its words between the question frame and a trailing
    verb ("How does a PID controller work?" → "PID controller"); None when it has none."""
    if _REFERRING.search(_EXPLETIVE_IT.sub(" ", question)):
        return None  # a follow-up itself: its topic is the one it refers to
    tokens = [(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(question)]
    start = 0
    while start < len(tokens) and tokens[start][0].lower() in _LEAD:
        start += 1
    if start == 1 and tokens[0][0].lower() in _SUBJECT_WH and start < len(tokens) - 1:
        start += 1  # "Who described X?", "What causes X?": the word after is the verb
    end = len(tokens)
    while end > start and tokens[end - 1][0].lower() in _TRAIL | _FRAME:
        end -= 1
    if start >= end or not _content_words(" ".join(t for t, _, _ in tokens[start:end])):
        return None
    end = min(end, start + MAX_TOPIC_WORDS)
    frame_end = start
    while frame_end > 0 and tokens[frame_end - 1][0].lower() in _DETERMINERS:
        frame_end -= 1
    frame = question[: tokens[frame_end][1]].strip() if frame_end < len(tokens) else ""
    return Topic(
        phrase=_POSSESSIVE_END.sub("", question[tokens[start][1] : tokens[end - 1][2]]),
        frame=frame,
        rest=question[tokens[end - 1][2] :].rstrip() or "?",
        determiner=frame_end < start,
    )


def _content_words(text: str) -> list[str]:
    return [w for w in _TOKEN.findall(text) if w.lower() not in _FRAME and not w.isdigit()]
