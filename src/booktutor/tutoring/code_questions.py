"""Questions from a chapter's code listings: which call a comment in the code introduces.

A comment that names a step ("# Keep the node running") right above a statement making a call
(`rclpy.spin(node)`) is something the chapter states in its code; a chapter taught mostly in code has
few other facts to ask about. The question quotes the comment and asks for the call; the wrong choices
are the other commented calls of the chapter, so every choice is code the learner has read. None is
asked when the comment names the call's words and no other choice shares one ("# Create a node" over
`Node(...)`), or when the chapter has too few other calls.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from booktutor.tutoring.facts import STOP_WORDS, ProseSection, prose_sections
from booktutor.tutoring.prose import Citer
from booktutor.tutoring.questions import QuizQuestion, normalized

MAX_CODE_QUESTIONS = 4
STEM = 6
MIN_CHAPTER_QUESTIONS = 6  # code questions fill a chapter taught in code up to this many questions
_COMMENT = re.compile(r"^\s*(?:#|//)\s*(?P<text>[A-Z][^#]*?)\s*$")
_CALL = re.compile(r"^\s*(?:[\w.\[\]]+\s*(?::\s*[\w.\[\]]+\s*)?=\s*)?(?:await\s+)?(?P<callee>[A-Za-z_][\w.]*)\(")
# Calls every program makes: the comment above one describes the statement, not the call.
_GENERIC_CALLS = frozenset(
    {
        *("max", "min", "len", "print", "range", "int", "float", "str", "list", "dict", "set", "tuple", "sum"),
        *("abs", "round", "sorted", "enumerate", "zip", "isinstance", "array", "zeros", "ones", "sqrt", "mean"),
        *("stack", "concatenate", "copy", "append", "extend", "get", "format", "sleep", "time", "super"),
    }
)
# Comments that are notes, not a step the next line performs.
_NOT_A_STEP = re.compile(r"\b(e\.g\.|todo|fixme|placeholder|in practice|you'd|you would|example|here)\b|[?:]$", re.I)


@dataclass(frozen=True, slots=True)
class CommentedCall:
    section: ProseSection
    comment: str
    statement: str
    call: str  # "cv_bridge.imgmsg_to_cv2()": the callee without `self.`, as a choice shows it


def code_questions(markdown: str, title: str, citer: Citer, limit: int = MAX_CODE_QUESTIONS) -> list[QuizQuestion]:
    """Up to `limit` questions, one per distinct call: each section's first call first, then its second, …"""
    calls = commented_calls(prose_sections(markdown, title))
    questions: list[QuizQuestion] = []
    for found in _spread(calls):
        if len(questions) >= limit:
            break
        names = {_name(c.call): c.call for c in reversed(calls)}  # one call per name: the first
        wrong = _wrong_choices(found, [call for name, call in reversed(names.items()) if name != _name(found.call)])
        if wrong and found.call not in {q.correct_answer_text() for q in questions}:
            questions.append(_question(found, wrong, citer))
    return questions


def _spread(calls: list[CommentedCall]) -> list[CommentedCall]:
    """Reading order, except that a section's n-th call comes after every section's (n-1)-th."""
    seen: dict[str, int] = {}
    ranked = []
    for call in calls:
        seen[call.section.anchor] = seen.get(call.section.anchor, -1) + 1
        ranked.append((seen[call.section.anchor], call))
    return [call for _, call in sorted(ranked, key=lambda pair: pair[0])]


def commented_calls(sections: list[ProseSection]) -> list[CommentedCall]:
    found: list[CommentedCall] = []
    for section in sections:
        for listing in section.listings:
            lines = listing.split("\n")[1:-1]  # inside the fences
            for index, (comment_line, statement) in enumerate(zip(lines, lines[1:], strict=False)):
                comment = _COMMENT.match(comment_line)
                call = _CALL.match(statement) if _whole_step(lines, index + 1) else None
                callee = re.sub(r"^self\.", "", call.group("callee")) if call else ""
                if comment and callee and _is_step(comment.group("text")) and not _generic(callee):
                    found.append(CommentedCall(section, comment.group("text"), statement.strip(), f"{callee}()"))
    return found


def _whole_step(lines: list[str], index: int) -> bool:
    """The statement at `index` is all the comment above it covers: after it (and its continuation
    lines) comes a blank line, another comment or a line indented less."""
    indent = _indent(lines[index])
    for line in lines[index + 1 :]:
        if line.strip() and (_indent(line) > indent or line.strip()[0] in ")]}"):
            continue  # the statement's continuation
        return not line.strip() or _indent(line) < indent or bool(_COMMENT.match(line))
    return True


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _name(call: str) -> str:
    """ "cv_bridge.imgmsg_to_cv2()" → "imgmsg_to_cv2": choices differing only by their object read alike."""
    return call.rsplit(".", 1)[-1].removesuffix("()")


def _generic(callee: str) -> bool:
    return callee.rsplit(".", 1)[-1] in _GENERIC_CALLS


def _is_step(comment: str) -> bool:
    return 3 <= len(comment.split()) <= 12 and not _NOT_A_STEP.search(comment)


def _words(call: str) -> str:
    """A call's name as words ("MultiThreadedExecutor()" → "multi threaded executor")."""
    return normalized(re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", call.replace("_", " ")))


def _wrong_choices(found: CommentedCall, others: list[str]) -> list[str]:
    """Three other calls, those naming the comment's words first; [] when the key still names more of
    them than any other choice ("# Check for conflicts" over `_check_conflicts()`)."""
    if len(others) < 3:
        return []
    comment = set(_stems(found.comment))
    shared = {call: len(comment & set(_stems(call))) for call in others}
    wrong = sorted(others, key=lambda call: -shared[call])[:3]  # stable: reading order among equals
    return [] if len(comment & set(_stems(found.call))) > shared[wrong[0]] else wrong


def _stems(text: str) -> list[str]:
    """Content words cut to their first letters, so "Subscribe" meets `create_subscription`."""
    return [w[:STEM] for w in _words(text).split() if w not in STOP_WORDS]


def _question(found: CommentedCall, wrong: list[str], citer: Citer) -> QuizQuestion:
    section = found.section
    digest = hashlib.sha256(f"{citer.doc_path}|{found.comment}|{found.call}".encode()).hexdigest()[:12]
    choices = sorted([found.call, *wrong], key=lambda c: hashlib.sha256(f"{found.call}|{c}".encode()).hexdigest())
    return QuizQuestion(
        id=f"code-{digest}",
        kind="mcq",
        style="code",
        prompt=f"In the code in “{section.heading}”, which call comes right after the comment “{found.comment}”?",
        choices=choices,
        answer=choices.index(found.call),
        explanation=f"The code in “{section.heading}” reads: “{found.comment}” then `{found.statement}`",
        key_terms=[found.call],
        doc_path=citer.doc_path,
        chapter_title=citer.chapter_title,
        heading=section.heading,
        anchor=section.anchor,
        anchor_url=citer.url(section.anchor),  # type: ignore[operator]
        source_sentence=f"{found.comment}: {found.statement}",
    )
