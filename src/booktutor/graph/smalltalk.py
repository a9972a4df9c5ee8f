"""Greetings, thanks, goodbyes and "what can you do": a short friendly reply, never an abstention.

Recognised by rules (the whole message is the pleasantry, in English or Urdu), before routing, so
"hi" never reaches retrieval and "hi, what is backlash?" still gets an answer.
"""

from __future__ import annotations

import re
from typing import Literal

SmallTalk = Literal["greeting", "thanks", "goodbye", "capabilities"]

_END = r"[\s!.,?؟۔:)(*~-]*$"
_PATTERNS: list[tuple[SmallTalk, re.Pattern[str]]] = [
    (
        "greeting",
        re.compile(
            r"^\s*(?:(?:hi|hello|hey|hiya|howdy|yo|greetings|salam|salaam|assalam[u ]?o?[ -]?alaikum|"
            r"as-?salamu? ?alaikum|good (?:morning|afternoon|evening|day))(?: there| tutor| everyone| all)?"
            r"(?:[,!.]*\s*(?:how are you(?: doing)?|how's it going))?|how are you(?: doing)?|"
            r"السلام علیکم|السلام عليكم|سلام|ہیلو|آداب)" + _END,
            re.IGNORECASE,
        ),
    ),
    (
        "thanks",
        re.compile(
            r"^\s*(?:(?:ok(?:ay)?|great|cool|nice|perfect|awesome|got it)[,!.]*\s*)?(?:thanks?(?: you)?"
            r"(?: (?:so|very) much)?(?: a lot)?|thx|ty|much appreciated|cheers|شکریہ|بہت شکریہ|مہربانی)"
            r"(?: for (?:the|your) (?:help|answer|explanation))?" + _END,
            re.IGNORECASE,
        ),
    ),
    (
        "goodbye",
        re.compile(r"^\s*(?:bye|goodbye|good bye|see you(?: later)?|later|خدا حافظ|اللہ حافظ)" + _END, re.I),
    ),
    (
        "capabilities",
        re.compile(
            r"^\s*(?:(?:hi|hello|hey)[,!. ]+)?(?:what (?:can|do) you (?:do|help (?:me )?with|offer)|"
            r"what are you(?: for)?|who are you|how (?:can|do) you help(?: me)?|how do (?:i|you) use (?:you|this)|"
            r"what (?:are|is) your (?:features|capabilities|purpose)|help|what can i ask(?: you)?|"
            r"آپ کیا کر سکتے ہیں|آپ کون ہیں|مدد)" + _END,
            re.IGNORECASE,
        ),
    ),
]

_WHAT_I_DO_EN = (
    "I'm the tutor for this book. I can:\n\n"
    "- answer your questions from the book, citing the sections I quote;\n"
    "- explain a passage you highlight (select text and choose “Ask about this”);\n"
    "- quiz you on a chapter and give hints;\n"
    "- rewrite a chapter for your background, and show chapters in Urdu.\n\n"
    "What would you like to know?"
)
_WHAT_I_DO_UR = (
    "میں اس کتاب کا ٹیوٹر ہوں۔ میں یہ کر سکتا ہوں:\n\n"
    "- کتاب سے آپ کے سوالوں کے جواب، حوالوں کے ساتھ؛\n"
    "- آپ کے منتخب کیے ہوئے حصے کی وضاحت؛\n"
    "- کسی باب پر کوئز اور اشارے؛\n"
    "- آپ کے پس منظر کے مطابق باب، اور ابواب اردو میں۔\n\n"
    "آپ کیا جاننا چاہیں گے؟"
)
_OPENERS: dict[str, dict[SmallTalk, str]] = {
    "en": {
        "greeting": "Hello! ",
        "thanks": "You're welcome! ",
        "goodbye": "Goodbye, and good luck with your studies! ",
        "capabilities": "",
    },
    "ur": {
        "greeting": "السلام علیکم! ",
        "thanks": "خوشی ہوئی! ",
        "goodbye": "خدا حافظ، پڑھائی کے لیے نیک خواہشات! ",
        "capabilities": "",
    },
}
_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06FF]")


def small_talk(message: str) -> SmallTalk | None:
    """The kind of pleasantry the whole message is, or None for anything with a question in it."""
    for kind, pattern in _PATTERNS:
        if pattern.match(message):
            return kind
    return None


def small_talk_reply(kind: SmallTalk, message: str, language: str) -> str:
    """A short reply that says what the tutor can do, in Urdu when the learner writes or reads it."""
    urdu = language == "ur" or bool(_ARABIC_SCRIPT.search(message))
    if kind == "goodbye":
        return _OPENERS["ur" if urdu else "en"][kind].strip()
    return _OPENERS["ur" if urdu else "en"][kind] + (_WHAT_I_DO_UR if urdu else _WHAT_I_DO_EN)
