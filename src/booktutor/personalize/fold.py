"""Folding material away (`<details>`): kept one click away instead of removed.

Docusaurus renders `<details>`/`<summary>` as a collapsible box, and so does the demo site.
For advanced readers, beginner material is folded: "For beginners" blocks, admonitions that
explain by analogy or in simple terms, and learning-objective sections.
"""

from __future__ import annotations

import html
import re

from booktutor.markdown.fences import iter_fence_flags
from booktutor.rewrite.segments import split_sections

FOLD_CLOSE = ["", "</details>"]
BEGINNER_ASIDE = re.compile(
    r"\b(analog(y|ies)|in\s+simple\s+terms|simply\s+put|think\s+of|for\s+beginners|beginners?|new\s+to|"
    r"newcomers?|plain\s+(english|words|language)|eli5|intuition|everyday|real[- ]world\s+example|"
    r"remember|did\s+you\s+know|why\s+this\s+matters|key\s+takeaway)\b",
    re.IGNORECASE,
)
OBJECTIVES = re.compile(
    r"^#{2,3}\s+(?:\d+(?:\.\d+)*\.?\s+)?(learning\s+objectives?|objectives|what\s+you('ll|\s+will)\s+learn|"
    r"learning\s+outcomes|prerequisites?)\b",
    re.IGNORECASE,
)
_OPEN = re.compile(r"^(\s*)(:{3,})([A-Za-z][\w-]*)[ \t]*(?:\[(?P<bracket>[^\]]*)\]|(?P<plain>[^{\s][^{]*?))?[ \t]*$")
_CLOSE = re.compile(r"^\s*(:{3,})\s*$")


def fold_open(summary: str) -> list[str]:
    return ["<details>", f"<summary>{html.escape(summary, quote=False)}</summary>", ""]


def fold_beginner_material(body: str) -> str:
    """Beginner asides and learning-objective sections folded into `<details>`."""
    return _fold_objectives(_fold_asides(body))


def _fold_asides(body: str) -> str:
    out: list[str] = []
    stack: list[tuple[int, bool]] = []  # (colon count, folded)
    for line, fenced in iter_fence_flags(body.split("\n")):
        opening = None if fenced else _OPEN.match(line)
        if opening:
            title = (opening.group("bracket") or opening.group("plain") or "").strip()
            inside_fold = any(folded for _, folded in stack)
            fold = not inside_fold and bool(BEGINNER_ASIDE.search(title))
            stack.append((len(opening.group(2)), fold))
            out += fold_open(f"{title} (for beginners)") if fold else [line]
            continue
        closing = None if fenced else _CLOSE.match(line)
        if closing and stack and len(closing.group(1)) == stack[-1][0]:
            _, folded = stack.pop()
            out += FOLD_CLOSE if folded else [line]
            continue
        out.append(line)
    return "\n".join(out)


def _fold_objectives(body: str) -> str:
    parts = []
    for section in split_sections(body, max_level=3):
        if section.heading and OBJECTIVES.match(section.heading.strip()) and section.body.strip():
            title = section.heading.lstrip("# ").strip()
            inner = section.body.strip("\n")
            parts.append(f"{section.heading}\n\n" + "\n".join([*fold_open(title), inner, *FOLD_CLOSE]) + "\n\n")
        else:
            parts.append(section.text)
    return "".join(parts)
