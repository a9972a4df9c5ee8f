"""Short excerpts of the book's code: where a book explains by code (a comment, a docstring, a named
constant), the few lines that say it answer better than any sentence around them.

A code block is cut at blank lines into stanzas of at most `MAX_EXCERPT_LINES` lines (a longer stanza
at its comments and definitions, never inside a statement's brackets); each stanza is a candidate of its
own, scored like a sentence. The answer shows one below its sentences when it matches the question better
than they do; a stanza that only names a definition is shown with the start of its body (`with_body`).
"""

from __future__ import annotations

import re
import textwrap

from booktutor.extractive.diagrams import diagram_windows

MAX_EXCERPT_LINES = 8
MIN_EXCERPT_LINES = 2
MAX_STATEMENT_LINES = MAX_EXCERPT_LINES + MAX_EXCERPT_LINES // 2
"""A stanza grows past `MAX_EXCERPT_LINES` to close a statement's brackets (`self.declare_parameter(` with
its arguments), or a docstring, up to this many lines; the lines of a longer statement are no excerpt: cut
inside its brackets, they show a learner half a call."""
MAX_EXCERPTS_PER_BLOCK = 30
ANSWERING_EXCERPTS_PER_BLOCK = 12
"""The stanzas of a block that may answer any question; the later ones (up to `MAX_EXCERPTS_PER_BLOCK`) only
a question asking how something works (`intent.asks_mechanism`): a lab's listing often computes its answer
near its end ("score = (...)" in the last method), while asked anything else the later stanzas of a long
example (a log line, its usage) outscored the lines that explain and said less."""
DIAGRAM_LANGUAGES = frozenset({"mermaid", "plantuml", "dot", "graphviz", "text", "txt", "", "plain"})
"""Diagrams and console output are not code to quote; an untagged block is often either."""
SHELL_LANGUAGES = frozenset({"bash", "sh", "shell", "console", "zsh", "powershell", "bat", "cmd"})
"""A command ends with its line (or a backslash): its brackets are arguments (`/topic@pkg/msg/Type[gz.msgs.T`)."""
_BREAK = re.compile(r"^\s*(?:#|//|def\s|class\s|async\s+def\s|function\s)")
DOCSTRING_QUOTES = ('"""', "'''")
_TRIPLE = re.compile("|".join(re.escape(quotes) for quotes in DOCSTRING_QUOTES))
_IMPORT = re.compile(r"^\s*(?:import|from\s+\S+\s+import|#include|using)\b")
_WORDISH = re.compile(r"[A-Za-z]{3,}")
_QUOTED = re.compile(r"'(?:\\.|[^'\\])*'|\"(?:\\.|[^\"\\])*\"")
_LINE_COMMENT = re.compile(r"^\s*(?:#|//).*|\s#\s.*|;\s*//.*")
_COMMENT_LINE = re.compile(r"^\s*(?://|#(?!include|define|if|else|endif|pragma|undef))")
_OPENERS, _CLOSERS = "([{", ")]}"


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
    nested = language.lower() not in SHELL_LANGUAGES
    excerpts = [textwrap.dedent("\n".join(part)).strip("\n") for part in _stanzas(code.splitlines(), nested)]
    return [e for e in excerpts if _worth_quoting(e)][:MAX_EXCERPTS_PER_BLOCK]


def excerpt_language(language: str) -> str:
    """The language an excerpt of a block in `language` is shown in."""
    return DIAGRAM_EXCERPT_LANGUAGE if language.lower() == FLOWCHART_LANGUAGE else language


def _stanzas(lines: list[str], nested: bool) -> list[list[str]]:
    """Runs of lines between blank lines (a docstring's blank lines do not count), each cut to size; none
    that starts or ends inside a statement's brackets."""
    groups: list[list[str]] = [[]]
    in_string = False
    for line in lines:
        if line.strip() or in_string:
            groups[-1].append(line)
        elif groups[-1]:
            groups.append([])
        in_string ^= toggles_string(line)
    return [window for group in groups if group for window, whole in _windows(group, nested) if whole]


