"""Author-written questions from ```quiz fenced blocks (YAML lists)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import yaml
from markdown_it.token import Token

from booktutor.ingest.document import first_h1
from booktutor.markdown.fences import QUIZ_LANGUAGE, fence_language
from booktutor.markdown.headings import HeadingTracker, read_heading
from booktutor.markdown.parse import new_parser

QuestionType = Literal["mcq", "short"]


@dataclass(frozen=True, slots=True)
class AuthoredQuestion:
    id: str
    type: QuestionType
    question: str
    choices: tuple[str, ...]  # empty for short questions
    answer: int | str  # index into choices for mcq; reference answer for short
    explanation: str
    key_terms: tuple[str, ...]
    heading_path: tuple[str, ...]  # the section the quiz block sits in
    anchor: str


@dataclass(frozen=True, slots=True)
class QuizProblem:
    line: int  # 1-based line of the quiz fence in the markdown
    anchor: str
    message: str


@dataclass(frozen=True, slots=True)
class QuizExtraction:
    questions: list[AuthoredQuestion] = field(default_factory=list)
    problems: list[QuizProblem] = field(default_factory=list)


class InvalidQuestion(ValueError):
    """One quiz item is malformed; the message says how."""


def extract_quiz_blocks(markdown: str, *, title: str | None = None) -> list[AuthoredQuestion]:
    """Valid questions only; see parse_quiz_blocks for the problems with invalid ones."""
    return parse_quiz_blocks(markdown, title=title).questions


def parse_quiz_blocks(markdown: str, *, title: str | None = None) -> QuizExtraction:
    """Questions from every ```quiz block, plus a problem per invalid block or item.

    `title` should be the chapter title used for chunking so heading paths match the chunks'.
    """
    result = QuizExtraction()
    seen_ids: set[str] = set()
    tracker = HeadingTracker(title or first_h1(markdown) or "")
    path: tuple[str, ...] = (tracker.title,)
    anchor = ""
    tokens = new_parser().parse(markdown)
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.level == 0:
            heading = read_heading(token, tokens[index + 1], tracker.slugger)
            path, anchor = tracker.push(heading), heading.anchor
        elif token.type == "fence" and fence_language(token) == QUIZ_LANGUAGE:
            _read_block(token, path, anchor, seen_ids, result)
    return result


def _read_block(
    token: Token,
    path: tuple[str, ...],
    anchor: str,
    seen_ids: set[str],
    result: QuizExtraction,
) -> None:
    line = (token.map[0] if token.map else 0) + 1
    try:
        items = _load_items(token.content)
    except InvalidQuestion as error:
        result.problems.append(QuizProblem(line, anchor, str(error)))
        return
    for number, item in enumerate(items, start=1):
        try:
            question = _to_question(item, path, anchor)
            if question.id in seen_ids:
                raise InvalidQuestion(f"duplicate question id {question.id!r}")
        except InvalidQuestion as error:
            result.problems.append(QuizProblem(line, anchor, f"item {number}: {error}"))
            continue
        seen_ids.add(question.id)
        result.questions.append(question)


def _load_items(content: str) -> list[Any]:
    try:
        data = yaml.safe_load(content)
    except yaml.YAMLError as error:
        raise InvalidQuestion(f"quiz block is not valid YAML: {error}") from error
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise InvalidQuestion("quiz block must be a YAML list of questions")
    return data


def _to_question(item: Any, path: tuple[str, ...], anchor: str) -> AuthoredQuestion:
    if not isinstance(item, dict):
        raise InvalidQuestion("each question must be a mapping")
    kind = str(item.get("type", "mcq")).strip().lower()
    if kind not in ("mcq", "short"):
        raise InvalidQuestion(f"type must be 'mcq' or 'short', got {kind!r}")
    choices = _string_list(item.get("choices"), "choices") if kind == "mcq" else ()
    return AuthoredQuestion(
        id=_required_text(item, "id"),
        type="mcq" if kind == "mcq" else "short",
        question=_required_text(item, "question"),
        choices=choices,
        answer=_mcq_answer(item.get("answer"), choices) if kind == "mcq" else _short_answer(item),
        explanation=str(item.get("explanation") or "").strip(),
        key_terms=_string_list(item.get("key_terms"), "key_terms"),
        heading_path=path,
        anchor=anchor,
    )


def _required_text(item: dict[str, Any], key: str) -> str:
    value = item.get(key)
    if value is None or not str(value).strip():
        raise InvalidQuestion(f"missing {key!r}")
    return str(value).strip()


def _string_list(value: Any, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise InvalidQuestion(f"{key!r} must be a list")
    return tuple(str(entry).strip() for entry in value)


def _mcq_answer(answer: Any, choices: tuple[str, ...]) -> int:
    if len(choices) < 2:
        raise InvalidQuestion("an mcq needs at least two choices")
    if isinstance(answer, str) and answer.strip() in choices:
        return choices.index(answer.strip())
    if isinstance(answer, bool) or not isinstance(answer, int):
        raise InvalidQuestion("mcq answer must be the 0-based index of the correct choice")
    if not 0 <= answer < len(choices):
        raise InvalidQuestion(f"mcq answer {answer} is outside choices 0..{len(choices) - 1}")
    return answer


def _short_answer(item: dict[str, Any]) -> str:
    return _required_text(item, "answer")
