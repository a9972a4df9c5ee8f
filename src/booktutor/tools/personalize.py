"""Function tools for the personalization agent, backed by PersonalizationService."""

from __future__ import annotations

import json
from typing import Any

from agents import Model, RunContextWrapper, Tool, function_tool

from booktutor.errors import AppError
from booktutor.markdown.fences import clip_markdown
from booktutor.memory.books import BookRepository
from booktutor.personalize.preferences import PreferencesRepository
from booktutor.personalize.profile import LearnerProfile, hints_from_text
from booktutor.personalize.service import PersonalizationService
from booktutor.text_safety import fence_untrusted
from booktutor.tools.context import ToolContext, chapter_source

MAX_CHAPTER_CHARS = 12000
OPENING_CHARS = 700


async def learner_profile(ctx: ToolContext, level: str = "", background: str = "") -> LearnerProfile:
    """Stored preferences, then the run's profile, then what the request says, each overriding."""
    async with ctx.services.db.session() as session:
        stored = await PreferencesRepository(session).profile(ctx.user_id)
    profile = stored.merged(LearnerProfile.from_mapping(ctx.profile))
    hinted = hints_from_text(f"{level} {background}")
    return profile.merged(
        LearnerProfile.from_mapping(
            {
                "level": level or hinted.level,
                "software": hinted.software,
                "hardware": hinted.hardware,
            }
        )
    )


async def chapter_key_for(ctx: ToolContext, chapter: str) -> str | None:
    """The chapter the request names, else the page being read (if it is a chapter)."""
    async with ctx.services.db.session() as session:
        repo = BookRepository(session)
        found = await repo.resolve_chapter(ctx.book_id, chapter or "")
        if found is None and ctx.doc_path:
            found = await repo.get_chapter(ctx.book_id, ctx.doc_path)
    return found.key if found else None


def _profile_words(profile: dict[str, Any]) -> str:
    parts = [
        f"level {profile['experience_level']}" if profile["experience_level"] else "",
        f"software background {profile['software_background']}" if profile["software_background"] else "",
        f"hardware background {profile['hardware_background']}" if profile["hardware_background"] else "",
    ]
    return ", ".join(p for p in parts if p) or "no profile yet (nothing hidden)"


def _offline_answer(title: str, mode: str, profile: dict[str, Any], url: str, opening: str) -> str:
    how = (
        "rewritten for you by the language model"
        if mode == "rewritten"
        else "adapted to you by fixed rules (I'm offline, so nothing was rewritten): notes for "
        "other "
        "readers are hidden, and beginners get definitions and links to earlier chapters"
    )
    return (
        f"Here is “{title}” {how}. Profile used: {_profile_words(profile)}.\n\n"
        f"{opening.strip()} [1]\n\nRead the whole personalized chapter: {url}"
    )


async def personalized_chapter_payload(
    ctx: ToolContext, model: Model | None, chapter: str, level: str = "", background: str = ""
) -> dict[str, Any]:
    key = await chapter_key_for(ctx, chapter)
    if key is None:
        return {
            "error": "chapter_not_found",
            "answer": "Which chapter should I personalize? Name it (“chapter 3” or its title).",
        }
    profile = await learner_profile(ctx, level, background)
    try:
        result = await PersonalizationService(ctx.services, model).personalize(ctx.book_id, key, profile)
    except AppError as error:
        return {"error": error.code, "answer": error.message}
    text = fence_untrusted(clip_markdown(result.markdown, MAX_CHAPTER_CHARS))
    source = chapter_source(
        doc_path=result.doc_path,
        title=result.title,
        heading=f"{result.title} (personalized)",
        url=result.url,
        text=text,
        language=result.language,
    )
    ctx.register_sources([source])
    opening = _opening(result.markdown)
    return {
        **source,
        "mode": result.mode,
        "profile": result.profile,
        "cache": result.cache,
        "answer": _offline_answer(result.title, result.mode, result.profile, result.url, opening),
    }


def _opening(markdown: str) -> str:
    paragraphs = [p.strip() for p in markdown.split("\n\n") if p.strip() and not p.lstrip().startswith("#")]
    text = ""
    for paragraph in paragraphs:
        if len(text) + len(paragraph) > OPENING_CHARS and text:
            break
        text += paragraph + "\n\n"
    return fence_untrusted(text.strip()[: OPENING_CHARS * 2])


def personalization_tools(model: Model | None) -> list[Tool]:
    @function_tool
    async def get_personalized_chapter(
        wrapper: RunContextWrapper[ToolContext],
        chapter: str = "",
        level: str = "",
        background: str = "",
    ) -> str:
        """A chapter rewritten (or adapted offline) for the learner's background and level.

        Args:
            chapter: The chapter's id, path or title, or "chapter 3"; empty for the page being read.
            level: beginner, intermediate or advanced; empty to use the learner's profile.
            background: The learner's field, e.g. "mechanical engineer"; empty for the profile.

        Returns JSON with the personalized Markdown in `text` (cite it as [1]) and the `mode` used.
        """
        payload = await personalized_chapter_payload(wrapper.context, model, chapter, level, background)
        return json.dumps(payload, ensure_ascii=False)

    return [get_personalized_chapter]
