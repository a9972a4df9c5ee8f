"""The answer text: picked sentences with [n] citation markers, a language note, or an abstention."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from booktutor.extractive.analysis import Analysis
from booktutor.extractive.selection import MAX_WORDS
from booktutor.extractive.text import script_of

NOT_COVERED = "The book does not cover this."
NOT_COVERED_UR = "کتاب میں اس سوال کا جواب نہیں ہے۔"
NOT_COVERED_PART = "The book does not cover this part of the question:"
LANGUAGE_NAMES = {"en": "English", "ur": "Urdu"}
URDU_QUOTE_NOTE = "نوٹ: یہ جواب کتاب کے انگریزی متن سے لیا گیا ہے۔ (The answer quotes the book's English text.)"


def reading_order(analysis: Analysis, picked: list[int]) -> list[int]:
    """The best sentence first (it answers), the rest in book order. About a highlighted passage,
    the passage's sentences come first: the answer never opens with another section's claim."""
    if not picked:
        return []
    if analysis.features.get("selection_mode"):
        passage = [i for i in picked if analysis.candidates[i].source == "selection"]
        book = [i for i in picked if analysis.candidates[i].source != "selection"]
        if passage:
            return _best_first(analysis, passage) + _best_first(analysis, book)
    return _best_first(analysis, picked)


def _best_first(analysis: Analysis, picked: list[int]) -> list[int]:
    if not picked:
        return []
    lead = max(picked, key=lambda i: float(analysis.total[i]))
    rest = sorted(
        (i for i in picked if i != lead),
        key=lambda i: (analysis.candidates[i].rank, analysis.candidates[i].position),
    )
    return [lead, *rest]


def _truncate(text: str, max_words: int) -> str:
    words = text.split()
    return text if len(words) <= max_words else " ".join(words[:max_words]) + " …"


def _language_note(question: str, answer_language: str, quoted_text: str) -> str | None:
    question_script, text_script = script_of(question), script_of(quoted_text)
    if "other" in (question_script, text_script) or question_script == text_script:
        return None
    if question_script == "arabic" and answer_language == "ur":
        return None  # an Urdu page's sentences keep English terms: still the learner's language
    if question_script == "arabic" and answer_language == "en":
        return URDU_QUOTE_NOTE
    name = LANGUAGE_NAMES.get(answer_language, answer_language)
    return f"Note: the answer quotes the book's {name} text."


def render(
    analysis: Analysis, question: str, order: list[int], code: int | None, missing_parts: Sequence[str] = ()
) -> tuple[str, list[int]]:
    candidates = analysis.candidates
    sentences = [f"{_truncate(candidates[i].text, MAX_WORDS)} [{candidates[i].n}]" for i in order]
    cited = list(dict.fromkeys(candidates[i].n for i in order))
    parts = [" ".join(sentences)] if sentences else []  # none when the book says it only in code
    if missing_parts:
        asked = "; ".join(f"“{part.strip()}”" for part in missing_parts)
        parts.append(f"{NOT_COVERED_PART} {asked}.")
    if code is not None:
        block = candidates[code]
        parts.append(f"From the book [{block.n}]:\n\n```{block.code_language}\n{block.text}\n```")
        cited = list(dict.fromkeys([*cited, block.n]))
    first = order[0] if order else code
    language = candidates[first].language if first is not None else "en"
    if order and (note := _language_note(question, language, " ".join(candidates[i].text for i in order))):
        parts.append(f"_{note}_")
    return "\n\n".join(parts), cited


def _nearest_sections(results: Sequence[dict[str, Any]], language: str | None, limit: int = 3) -> list[str]:
    """Links to the nearest sections in the learner's language (an English learner never gets Urdu ones)."""
    links: dict[str, str] = {}
    for result in results:
        url = result.get("anchor_url")
        if not url or url in links or (language and result.get("language", language) != language):
            continue
        chapter, heading = result.get("chapter_title") or "", result.get("heading") or ""
        title = f"{chapter} › {heading}" if heading and heading != chapter else (chapter or heading or url)
        links[url] = f"- [{title}]({url})"
    return list(links.values())[:limit]


def abstention_text(results: Sequence[dict[str, Any]], language: str | None = None) -> str:
    links = _nearest_sections(results, language)
    if language == "ur":  # in the learner's language, the English words kept for the English-only reader
        heading = f"{NOT_COVERED_UR} ({NOT_COVERED})"
        return "\n".join([heading, "", "قریب ترین حصے:", *links]) if links else heading
    return "\n".join([NOT_COVERED, "", "Nearest sections:", *links]) if links else NOT_COVERED
