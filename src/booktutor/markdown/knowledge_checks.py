"""The shapes of a book's own questions and their keys, where no quiz heading announces them.

Read by the learner's view of a chapter (which drops what gives a key away, as it drops a headed quiz) and by
the quiz import (which grades with those keys):
- a container named as a quiz (`<div className="knowledge-check">`, `<Quiz>`, not a hands-on exercise), up to
  its closing tag;
- a short label line of its own ("**Knowledge check**", "Check your understanding"), up to the next heading;
- a numbered question that asks, with its options, when an option carries the key (a trailing ✓/✔/✅ or
  "(correct)", a checked box) or an answer box or fold follows it;
- an answer box: an admonition whose title names an answer or a solution (`:::tip Answer`, `:::note[Solution]`),
  up to its closing `:::`; an answer fold: a `<details>` whose summary does (`<summary>Show answer</summary>`).
"""

from __future__ import annotations

import re

from booktutor.markdown.mdx import ADMONITION_CLOSE, ADMONITION_OPEN

REVEALS = re.compile(r"\b(answers?|solutions?|show\s+answer|reveal|correct\s+option)\b|جواب|حل", re.IGNORECASE)
"""A fold's summary or a box's title that holds an answer."""
HINT = re.compile(r"\b(?:hints?|clues?|nudge)\b|اشارہ", re.IGNORECASE)
"""A fold's summary that holds a hint ("Hint", "Need a clue?"), not the answer."""
QUESTION_LINE = re.compile(
    r"^(?:#{2,6}\s+)?(?:\*\*)?(?:(?:Q(?:uestion)?|Exercise|Problem|Task)\s*)?(?P<number>\d{1,3})\s*[.):]\s*(?:\*\*)?\s*(?P<text>.*)$",
    re.IGNORECASE,
)
OPTION_LINE = re.compile(
    r"^\s*(?:[-*+]\s+)?(?:\*\*|__)?(?:\((?P<a>[A-Fa-f])\)|(?P<b>[A-Fa-f])[).])(?:\*\*|__)?\s+(?P<text>.+)$"
)
CHECKBOX_LINE = re.compile(r"^\s*[-*+]\s+\[(?P<mark>[ xX])\]\s+(?P<text>.+)$")
BULLET_LINE = re.compile(r"^\s*[-*+]\s+(?!\[[ xX]\]\s)(?P<text>\S.*)$")
CORRECT_MARK = re.compile(
    r"\s*(?:\*\*|__|_)?(?:[✓✔✅☑]\ufe0f?|\(\s*correct(?:\s+answer)?\s*\)|←\s*correct(?:\s+answer)?)(?:\*\*|__|_)?\s*$",
    re.I,
)
"""A mark after the correct option ("- B) Topics ✓", "(correct)")."""
CHECK_NAME = re.compile(
    r"quiz|knowledge[-_ ]?check|self[-_ ]?(?:check|assessment|test)|review[-_ ]?questions|practice[-_ ]?questions|"
    r"check[-_ ]?your[-_ ]?understanding|test[-_ ]?your[-_ ]?(?:knowledge|understanding)|assessment",
    re.I,
)
"""A container's name for questions to answer (not "hands-on-exercise": steps a learner reads and follows)."""
CONTAINER = re.compile(r"^\s*<(?P<tag>[A-Za-z][\w.]*)(?P<attrs>\s[^>]*)?>")
_NAME_ATTRIBUTE = re.compile(r"\b(?:class|className|id)\s*=\s*[\"'{]+([^\"'}]*)")
_HEADING = re.compile(r"^ {0,3}#{1,6}\s")
_DETAILS_OPEN = re.compile(r"^\s*<details\b", re.IGNORECASE)
_DETAILS_OPEN_ANY = re.compile(r"<details\b", re.IGNORECASE)
_DETAILS_CLOSE = re.compile(r"</details\s*>", re.IGNORECASE)
_SUMMARY = re.compile(r"<summary[^>]*>(.*?)</summary>", re.IGNORECASE)
_BOLD_LINE = re.compile(r"^(?:\*\*|__)[^*_]+(?:\*\*|__)[:：]?$")
_MARKUP = re.compile(r"\*\*|__|`|<[^>]+>")
MAX_LABEL_WORDS = 6
MAX_TITLE_WORDS = 5
"""An answer box's title is a few words ("Answer", "Show the solution"), not a topic that mentions one."""


def plain(text: str) -> str:
    """The text without emphasis, code ticks, tags and link targets, its spaces collapsed."""
    return " ".join(_MARKUP.sub("", re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)).split())


_CODE_SPAN = re.compile(r"(`[^`\n]+`)")
_NOT_CODE_MARKUP = re.compile(r"\*\*|__|<[^>]+>")


def readable(text: str) -> str:
    """The text without emphasis, tags and link targets, its code spans kept whole (`greenhouse/+/+`, which a
    learner reads as code), its spaces collapsed."""
    parts = _CODE_SPAN.split(re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text))
    return " ".join("".join(p if _CODE_SPAN.fullmatch(p) else _NOT_CODE_MARKUP.sub("", p) for p in parts).split())


