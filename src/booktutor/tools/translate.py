"""Function tools for the translation agent, backed by TranslationService."""

from __future__ import annotations

import json
import re
from typing import Any

from agents import FunctionTool, Model, RunContextWrapper, function_tool

from booktutor.errors import AppError
from booktutor.languages import language_name
from booktutor.markdown.fences import clip_markdown
from booktutor.personalize.preferences import PreferencesRepository
from booktutor.text_safety import fence_untrusted
from booktutor.tools.context import ToolContext, chapter_source
from booktutor.tools.personalize import MAX_CHAPTER_CHARS, _opening, chapter_key_for
from booktutor.translate.service import TranslationService

_LANGUAGE_WORDS = {
    "urdu": "ur",
    "اردو": "ur",
    "arabic": "ar",
    "hindi": "hi",
    "persian": "fa",
    "farsi": "fa",
    "spanish": "es",
    "french": "fr",
    "german": "de",
    "chinese": "zh",
    "bengali": "bn",
    "english": "en",
}


def language_from_text(text: str) -> str:
    lowered = text.lower()
    for word, code in _LANGUAGE_WORDS.items():
        if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", lowered):
            return code
    return ""


async def preferred_language(ctx: ToolContext) -> str:
    async with ctx.services.db.session() as session:
        stored = await PreferencesRepository(session).get(ctx.user_id) if ctx.user_id else None
    return (stored.preferred_language if stored else None) or ctx.profile.get("preferred_language") or "ur"


async def translation_payload(
    ctx: ToolContext, model: Model | None, chapter: str, language: str = ""
) -> dict[str, Any]:
    code = (
        language_from_text(language) or language or language_from_text(chapter) or await preferred_language(ctx)
    ).lower()[:16]
    key = await chapter_key_for(ctx, chapter)
    if key is None:
        return {
            "error": "chapter_not_found",
            "language": code,
            "answer": (
                f"Which chapter would you like in {language_name(code)}? "
                "I translate whole chapters: "
                "name one (e.g. “chapter 2” or its title), or open it and ask again."
            ),
        }
    try:
        result = await TranslationService(ctx.services, model).chapter(ctx.book_id, key, code)
    except AppError as error:
        return {"error": error.code, "language": code, "answer": error.message}
    text = fence_untrusted(clip_markdown(result.markdown, MAX_CHAPTER_CHARS))
    source = chapter_source(
        doc_path=result.doc_path,
        title=result.title,
        heading=result.title,
        url=result.url,
        text=text,
        language=result.language,
    )
    ctx.register_sources([source])
    origin = {
        "human": "the book's stored human translation",
        "machine": "a machine translation",
        "original": "the original text",
    }[result.source]
    answer = (
        f"Here is “{result.title}” in {result.language_name}, quoted from {origin}:\n\n"
        f"{_opening(result.markdown)} [1]\n\nRead it all: {result.url}"
    )
    return {**source, "source_kind": result.source, "dir": result.dir, "answer": answer}


def translation_tools(model: Model | None) -> list[FunctionTool]:
    @function_tool
    async def get_translation(wrapper: RunContextWrapper[ToolContext], chapter: str = "", language: str = "") -> str:
        """A chapter in another language: the stored human translation if there is one, else a
        checked machine translation (when available).

        Args:
            chapter: The chapter's id, path or title, or "chapter 3"; empty for the page being read.
            language: The target language code or name, e.g. "ur" or "Urdu"; empty: the learner's.

        Returns JSON with the translated Markdown in `text` (cite it as [1]), `source_kind`
        (human, machine or original) and `dir` (ltr or rtl), or an `error`.
        """
        payload = await translation_payload(wrapper.context, model, chapter, language)
        return json.dumps(payload, ensure_ascii=False)

    @function_tool
    async def translate_text(wrapper: RunContextWrapper[ToolContext], text: str, language: str) -> str:
        """Machine-translate a short passage (e.g. a previous answer), keeping code and URLs.

        Args:
            text: The passage to translate.
            language: The target language code, e.g. "ur".
        """
        code = (language_from_text(language) or language).lower()[:16]
        try:
            result = await TranslationService(wrapper.context.services, model).text(text[:8000], code, None)
        except AppError as error:
            return json.dumps({"error": error.code, "answer": error.message}, ensure_ascii=False)
        return json.dumps(result, ensure_ascii=False)

    return [get_translation, translate_text]
