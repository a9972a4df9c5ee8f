"""The answer text: picked sentences with [n] citation markers, a language note, or an abstention."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from booktutor.extractive.analysis import Analysis
from booktutor.extractive.excerpts import with_body
from booktutor.extractive.scoring import Candidate
from booktutor.extractive.selection import MAX_WORDS
from booktutor.extractive.text import MAX_LABEL_WORDS, script_of

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
    # a lead-in ("... in three steps:") is matched with its items: it goes before them, never first on its own
    lead = max(picked, key=lambda i: (not analysis.candidates[i].opens_list, float(analysis.total[i])))
    rest = sorted(
        (i for i in picked if i != lead),
        key=lambda i: (analysis.candidates[i].rank, analysis.candidates[i].position),
    )
    first = analysis.candidates[lead]
    if first.list_item:  # the lead's list goes on right after it, read as one list
        siblings = [i for i in rest if _same_list(first, analysis.candidates[i])]
        rest = siblings + [i for i in rest if i not in siblings]
    return [lead, *rest]


def _same_list(a: Candidate, b: Candidate) -> bool:
    return a.list_item and b.list_item and a.n == b.n and a.source == b.source


def _truncate(text: str, max_words: int) -> str:
    words = text.split()
    return text if len(words) <= max_words else " ".join(words[:max_words]) + " …"


def _quoted(candidate: Candidate) -> str:
    return f"{_truncate(candidate.text, MAX_WORDS)} [{candidate.n}]"


def answer_blocks(picked: Sequence[Candidate]) -> list[str]:
    """Prose sentences run together; two or more items of one list (or rows of one table) from one
    source read as a bulleted list, the heading most of them share said once above it."""
    blocks: list[str] = []
    prose: list[str] = []
    lists = 0
    for run in _runs(picked):
        if len(run) < 2 or not run[0].list_item:
            prose.extend(_quoted(c) for c in run)
            continue
        if prose:
            blocks.append(" ".join(prose))
            prose = []
        # A list right after another list takes the other bullet: Markdown would merge the two.
        blocks.append(_bulleted(run, "-*"[lists % 2]))
        lists += 1
    if prose:
        blocks.append(" ".join(prose))
    return blocks


def _runs(picked: Sequence[Candidate]) -> list[list[Candidate]]:
    """Consecutive picks that are items of one cited source's lists, or single prose sentences."""
    runs: list[list[Candidate]] = []
    for candidate in picked:
        if runs and _same_list(runs[-1][-1], candidate):
            runs[-1].append(candidate)
        else:
            runs.append([candidate])
    return runs


def _bulleted(run: Sequence[Candidate], bullet: str) -> str:
    label = _shared_label([c.text for c in run])
    # A heading that asks ("What is URDF?") would read as a question the answer poses: the items go without it.
    lines: list[str] = [f"{label}:"] if label and not label.rstrip().endswith(("?", "؟")) else []
    item: int | None = None
    for candidate in run:
        text = _quoted(candidate)
        text = text.removeprefix(f"{label}: ") if label else text
        if candidate.item and candidate.item == item:
            lines[-1] += f" {text}"  # the later sentences of one long list item stay on its line
        else:
            lines.append(f"{bullet} {text}")
        item = candidate.item
    return "\n".join(lines)


def _shared_label(texts: Sequence[str]) -> str:
    """'Rapid Iteration: Setting up …', 'Rapid Iteration: Executing …' → 'Rapid Iteration': the longest
    lead-in ending at ': ' that at least two items and half of them open with; or the first item's, when
    no other item has one."""
    heads = Counter(head for text in texts for head in _lead_ins(text))
    shared = [head for head, count in heads.items() if count >= 2 and 2 * count >= len(texts)]
    if shared:
        return max(shared, key=len)
    first = _lead_ins(texts[0])
    if first and not any(_lead_ins(text) for text in texts[1:]):
        return min(first, key=len)  # the heading the first item was read with, not a label of its own
    return ""


def _lead_ins(text: str) -> set[str]:
    heads = set()
    at = text.find(": ")
    while at > 0 and len(text[:at].split()) <= MAX_LABEL_WORDS:
        heads.add(text[:at])
        at = text.find(": ", at + 2)
    return heads


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
    analysis: Analysis,
    question: str,
    order: list[int],
    code: int | None,
    missing_parts: Sequence[str] = (),
    code_intro: str = "From the book",
) -> tuple[str, list[int]]:
    candidates = analysis.candidates
    cited = list(dict.fromkeys(candidates[i].n for i in order))
    parts = answer_blocks([candidates[i] for i in order])  # none when the book says it only in code
    if missing_parts:
        asked = "; ".join(f"“{part.strip()}”" for part in missing_parts)
        parts.append(f"{NOT_COVERED_PART} {asked}.")
    if code is not None:
        block = candidates[code]
        text = with_body(block.text, block.listing) if block.kind == "excerpt" else block.text
        parts.append(f"{code_intro} [{block.n}]:\n\n```{block.code_language}\n{text}\n```")
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
