"""Language names and writing direction for the codes books use."""

from __future__ import annotations

_NAMES = {
    "en": "English",
    "ur": "Urdu",
    "ar": "Arabic",
    "fa": "Persian",
    "he": "Hebrew",
    "hi": "Hindi",
    "es": "Spanish",
    "fr": "French",
    "de": "German",
    "zh": "Chinese",
    "ja": "Japanese",
    "pt": "Portuguese",
    "ru": "Russian",
    "bn": "Bengali",
    "tr": "Turkish",
}
_RTL = {"ar", "fa", "he", "ur", "ps", "sd", "ug", "yi", "dv", "ckb"}


def _base(code: str) -> str:
    return code.split("-")[0].lower()


def language_name(code: str) -> str:
    return _NAMES.get(_base(code), code)


def language_direction(code: str) -> str:
    return "rtl" if _base(code) in _RTL else "ltr"
