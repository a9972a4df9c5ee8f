"""Content checks for a model's rewrite: nothing dropped, no facts the chapter does not contain.

Facts are checked through what can be checked without a model: numbers (with their units
stripped, "1,000" = "1000") and names (acronyms, CamelCase and capitalised words inside a
sentence). A rewrite may explain, reorder and add analogies in plain words, but a number or a
name that appears nowhere in the chapter is a new fact and the rewrite is rejected.
"""

from __future__ import annotations

import re

from booktutor.markdown.fences import iter_fence_flags

MIN_KEPT_SHARE = 0.3  # a rewritten section keeps at least this share of the original's words
_NOISE = re.compile(r"`+[^`]*`+|\]\([^)]*\)|<[^>]*>|https?://\S+|⟦[A-Z]\d+⟧|\{#[^}]*\}")
_NUMBER = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'’-]*")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s+|\n\s*(?:[-*+>]|\d+[.)]|#+)?\s*|\(|\"|“)$")
_COMMON_CAPS = frozenset(
    [
        "I",
        "A",
        "An",
        "The",
        "This",
        "That",
        "These",
        "Those",
        "It",
        "Its",
        "In",
        "On",
        "At",
        "For",
        "From",
        "With",
        "Without",
        "By",
        "Of",
        "Or",
        "And",
        "But",
        "So",
        "If",
        "When",
        "While",
        "Think",
        "Imagine",
        "Picture",
        "Consider",
        "Note",
        "Here",
        "There",
        "Then",
        "Now",
        "Each",
        "Every",
        "Your",
        "You",
        "We",
        "Our",
        "They",
        "Their",
        "Key",
        "Ideas",
        "Summary",
        "Before",
        "Start",
        "Remember",
        "Tip",
        "Example",
        "Examples",
        "Step",
        "First",
        "Second",
        "Third",
        "Finally",
        "Also",
        "Why",
        "How",
        "What",
        "Which",
        "Who",
        "OK",
    ]
)


def prose(markdown: str) -> str:
    """The text of a Markdown document outside code, inline code, links' targets and tags."""
    kept = [line for line, fenced in iter_fence_flags(markdown.split("\n")) if not fenced]
    return _NOISE.sub(" ", "\n".join(kept))


def numbers(text: str) -> set[str]:
    return {n.replace(",", "").rstrip(".") for n in _NUMBER.findall(text)}


def names(text: str) -> set[str]:
    """Acronyms, CamelCase and capitalised words that do not start a sentence."""
    found: set[str] = set()
    for match in _WORD.finditer(text):
        word = match.group(0).strip("'’-")
        if len(word) < 2 or word in _COMMON_CAPS:
            continue
        starts_sentence = bool(_SENTENCE_START.search(text[max(0, match.start() - 4) : match.start()]))
        is_acronym = sum(ch.isupper() for ch in word) >= 2
        if is_acronym or (word[0].isupper() and not starts_sentence):
            found.add(word)
    return found


def new_facts(chapter: str, candidate: str) -> list[str]:
    """Numbers and names in `candidate` that the chapter never mentions."""
    source = prose(chapter)
    source_words = {w.lower() for w in _WORD.findall(source)}
    text = prose(candidate)
    problems = [f"new number {n}" for n in sorted(numbers(text) - numbers(source))]
    problems += [f"new name {w}" for w in sorted(names(text)) if w.lower().rstrip("s") not in _stems(source_words)]
    return problems


def _stems(words: set[str]) -> set[str]:
    return {w.rstrip("s") for w in words}


def dropped_content(original: str, candidate: str) -> list[str]:
    """A rewritten section that lost most of its prose."""
    before = len(_WORD.findall(prose(original)))
    after = len(_WORD.findall(prose(candidate)))
    if before >= 20 and after < MIN_KEPT_SHARE * before:
        return [f"section shortened from {before} to {after} words: content dropped"]
    return []
