"""Learner profiles: validated input, normalisation into a cache key, hints read from chat text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Level = Literal["beginner", "intermediate", "advanced"]
Background = Literal["none", "some", "professional"]
LanguageCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})?$")]
Goal = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
MAX_GOALS = 10


class PreferencesIn(BaseModel):
    """A preferences write; fields left out keep their stored value."""

    model_config = ConfigDict(extra="forbid")

    software_background: Background | None = None
    hardware_background: Background | None = None
    experience_level: Level | None = None
    goals: list[Goal] | None = Field(default=None, max_length=MAX_GOALS)
    preferred_language: LanguageCode | None = None


class PreferencesOut(BaseModel):
    software_background: Background | None = None
    hardware_background: Background | None = None
    experience_level: Level | None = None
    goals: list[str] = Field(default_factory=list)
    preferred_language: str | None = None


@dataclass(frozen=True, slots=True)
class LearnerProfile:
    """What adaptation depends on; `None` means unknown (nothing is hidden on a guess)."""

    level: Level | None = None
    software: Background | None = None
    hardware: Background | None = None
    goals: tuple[str, ...] = ()

    @classmethod
    def from_mapping(cls, data: dict[str, Any] | None) -> LearnerProfile:
        data = data or {}
        goals = data.get("goals") or ()
        return cls(
            level=_pick(data.get("experience_level") or data.get("level"), Level),
            software=_pick(data.get("software_background") or data.get("software"), Background),
            hardware=_pick(data.get("hardware_background") or data.get("hardware"), Background),
            goals=tuple(str(g) for g in goals if str(g).strip()) if isinstance(goals, list | tuple) else (),
        )

    def merged(self, overrides: LearnerProfile) -> LearnerProfile:
        return LearnerProfile(
            level=overrides.level or self.level,
            software=overrides.software or self.software,
            hardware=overrides.hardware or self.hardware,
            goals=overrides.goals or self.goals,
        )

    def key(self, *, with_goals: bool) -> str:
        """A stable cache key; goals count only where a language model reads them."""
        parts = [
            f"level={self.level or 'any'}",
            f"sw={self.software or 'any'}",
            f"hw={self.hardware or 'any'}",
        ]
        if with_goals and self.goals:
            parts.append("goals=" + "|".join(sorted({g.strip().lower() for g in self.goals})))
        return ";".join(parts)[:200]

    def public(self) -> dict[str, Any]:
        return {
            "experience_level": self.level,
            "software_background": self.software,
            "hardware_background": self.hardware,
            "goals": list(self.goals),
        }

    def describe(self) -> str:
        """The reader, in words, for a language model's instructions."""
        parts = [
            f"experience level: {self.level or 'unknown'}",
            f"software background: {self.software or 'unknown'}",
            f"hardware background: {self.hardware or 'unknown'}",
        ]
        if self.goals:
            parts.append("goals: " + "; ".join(self.goals))
        return ", ".join(parts)


def _pick(value: Any, literal: Any) -> Any:
    allowed = literal.__args__
    text = str(value).strip().lower() if value is not None else ""
    return text if text in allowed else None


_HINTS: list[tuple[re.Pattern[str], dict[str, str]]] = [
    (
        re.compile(r"\b(beginner|novice|new to|newcomer|simpler|like i'?m (new|five))\b", re.I),
        {"level": "beginner"},
    ),
    (re.compile(r"\b(advanced|expert|in depth|compact)\b", re.I), {"level": "advanced"}),
    (
        re.compile(
            r"\b(mechanical|electrical|electronics?|hardware|mechatronics?)\b.{0,20}"
            r"\b(engineer|technician|background)\b",
            re.I,
        ),
        {"hardware": "professional"},
    ),
    (
        re.compile(r"\b(software|web|backend|frontend|programm\w*|developer|coder)\b", re.I),
        {"software": "professional"},
    ),
]


def hints_from_text(text: str) -> LearnerProfile:
    """Profile hints in a chat message ("for a mechanical engineer", "like I'm new")."""
    found: dict[str, str] = {}
    for pattern, values in _HINTS:
        if pattern.search(text):
            for key, value in values.items():
                found.setdefault(key, value)
    return LearnerProfile.from_mapping(found)
