"""Questions written by a language model from one section, then validated against the section.

The model proposes multiple-choice and short-answer questions (structured output); code keeps only
those whose answer the section supports (its content words or key terms appear in the section, or
a section sentence is close to it in MiniLM space), whose distractors are distinct and less
supported than the answer, and that duplicate no question already kept.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Literal

import numpy as np
import structlog
from agents import Agent, Model, Runner
from pydantic import BaseModel

from booktutor.providers.embeddings import Embedder
from booktutor.tutoring.generate import ChapterMaterial, Section
from booktutor.tutoring.grading import _stem, term_covered
from booktutor.tutoring.questions import QuizQuestion, normalized

log = structlog.get_logger(__name__)
LLM_GENERATOR_VERSION = "llm-v1"
MIN_SECTION_WORDS = 25
MAX_QUESTIONS_PER_SECTION = 6
SUPPORT_SIMILARITY = 0.8  # a section sentence this close to the answer statement supports it
DUPLICATE_SIMILARITY = 0.92  # questions closer than this ask the same thing
CHOICE_SIMILARITY = 0.97  # choices closer than this say the same thing
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")

INSTRUCTIONS = """\
You write practice questions for a textbook section. Use only facts stated in the section.
Write multiple-choice questions ("mcq": 4 choices, exactly one correct, the others plausible but
wrong according to the section; correct_choice is its 0-based index; reference_answer is "") and
short-answer questions ("short": choices is [], correct_choice is -1, reference_answer is one
sentence). key_terms are the section's words a correct answer must use; source_sentence is the
section sentence the answer comes from. Do not repeat a question."""


class ProposedQuestion(BaseModel):
    kind: Literal["mcq", "short"]
    prompt: str
    choices: list[str]
    correct_choice: int
    reference_answer: str
    key_terms: list[str]
    explanation: str
    source_sentence: str


class ProposedQuestions(BaseModel):
    questions: list[ProposedQuestion]


def section_hash(section: Section) -> str:
    text = f"{LLM_GENERATOR_VERSION}\n{' > '.join(section.heading_path)}\n{section.text}"
    return hashlib.sha256(text.encode()).hexdigest()


def worth_asking(section: Section) -> bool:
    heading = section.heading_path[-1].strip().lower() if section.heading_path else ""
    long_enough = len(section.text.split()) >= MIN_SECTION_WORDS
    return long_enough and heading not in ("key terms", "glossary")


class LLMQuestionGenerator:
    def __init__(self, model: Model, embedder: Embedder) -> None:
        self.agent = Agent(
            name="question_writer",
            instructions=INSTRUCTIONS,
            model=model,
            output_type=ProposedQuestions,
        )
        self.embedder = embedder

    async def propose(self, section: Section) -> list[ProposedQuestion]:
        """The model's questions for a section; raises if the model fails or returns bad JSON."""
        payload = {"heading": " > ".join(section.heading_path), "section": section.text}
        result = await Runner.run(self.agent, json.dumps(payload, ensure_ascii=False), max_turns=1)
        return result.final_output_as(ProposedQuestions, raise_if_incorrect_type=True).questions

    async def generate(self, material: ChapterMaterial, section: Section) -> list[QuizQuestion]:
        proposed = await self.propose(section)
        validator = SectionValidator(section.text, self.embedder)
        kept: list[QuizQuestion] = []
        for candidate in proposed[: MAX_QUESTIONS_PER_SECTION * 2]:
            reason = await validator.rejection(candidate, kept)
            if reason:
                log.info("generated_question_rejected", prompt=candidate.prompt, reason=reason)
                continue
            kept.append(_to_question(material, section, candidate))
        return kept[:MAX_QUESTIONS_PER_SECTION]


