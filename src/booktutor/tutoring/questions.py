"""A quiz question as the server keeps it, and the masked view a client may see."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

QuestionKind = Literal["mcq", "short"]
QuestionStyle = Literal["authored", "definition", "cloze", "generated", "list", "table", "number", "code", "imported"]


class QuizQuestion(BaseModel):
    id: str
    kind: QuestionKind
    style: QuestionStyle
    prompt: str
    choices: list[str] = Field(default_factory=list)
    answer: int | str  # choice index for mcq, reference answer for short
    explanation: str = ""
    key_terms: list[str] = Field(default_factory=list)
    doc_path: str
    chapter_title: str
    heading: str
    anchor: str
    anchor_url: str
    source_sentence: str = ""  # the book sentence a generated question was built from

    def public(self) -> dict[str, Any]:
        """What the learner sees before answering: no answer, explanation, key terms or source."""
        return {
            "id": self.id,
            "kind": self.kind,
            "style": self.style,
            "prompt": self.prompt,
            "choices": list(self.choices),
        }

    def correct_answer_text(self) -> str:
        return self.choices[self.answer] if self.kind == "mcq" and isinstance(self.answer, int) else str(self.answer)

    def citation(self) -> dict[str, str]:
        return {
            "doc_path": self.doc_path,
            "chapter_title": self.chapter_title,
            "heading": self.heading,
            "anchor_url": self.anchor_url,
        }


def normalized(text: str) -> str:
    return " ".join("".join(ch.lower() if ch.isalnum() else " " for ch in text).split())