def _windows(group: list[str], nested: bool) -> list[tuple[list[str], bool]]:
    """A long stanza cut where a comment or a definition starts a new thought (never inside a docstring),
    once its statements are complete (`MAX_STATEMENT_LINES`), each with whether it starts and ends outside
    any bracket."""
    windows: list[tuple[list[str], bool]] = [([], True)]
    in_string = False
    depth = 0
    for line in group:
        current, whole = windows[-1]
        full = len(current) >= MAX_EXCERPT_LINES + (MAX_EXCERPT_LINES // 2 if in_string else 0)
        thought = not in_string and len(current) >= MIN_EXCERPT_LINES + 1 and _BREAK.match(line)
        if (full or thought) and (depth == 0 or len(current) >= MAX_STATEMENT_LINES):
            windows[-1] = (current, whole and depth == 0)
            windows.append(([], depth == 0))
        windows[-1][0].append(line)
        depth = bracket_depth(line, depth) if nested and not in_string else depth
        in_string ^= toggles_string(line)
    current, whole = windows[-1]
    windows[-1] = (current, whole and depth == 0)
    return windows


def bracket_depth(line: str, depth: int) -> int:
    """How many brackets are open after `line`, `depth` before it (not those in its strings or comments;
    closing more than are open leaves none)."""
    if toggles_string(line):
        return depth
    for char in _LINE_COMMENT.sub("", _QUOTED.sub('""', line)):
        if char in _OPENERS:
            depth += 1
        elif char in _CLOSERS:
            depth = max(depth - 1, 0)
    return depth


def toggles_string(line: str) -> bool:
    """Whether the line opens or closes a triple-quoted string (a docstring) without doing both."""
    return len(_TRIPLE.findall(line)) % 2 == 1


def _worth_quoting(excerpt: str) -> bool:
    lines = [line for line in excerpt.splitlines() if line.strip()]
    code = [line for line in lines if not _COMMENT_LINE.match(line)]
    if len(lines) < MIN_EXCERPT_LINES or (code and all(_IMPORT.match(line) for line in code)):
        return False  # a file name over its imports shows no use of them
    statements = _statements(code)
    if statements and not any(_DEFINITION.match(line) for line in code) and all(map(_LOG.match, statements)):
        return False  # a log line says what happened, not how
    return len(_WORDISH.findall(excerpt)) >= 4


_DEFINITION = re.compile(r"^\s*(?:async\s+def|def|class|function)\s")
_DECORATOR = re.compile(r"^\s*@")
_LOG = re.compile(r"^\s*(?:print|console\.log|(?:self\.)?(?:get_logger\(\)|logger|log|logging)\.\w+|RCLCPP_\w+)\s*\(")


def with_body(excerpt: str, listing: str) -> str:
    """A stanza that only names a definition (its signature and docstring, at most one statement: `def
    imu_callback(self, msg):` under 'Process incoming IMU data.') with the start of the body that follows it in
    its listing: whole stanzas, else whole statements, up to `MAX_STATEMENT_LINES` lines. Else the stanza."""
    lines = excerpt.splitlines()
    source = listing.splitlines()
    start = _located(lines, source) if _bare_definition(lines) else None
    if start is None:
        return excerpt
    end = _body_end(source, start, len(lines))
    return textwrap.dedent("\n".join(source[start:end])).strip("\n") if end > start + len(lines) else excerpt


def _bare_definition(lines: list[str]) -> bool:
    """The lines define something (a decorator or a comment may come first) and do at most one thing."""
    code = [line for line in lines if line.strip() and not _COMMENT_LINE.match(line) and not _DECORATOR.match(line)]
    return bool(code) and bool(_DEFINITION.match(code[0])) and len(_statements(code)) <= 1


def _statements(lines: list[str]) -> list[str]:
    """The lines starting a statement that does something: no definition line, docstring or comment."""
    starts = []
    depth, in_string = 0, False
    for line in lines:
        declares = any(p.match(line) for p in (_DEFINITION, _COMMENT_LINE, _DECORATOR))
        if not in_string and depth == 0 and not declares and not line.lstrip().startswith(DOCSTRING_QUOTES):
            starts.append(line)
        depth = depth if in_string else bracket_depth(line, depth)
        in_string ^= toggles_string(line)
    return starts


def _located(lines: list[str], source: list[str]) -> int | None:
    """Where the (dedented) lines stand in the listing."""
    wanted = [line.strip() for line in lines]
    for start in range(len(source) - len(lines) + 1):
        if [line.strip() for line in source[start : start + len(lines)]] == wanted:
            return start
    return None


def _body_end(source: list[str], start: int, size: int) -> int:
    """The end of the lines from `start` shown with the body that follows its first `size` lines: the last
    whole stanza of the definition's body within `MAX_STATEMENT_LINES` lines, else its last whole statement."""
    head = next(line for line in source[start:] if _DEFINITION.match(line))
    indent = len(head) - len(head.lstrip())
    stanza_end = statement_end = start + size
    depth, in_string = 0, False
    for index in range(start + size, min(len(source), start + MAX_STATEMENT_LINES)):
        line = source[index]
        if line.strip() and len(line) - len(line.lstrip()) <= indent and depth == 0 and not in_string:
            return index  # the body ended: show it whole
        depth = depth if in_string else bracket_depth(line, depth)
        in_string ^= toggles_string(line)
        if depth == 0 and not in_string and not line.rstrip().endswith("\\"):
            statement_end = index + 1
            following = source[index + 1] if index + 1 < len(source) else ""
            stanza_end = index + 1 if not following.strip() else stanza_end
    return stanza_end if stanza_end > start + size else statement_end