def names_quiz(tag: re.Match[str], *, exercises: bool = False) -> bool:
    """A `CONTAINER` match whose tag or class/id names a quiz (or, with `exercises`, an exercise)."""
    names = [tag.group("tag"), *_NAME_ATTRIBUTE.findall(tag.group("attrs") or "")]
    return any(CHECK_NAME.search(name) or (exercises and "exercise" in name.lower()) for name in names)


def alone_line(lines: list[str], index: int) -> bool:
    """The line is a paragraph of its own, or leads a list."""
    before = index == 0 or not lines[index - 1].strip()
    after = index + 1 == len(lines) or not lines[index + 1].strip() or bool(QUESTION_LINE.match(lines[index + 1]))
    return before and after


def label_text(line: str, alone: bool) -> str:
    """The words of a short bold line or a short paragraph of its own that may name a quiz, else ""."""
    stripped = line.strip()
    if not (_BOLD_LINE.match(stripped) or alone) or stripped.endswith((".", "?", "!")) or BULLET_LINE.match(stripped):
        return ""
    name = plain(stripped).rstrip(":：").strip()
    return "" if len(name.split()) > MAX_LABEL_WORDS or ":" in name else name


def answer_title(line: str) -> str:
    """The title of the admonition opening on this line when it names an answer or a solution, else ""."""
    match = ADMONITION_OPEN.match(line)
    title = (match.group("bracket") or match.group("plain") or "").strip() if match else ""
    return title if 0 < len(title.split()) <= MAX_TITLE_WORDS and REVEALS.search(title) else ""


def reveals_answer(lines: list[str], index: int) -> bool:
    """Whether a `<details>` fold opens at `index` with a summary about an answer or a solution."""
    window = " ".join(lines[index : index + 4])
    summary = _SUMMARY.search(window)
    return bool(_DETAILS_OPEN.match(lines[index]) and summary and REVEALS.search(summary.group(1)))


def answer_end(lines: list[str], index: int) -> int:
    """The index after an answer box or fold that opens at `index`, else 0."""
    if answer_title(lines[index]):
        return admonition_end(lines, index)
    if not reveals_answer(lines, index):
        return 0
    depth = 0
    for end in range(index, len(lines)):
        depth += len(_DETAILS_OPEN_ANY.findall(lines[end])) - len(_DETAILS_CLOSE.findall(lines[end]))
        if depth <= 0:
            return end + 1
    return len(lines)


def admonition_end(lines: list[str], index: int) -> int:
    """The index after the admonition that opens at `index` (its nested boxes included); an unclosed one ends
    at the next heading."""
    depth = 0
    for end in range(index, len(lines)):
        if ADMONITION_CLOSE.match(lines[end]):
            depth -= 1
        elif ADMONITION_OPEN.match(lines[end]):
            depth += 1
        elif _HEADING.match(lines[end]):
            return end
        if depth <= 0:
            return end + 1
    return len(lines)


def quiz_container_end(lines: list[str], index: int) -> int:
    """The index after a quiz container that opens at `index` (up to its own closing tag), else 0."""
    match = CONTAINER.match(lines[index])
    if not match or not names_quiz(match):
        return 0
    if lines[index].rstrip().endswith("/>"):
        return index + 1
    tag = re.escape(match.group("tag"))
    opening, closing = re.compile(rf"<{tag}(?=[\s>/])"), re.compile(rf"</{tag}\s*>")
    depth = 0
    for end in range(index, len(lines)):
        depth += len(opening.findall(lines[end])) - len(closing.findall(lines[end]))
        if depth <= 0:
            return end + 1
    return len(lines)


def keyed_question_end(lines: list[str], index: int) -> int:
    """The index after a numbered question that asks (a "?" or lettered options) and gives its key, marked on an
    option or in an answer box or fold right after it: its options, indented lines and answer; else 0."""
    question = QUESTION_LINE.match(lines[index])
    if not question or lines[index].startswith((" ", "\t")) or _HEADING.match(lines[index]):
        return 0
    end = _question_end(lines, index)
    block = lines[index + 1 : end]
    asks = plain(question.group("text")).endswith("?") or any(OPTION_LINE.match(line) for line in block)
    if not asks:
        return 0
    marked = any(CORRECT_MARK.search(line) for line in block if _is_option(line)) or any(
        (box := CHECKBOX_LINE.match(line)) and box.group("mark") in "xX" for line in block
    )
    inside = any(answer_end(lines, at) for at in range(index + 1, end))
    after = next((at for at in range(end, len(lines)) if lines[at].strip()), len(lines))
    answered = answer_end(lines, after) if after < len(lines) else 0
    return max(end, answered) if marked or inside or answered else 0


def _is_option(line: str) -> bool:
    return bool(OPTION_LINE.match(line) or CHECKBOX_LINE.match(line) or BULLET_LINE.match(line))


def _question_end(lines: list[str], index: int) -> int:
    """The index after a question's own lines: its text, options and indented lines, up to a heading, the next
    question or a paragraph that is neither."""
    end = index + 1
    while end < len(lines):
        line = lines[end]
        if _HEADING.match(line) or (QUESTION_LINE.match(line) and not line.startswith((" ", "\t"))):
            break
        if not line.strip():
            following = next((lines[at] for at in range(end + 1, len(lines)) if lines[at].strip()), "")
            if not (following.startswith((" ", "\t")) or _is_option(following)):
                break
        end += 1
    return end
