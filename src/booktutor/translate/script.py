"""Is a text actually written in the target language's script? (never label English as Urdu)"""

from __future__ import annotations

import re
import unicodedata

_PLACEHOLDER = re.compile(r"⟦[A-Z]\d+⟧")
# Unicode script name prefixes (from unicodedata.name) per language written in a non-Latin script.
_SCRIPTS = {
    "ur": "ARABIC",
    "ar": "ARABIC",
    "fa": "ARABIC",
    "ps": "ARABIC",
    "sd": "ARABIC",
    "ug": "ARABIC",
    "ckb": "ARABIC",
    "he": "HEBREW",
    "yi": "HEBREW",
    "hi": "DEVANAGARI",
    "mr": "DEVANAGARI",
    "ne": "DEVANAGARI",
    "bn": "BENGALI",
    "ru": "CYRILLIC",
    "uk": "CYRILLIC",
    "el": "GREEK",
    "zh": "CJK",
    "ja": "CJK",
    "ko": "HANGUL",
}
# Technical terms often stay in English: the human Urdu corpus has sections as low as 7% Arabic
# script, while untranslated English prose has 0%.
MIN_SCRIPT_SHARE = 0.05


def script_share(text: str, language: str) -> float | None:
    """The share of letters in the language's script; None for Latin-script languages."""
    script = _SCRIPTS.get(language.split("-")[0].lower())
    if script is None:
        return None
    letters = [ch for ch in _PLACEHOLDER.sub("", text) if ch.isalpha()]
    if not letters:
        return 1.0
    in_script = sum(1 for ch in letters if _in_script(ch, script))
    return in_script / len(letters)


def _in_script(ch: str, script: str) -> bool:
    name = unicodedata.name(ch, "")
    if script == "CJK":
        return name.startswith(("CJK", "HIRAGANA", "KATAKANA"))
    return name.startswith(script)


def looks_translated(source: str, output: str, language: str) -> bool:
    share = script_share(output, language)
    if share is not None:
        return share >= MIN_SCRIPT_SHARE
    return output.strip() != source.strip()
