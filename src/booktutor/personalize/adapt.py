"""Offline, deterministic adaptation of a chapter to a learner profile (mode `adapted`).

Rules (docs/personalization.md), all following from the chapter and the book themselves:
- Audience blocks (admonitions titled "For beginners", "For hardware readers", "For software
  readers", "Going deeper") are shown, folded or hidden by the profile; unknown fields hide nothing.
- Beginners get jargon defined at first use (from the chapter's own definitions and the book's),
  a "Key ideas" box per major section and a "Before you start" note linking the earlier chapters
  that define concepts the chapter uses; intermediate readers get the boxes and the note.
- Advanced readers get a summary first and beginner material (beginner blocks, analogies,
  learning objectives) folded away.
- A software or hardware background adds a box of the chapter's code or physical figures.
"""

from __future__ import annotations

import re

from booktutor.markdown.fences import iter_fence_flags
from booktutor.personalize.boxes import add_key_ideas, hardware_box, software_box, summary_box
from booktutor.personalize.code_notes import add_code_notes
from booktutor.personalize.fold import FOLD_CLOSE, fold_beginner_material, fold_open
from booktutor.personalize.notes import AdaptationContext, add_definitions, prerequisites_note
from booktutor.personalize.profile import LearnerProfile
from booktutor.rewrite.segments import split_sections

__all__ = ["AdaptationContext", "adapt_chapter", "filter_audience_blocks"]
_OPEN = re.compile(r"^\s*(:{3,})([A-Za-z][\w-]*)(.*)$")
_CLOSE = re.compile(r"^\s*(:{3,})\s*$")
_H1 = re.compile(r"^ {0,3}#[ \t]+\S")

AUDIENCE_TITLES: dict[str, str] = {
    "for beginners": "beginner",
    "for hardware readers": "hardware",
    "for software readers": "software",
    "going deeper": "advanced",
    "for advanced readers": "advanced",
}


def audience_of(title: str) -> str | None:
    cleaned = title.strip().strip("[]").strip().lower()
    return AUDIENCE_TITLES.get(cleaned)


def visibility(audience: str | None, profile: LearnerProfile) -> str:
    """ "show", "fold" (level-based asides: kept one click away) or "hide" (another background)."""
    if audience == "beginner" and profile.level == "advanced":
        return "fold"
    if audience == "advanced" and profile.level == "beginner":
        return "fold"
    if audience == "hardware" and profile.hardware == "none":
        return "hide"
    if audience == "software" and profile.software == "none":
        return "hide"
    return "show"


def filter_audience_blocks(body: str, profile: LearnerProfile) -> str:
    """Fold or remove the audience blocks this profile should not read first (nested blocks too)."""
    kept: list[str] = []
    stack: list[tuple[int, str]] = []  # (colon count, show | fold | hide)
    for line, fenced in iter_fence_flags(body.split("\n")):
        hidden_before = any(state == "hide" for _, state in stack)
        if not fenced and (opening := _OPEN.match(line)):
            state = visibility(audience_of(opening.group(3)), profile)
            stack.append((len(opening.group(1)), state))
            if not hidden_before and state != "hide":
                kept += fold_open(_title(opening.group(3))) if state == "fold" else [line]
            continue
        if not fenced and (closing := _CLOSE.match(line)) and stack and len(closing.group(1)) == stack[-1][0]:
            _, state = stack.pop()
            if not hidden_before and state != "hide":
                kept += FOLD_CLOSE if state == "fold" else [line]
            elif kept and not kept[-1].strip():
                kept.append("\0")  # marks the blank line after a removed block for collapsing
            continue
        if not hidden_before:
            kept.append(line)
    return _collapse_removed("\n".join(kept))


def _title(rest: str) -> str:
    return rest.strip().strip("[]").strip() or "More"


def _collapse_removed(text: str) -> str:
    return re.sub(r"\n\0\n(\s*\n)?", "\n", text).replace("\0", "")


def insert_after_title(body: str, note: str) -> str:
    """Put `note` right after the chapter's H1, or at the top when it has none."""
    sections = split_sections(body, max_level=1)
    if sections and sections[0].heading and _H1.match(sections[0].heading):
        first = sections[0].text
        heading, _, rest = first.partition("\n")
        sections_text = f"{heading}\n\n{note}\n{rest if rest.startswith(chr(10)) else chr(10) + rest}"
        return sections_text + "".join(s.text for s in sections[1:])
    return f"{note}\n\n{body}"


def _new_to_code(profile: LearnerProfile) -> bool:
    """A beginner who has not said they know software, or an intermediate reader who said they do not."""
    if profile.level == "beginner":
        return profile.software in (None, "none")
    return profile.level == "intermediate" and profile.software == "none"


def adapt_chapter(body: str, profile: LearnerProfile, context: AdaptationContext) -> str:
    """The learner view of a chapter (`learner_markdown`) adapted to `profile`."""
    adapted = filter_audience_blocks(body, profile)
    top: list[str] = []
    if profile.level == "advanced":
        adapted = fold_beginner_material(adapted)
        adapted, summary = summary_box(adapted)
        top += [summary] if summary else []
    elif profile.level in ("beginner", "intermediate"):
        if not context.glossary:  # a glossary would repeat its own entries as notes and recaps
            adapted = add_definitions(adapted, context, only_other_chapters=profile.level == "intermediate")
            adapted = add_key_ideas(adapted)
        if _new_to_code(profile):
            adapted = add_code_notes(adapted)
        note = prerequisites_note(body, context)
        top += [note] if note else []
    if profile.software in ("some", "professional") and (box := software_box(body)):
        top.append(box)
    if profile.hardware in ("some", "professional") and (box := hardware_box(body)):
        top.append(box)
    return insert_after_title(adapted, "\n\n".join(top)) if top else adapted
