"""Short excerpts of the book's code: where a book explains by code (a comment, a docstring, a named
constant), the few lines that say it answer better than any sentence around them.

A code block is cut at blank lines into stanzas of at most `MAX_EXCERPT_LINES` lines (a longer stanza
at its comments and definitions); each stanza is a candidate of its own, scored like a sentence. The
answer shows one below its sentences when it matches the question better than they do.
"""

from __future__ import annotations

import re
import textwrap

from booktutor.extractive.diagrams import diagram_windows

MAX_EXCERPT_LINES = 8
MIN_EXCERPT_LINES = 2
MAX_EXCERPTS_PER_BLOCK = 30
ANSWERING_EXCERPTS_PER_BLOCK = 12
"""The stanzas of a block that may answer any question; the later ones (up to `MAX_EXCERPTS_PER_BLOCK`) only
a question asking how something works (`intent.asks_mechanism`): a lab's listing often computes its answer
near its end ("score = (...)" in the last method), while asked anything else the later stanzas of a long
example (a log line, its usage) outscored the lines that explain and said less."""
DIAGRAM_LANGUAGES = frozenset({"mermaid", "plantuml", "dot", "graphviz", "text", "txt", "", "plain"})
"""Diagrams and console output are not code to quote; an untagged block is often either."""
_BREAK = re.compile(r"^\s*(?:#|//|def\s|class\s|async\s+def\s|function\s)")
DOCSTRING_QUOTES = ('"""', "'''")
_TRIPLE = re.compile("|".join(re.escape(quotes) for quotes in DOCSTRING_QUOTES))
_IMPORT = re.compile(r"^\s*(?:import|from\s+\S+\s+import|#include|using)\b")
_WORDISH = re.compile(r"[A-Za-z]{3,}")


FLOWCHART_LANGUAGE = "mermaid"
"""The diagram language whose flowcharts are read as lines (extractive.diagrams)."""
DIAGRAM_EXCERPT_LANGUAGE = "text"
"""A flowchart's lines are words, not Mermaid source: shown as plain text."""


def code_excerpts(code: str, language: str) -> list[str]:
    """The stanzas of a code block worth quoting on their own, dedented, in order; a Mermaid
    flowchart's edges as lines (its statements, which no sentence may repeat)."""
    if language.lower() == FLOWCHART_LANGUAGE:
        return diagram_windows(code)[:MAX_EXCERPTS_PER_BLOCK]
    if language.lower() in DIAGRAM_LANGUAGES:
        return []
    excerpts = [textwrap.dedent("\n".join(part)).strip("\n") for part in _stanzas(code.splitlines())]
    return [e for e in excerpts if _worth_quoting(e)][:MAX_EXCERPTS_PER_BLOCK]


def excerpt_language(language: str) -> str:
    """The language an excerpt of a block in `language` is shown in."""
    return DIAGRAM_EXCERPT_LANGUAGE if language.lower() == FLOWCHART_LANGUAGE else language


def _stanzas(lines: list[str]) -> list[list[str]]:
    """Runs of lines between blank lines (a docstring's blank lines do not count), each cut to size."""
    groups: list[list[str]] = [[]]
    in_string = False
    for line in lines:
        if line.strip() or in_string:
            groups[-1].append(line)
        elif groups[-1]:
            groups.append([])
        in_string ^= toggles_string(line)
    return [window for group in groups if group for window in _windows(group)]


def _windows(group: list[str]) -> list[list[str]]:
    """A long stanza cut where a comment or a definition starts a new thought (never inside a docstring)."""
    windows: list[list[str]] = [[]]
    in_string = False
    for line in group:
        current = windows[-1]
        full = len(current) >= MAX_EXCERPT_LINES + (MAX_EXCERPT_LINES // 2 if in_string else 0)
        if full or (not in_string and len(current) >= MIN_EXCERPT_LINES + 1 and _BREAK.match(line)):
            windows.append([])
        windows[-1].append(line)
        in_string ^= toggles_string(line)
    return windows


def toggles_string(line: str) -> bool:
    """Whether the line opens or closes a triple-quoted string (a docstring) without doing both."""
    return len(_TRIPLE.findall(line)) % 2 == 1


def _worth_quoting(excerpt: str) -> bool:
    lines = [line for line in excerpt.splitlines() if line.strip()]
    if len(lines) < MIN_EXCERPT_LINES or all(_IMPORT.match(line) for line in lines):
        return False
    return len(_WORDISH.findall(excerpt)) >= 4