class SectionValidator:
    def __init__(self, text: str, embedder: Embedder) -> None:
        self.text = text
        self.words = {_stem(w) for w in normalized(text).split()}
        self.sentences = [s for s in _SENTENCE_END.split(" ".join(text.split())) if s.strip()]
        self.embedder = embedder
        self._sentence_vectors: np.ndarray | None = None

    async def rejection(self, candidate: ProposedQuestion, kept: list[QuizQuestion]) -> str | None:
        if not candidate.prompt.strip():
            return "empty prompt"
        if candidate.kind == "mcq":
            reason = await self._mcq_rejection(candidate)
        else:
            reason = await self._short_rejection(candidate)
        if reason is None and await self._duplicates(candidate.prompt, kept):
            reason = "duplicate question"
        return reason

    async def _mcq_rejection(self, candidate: ProposedQuestion) -> str | None:
        choices = [c.strip() for c in candidate.choices]
        if len(choices) < 3 or not 0 <= candidate.correct_choice < len(choices):
            return "malformed choices"
        if len({normalized(c) for c in choices}) < len(choices) or "" in choices:
            return "identical choices"
        vectors = await self._embed(choices)
        similarity = vectors @ vectors.T
        np.fill_diagonal(similarity, 0.0)
        if similarity.max() >= CHOICE_SIMILARITY:
            return "near-identical choices"
        answer = choices[candidate.correct_choice]
        if not await self._supported(answer, candidate.prompt):
            return "answer not supported by the section"
        answer_support = await self._support(candidate.prompt, answer)
        for index, distractor in enumerate(choices):
            if index != candidate.correct_choice and (
                await self._support(candidate.prompt, distractor) > answer_support
            ):
                return "a distractor is better supported than the answer"
        return None

    async def _short_rejection(self, candidate: ProposedQuestion) -> str | None:
        reference = candidate.reference_answer.strip()
        if not reference:
            return "no reference answer"
        terms = [t for t in candidate.key_terms if normalized(t)]
        if terms and all(term_covered(t, self.words) for t in terms):
            return None
        if await self._supported(reference, candidate.prompt):
            return None
        return "answer not supported by the section"

    async def _supported(self, answer: str, prompt: str) -> bool:
        if term_covered(answer, self.words):
            return True
        return await self._support(prompt, answer) >= SUPPORT_SIMILARITY

    async def _support(self, prompt: str, answer: str) -> float:
        """How close the best section sentence is to the question answered this way."""
        if not self.sentences:
            return 0.0
        if self._sentence_vectors is None:
            self._sentence_vectors = await self._embed(self.sentences)
        statement = (await self._embed([f"{prompt} {answer}"]))[0]
        return float((self._sentence_vectors @ statement).max())

    async def _duplicates(self, prompt: str, kept: list[QuizQuestion]) -> bool:
        if not kept:
            return False
        if normalized(prompt) in {normalized(q.prompt) for q in kept}:
            return True
        vectors = await self._embed([prompt, *(q.prompt for q in kept)])
        return float((vectors[1:] @ vectors[0]).max()) >= DUPLICATE_SIMILARITY

    async def _embed(self, texts: list[str]) -> np.ndarray:
        return np.asarray(await self.embedder.embed_documents(texts), dtype=np.float32)


def _to_question(material: ChapterMaterial, section: Section, candidate: ProposedQuestion) -> QuizQuestion:
    mcq = candidate.kind == "mcq"
    choices = [c.strip() for c in candidate.choices] if mcq else []
    answer: int | str = candidate.correct_choice if mcq else candidate.reference_answer.strip()
    digest = hashlib.sha256(f"{section_hash(section)}|{normalized(candidate.prompt)}".encode())
    return QuizQuestion(
        id=f"gen-{digest.hexdigest()[:12]}",
        kind=candidate.kind,
        style="generated",
        prompt=candidate.prompt.strip(),
        choices=choices,
        answer=answer,
        explanation=candidate.explanation.strip(),
        key_terms=[t for t in candidate.key_terms if normalized(t)],
        doc_path=material.doc_path,
        chapter_title=material.chapter_title,
        heading=section.heading_path[-1] if section.heading_path else material.chapter_title,
        anchor=section.anchor,
        anchor_url=material.url(section.anchor),
        source_sentence=candidate.source_sentence.strip(),
    )
