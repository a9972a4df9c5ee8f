"""The acronyms a text defines: "Long Name (LN)" or "LN (Long Name)", read from the book's own words.

A question may name a thing by its acronym ("What QoS setting ...") where the book's sentences and
headings spell it out ("Quality of service"), or the other way round. `Aliases` learns each pair from
the text at hand (no hand list) and lets a set of content words stand for both names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from booktutor.extractive.text import content_terms

MAX_EXTRA_WORDS = 2
"""A long form may have this many more words than its acronym has letters (small words: 'of', 'and')."""
_SMALL_WORDS = frozenset({"a", "an", "and", "for", "in", "of", "on", "the", "to", "with"})
_ACRONYM = r"[A-Z][A-Za-z]*[A-Z](?:[ -]?\d+)?|[A-Z]{2,}[a-z]?"
_LONG_THEN_SHORT = re.compile(rf"\(\s*({_ACRONYM})\s*\)")
_SHORT_THEN_LONG = re.compile(rf"\b({_ACRONYM})\s*\(([^()]{{3,80}})\)")
_LONG_WORD = re.compile(r"[A-Za-z]+|\d+")
_MARKUP = re.compile(r"[*_`]")


def _initials(words: list[str]) -> str:
    return "".join(w[0].lower() for w in words)


def _spells(acronym: str, words: list[str]) -> bool:
    """The words' initials spell the acronym: every letter and digit of it ('QoS': quality of service),
    or its capitals and digits with or without the small words ('LiDAR': light detection and ranging)."""
    if not words or words[0].lower() in _SMALL_WORDS or words[-1].lower() in _SMALL_WORDS:
        return False
    every = "".join(ch.lower() for ch in acronym if ch.isalnum())
    capitals = "".join(ch.lower() for ch in acronym if ch.isupper() or ch.isdigit())
    content = [w for w in words if w.lower() not in _SMALL_WORDS]
    return _initials(words) in (every, capitals) or _initials(content) == capitals


def _long_form_before(acronym: str, before: str) -> list[str]:
    """The words just before '(LN)' that spell LN, or none."""
    tokens = _LONG_WORD.findall(_MARKUP.sub("", before))
    letters = sum(ch.isalnum() for ch in acronym.replace(" ", ""))
    for count in range(2, letters + MAX_EXTRA_WORDS + 1):
        words = tokens[-count:] if count <= len(tokens) else []
        if words and _spells(acronym, words):
            return words
    return []


def defined_acronyms(text: str) -> list[tuple[str, str]]:
    """The (acronym, long form) pairs a text defines, in order."""
    pairs: list[tuple[str, str]] = []
    for match in _LONG_THEN_SHORT.finditer(text):
        acronym = match.group(1)
        if words := _long_form_before(acronym, text[max(0, match.start() - 120) : match.start()]):
            pairs.append((acronym, " ".join(words)))
    for match in _SHORT_THEN_LONG.finditer(text):
        acronym, words = match.group(1), _LONG_WORD.findall(_MARKUP.sub("", match.group(2)))
        if _spells(acronym, words):
            pairs.append((acronym, " ".join(words)))
    return pairs


@dataclass(frozen=True)
class Alias:
    short: str  # the acronym as the book writes it
    long: str  # its long form
    short_terms: frozenset[str]
    long_terms: frozenset[str]


@dataclass(frozen=True)
class Aliases:
    """Pairs of names of the same thing: an acronym and its long form, as a text defines them."""

    pairs: tuple[Alias, ...] = ()

    @classmethod
    def learn(cls, texts: Iterable[str]) -> Aliases:
        return cls.of(pair for text in texts for pair in defined_acronyms(text))

    @classmethod
    def of(cls, pairs: Iterable[tuple[str, str]]) -> Aliases:
        seen: dict[frozenset[str], Alias] = {}
        for short, long in pairs:
            short_terms, long_terms = content_terms(short), content_terms(long)
            if short_terms and long_terms and not short_terms <= long_terms and short_terms not in seen:
                seen[short_terms] = Alias(short, long, short_terms, long_terms)
        return cls(tuple(seen.values()))

    def __or__(self, other: Aliases) -> Aliases:
        return Aliases.of((a.short, a.long) for a in (*self.pairs, *other.pairs))

    def named_in(self, terms: frozenset[str]) -> Aliases:
        """The pairs whose either name the terms hold."""
        return Aliases(tuple(a for a in self.pairs if holds(terms, a.short_terms) or holds(terms, a.long_terms)))

    def named_in_text(self, text: str) -> Aliases:
        """The pairs whose acronym the text says, or whose long form it says as one phrase: 'robot' and
        'operating system' apart do not name the Robot Operating System."""
        return Aliases(tuple(a for a in self.pairs if _says(text, a.short) or _says(text, a.long)))

    def asked_names(self, asked: frozenset[str]) -> list[tuple[frozenset[str], frozenset[str]]]:
        """(the question's name, the other name) of every thing the question's words name, the name as the
        question's words say it ('imus' for 'IMUs')."""
        names = []
        for a in self.pairs:
            if said := holds(asked, a.short_terms):
                names.append((said, a.long_terms))
            elif said := holds(asked, a.long_terms):
                names.append((said, a.short_terms))
        return names

    def said_by_other_name(self, asked: frozenset[str], said: frozenset[str]) -> frozenset[str]:
        """The asked words that name a thing `said` names in full by its other name ('qos' asked, 'quality of
        service' said): a word of a long form alone ('system' of 'robot operating system') names nothing."""
        return frozenset().union(*(name for name, other in self.asked_names(asked) if holds(said, other)))


def holds(terms: frozenset[str], name: frozenset[str]) -> frozenset[str]:
    """The words of `terms` that say every word of `name`, in the singular or the plural ('imus' for 'imu':
    the stemmer leaves an acronym's 's'), or nothing."""
    found = [next((v for v in _forms(t) if v in terms), "") for t in name]
    return frozenset(found) if name and all(found) else frozenset()


def _forms(term: str) -> tuple[str, ...]:
    return (term, term + "s", term[:-1]) if term.endswith("s") and len(term) > 2 else (term, term + "s")


def _says(text: str, name: str) -> bool:
    words = _LONG_WORD.findall(name)
    return bool(words) and re.search(r"\b" + r"\W+".join(map(re.escape, words)) + r"s?\b", text, re.I) is not None


NO_ALIASES = Aliases()


class Sentence(Protocol):
    """What `renamed_sections` reads of a candidate sentence (`scoring.Candidate`)."""

    @property
    def n(self) -> int: ...

    @property
    def heading(self) -> frozenset[str]: ...

    @property
    def terms(self) -> frozenset[str]: ...


def renamed_sections(asked: frozenset[str], candidates: Sequence[Sentence], aliases: Aliases) -> frozenset[int]:
    """The sections headed by the other name of a thing the question names ('Quality of service' for 'What
    QoS setting ...') whose sentences say the question's name only where they define it: the book files the
    answer under the name the learner did not use, and its sentences rarely repeat either. A section that uses
    the learner's name itself ('IMUs report at 1 kHz' under 'Inertial measurement units') is matched by it."""
    sections: dict[int, list[Sentence]] = {}
    for candidate in candidates:
        sections.setdefault(candidate.n, []).append(candidate)
    renamed = set()
    for n, held in sections.items():
        heading = held[0].heading
        for name, other in aliases.asked_names(asked):
            if (
                holds(heading, other)
                and heading <= asked | holds(heading, other)
                and not holds(heading, name)
                and not any(holds(c.terms, name) and not holds(c.terms, other) for c in held)
            ):
                renamed.add(n)
    return frozenset(renamed)
