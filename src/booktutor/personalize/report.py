"""Measure offline personalization on whole books (the numbers in docs/personalization.md).

    python -m booktutor.personalize.report BOOK_DIR [BOOK_DIR ...] [--json] [--matrix]

For every chapter of each book (in sidebar order, default language) and every profile, the
offline adaptation is computed as the API computes it, and the report counts: chapters changed
per profile and by what (definitions, key ideas, summary, folds, background boxes), "Before you
start" links and whether each points to an earlier, non-quiz chapter of the book, and leaks
(quiz blocks, answers and keys marked on options, MDX imports, JSX) in the adapted Markdown and in its demo-site HTML.
`--matrix` instead counts, over every level × software none/some × hardware none/some, the chapters a
profile leaves unchanged or nearly so (fewer than LITTLE added words): a learner who asks for a beginner
version and gets the same page thinks the feature is broken.
"""

from __future__ import annotations

import argparse
import difflib
import itertools
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from booktutor.ingest.discover import discover_book
from booktutor.ingest.parse import parse_book
from booktutor.markdown.fences import iter_fence_flags
from booktutor.markdown.html import render_chapter
from booktutor.markdown.knowledge_checks import answer_title, keyed_question_end
from booktutor.markdown.learner_view import heading_title, is_quiz_title, learner_markdown
from booktutor.markdown.urls import anchor_url
from booktutor.personalize.adapt import adapt_chapter
from booktutor.personalize.profile import Background, LearnerProfile, Level
from booktutor.personalize.source import BookPage, book_context, is_quiz_page

PROFILES: dict[str, LearnerProfile] = {
    "beginner": LearnerProfile(level="beginner"),
    "intermediate": LearnerProfile(level="intermediate"),
    "advanced": LearnerProfile(level="advanced"),
    "software professional": LearnerProfile(software="professional"),
    "hardware professional": LearnerProfile(hardware="professional"),
}
MARKERS = {
    "definitions": re.compile(r"^> \*\*[^*]+\*\*: ", re.MULTILINE),
    "key ideas": re.compile(r"^:::tip\[Key ideas\]", re.MULTILINE),
    "before you start": re.compile(r"^:::note\[Before you start\]", re.MULTILINE),
    "summary first": re.compile(r"^:::info\[Summary\]", re.MULTILINE),
    "folded": re.compile(r"^<details>$", re.MULTILINE),
    "software box": re.compile(r"^:::info\[For software readers\]", re.MULTILINE),
    "hardware box": re.compile(r"^:::info\[For hardware readers\]", re.MULTILINE),
    "reading the code": re.compile(r"^:::note\[Reading the code\]", re.MULTILINE),
}
LITTLE = 20
_LEVELS: tuple[Level, ...] = ("beginner", "intermediate", "advanced")
_BACKGROUNDS: tuple[Background, ...] = ("none", "some")
MATRIX = {
    f"{level}/sw {software}/hw {hardware}": LearnerProfile(level=level, software=software, hardware=hardware)
    for level, software, hardware in itertools.product(_LEVELS, _BACKGROUNDS, _BACKGROUNDS)
}
_LINK = re.compile(r"\]\(([^)#]+)(?:#[^)]*)?\)")
_ANSWER = re.compile(r"^\s*(?:\*\*|__)?\s*(?:correct\s+)?answer\s*(?:key)?\s*:", re.IGNORECASE | re.MULTILINE)
_JSX = re.compile(r"<[A-Z][\w.]*[\s/>]|style=\{\{")
_ESM = re.compile(r"^(?:import|export)\s", re.MULTILINE)


def load_pages(root: Path) -> list[BookPage]:
    """The book's default-language chapters in sidebar order, as adaptation reads them."""
    source = discover_book(root)
    documents, _ = parse_book(source)
    order = source.sort_keys
    chosen = sorted(
        (d for d in documents if d.language == source.default_language), key=lambda d: order.get(d.source_path, "")
    )
    return [
        BookPage(
            d.source_path,
            d.source_path,
            d.title,
            anchor_url(
                d.source_path, d.front_matter, "", language=d.language, default_language=d.language, permalink=d.slug
            ),
            d.markdown,
        )
        for d in chosen
    ]


def leaks(markdown: str) -> list[str]:
    """Quiz blocks, answers, MDX imports and JSX left in a learner-facing Markdown text."""
    found: list[str] = []
    prose = "\n".join(line for line, fenced in iter_fence_flags(markdown.split("\n")) if not fenced)
    if re.search(r"^\s*(`{3,}|~{3,})\s*quiz\b", markdown, re.MULTILINE):
        found.append("quiz block")
    for line in prose.split("\n"):
        heading = heading_title(line)
        if heading and heading[0] > 1 and is_quiz_title(heading[1]):
            found.append(f"quiz section {heading[1]!r}")
    if _ANSWER.search(prose):
        found.append("answer line")
    if re.search(r"<summary>[^<]*(answer|solution)", prose, re.IGNORECASE):
        found.append("answer reveal")
    lines = prose.split("\n")
    if any(answer_title(line) for line in lines):
        found.append("answer box")
    if any(keyed_question_end(lines, index) for index in range(len(lines))):
        found.append("keyed question")
    if _ESM.search(prose):
        found.append("MDX import/export")
    if _JSX.search(re.sub(r"`[^`]*`", "", prose)):
        found.append("JSX")
    return found


def html_leaks(html: str) -> list[str]:
    found = []
    html = re.sub(r"<pre>.*?</pre>", "", html, flags=re.DOTALL)
    if re.search(r"^\s*<p>:::", html, re.MULTILINE) or ":::" in html:
        found.append("admonition as text")
    if re.search(r"&lt;[A-Z][\w.]*[\s/&]|^<p>import\s", html, re.MULTILINE):
        found.append("JSX or import as text")
    return found


def measure_book(root: Path) -> dict[str, Any]:
    pages = load_pages(root)
    urls = [p.url for p in pages]
    counts: dict[str, Counter[str]] = {name: Counter() for name in PROFILES}
    links = Counter[str]()
    leak_list: list[str] = []
    readable = [i for i, p in enumerate(pages) if not is_quiz_page(p)]
    for index in range(len(pages)):
        context = book_context(pages, index)
        base = learner_markdown(pages[index].markdown)
        for name, profile in PROFILES.items():
            adapted = adapt_chapter(base, profile, context)
            tally = counts[name]
            tally["chapters"] += 1
            tally["changed"] += adapted.strip() != base.strip()
            for marker, pattern in MARKERS.items():  # added by the adaptation, not authored
                tally[marker] += len(pattern.findall(adapted)) > len(pattern.findall(base))
            problems = leaks(adapted) + html_leaks(render_chapter(adapted).html)
            leak_list += [f"{pages[index].source_path} [{name}]: {p}" for p in problems]
            if name == "beginner":
                _count_links(adapted, index, urls, pages, links)
    return {
        "book": root.name,
        "chapters": len(pages),
        "quiz_pages": len(pages) - len(readable),
        "profiles": {name: dict(tally) for name, tally in counts.items()},
        "prerequisite_links": dict(links),
        "leaks": leak_list,
    }


def matrix_book(root: Path) -> dict[str, Any]:
    """Per profile of the matrix: chapters left unchanged, and changed by fewer than LITTLE added words."""
    pages = load_pages(root)
    rows: dict[str, Counter[str]] = {name: Counter() for name in MATRIX}
    for index in range(len(pages)):
        context = book_context(pages, index)
        base = learner_markdown(pages[index].markdown)
        for name, profile in MATRIX.items():
            adapted = adapt_chapter(base, profile, context)
            added = added_words(base, adapted)
            rows[name]["unchanged"] += adapted.strip() == base.strip()
            rows[name]["little"] += adapted.strip() != base.strip() and added < LITTLE
            rows[name]["added words"] += added
    return {"book": root.name, "chapters": len(pages), "profiles": {k: dict(v) for k, v in rows.items()}}


def added_words(before: str, after: str) -> int:
    """Words on the lines `after` adds to or changes in `before`."""
    old, new = before.split("\n"), after.split("\n")
    opcodes = difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    return sum(len(line.split()) for tag, _, _, j1, j2 in opcodes if tag != "equal" for line in new[j1:j2])


def _matrix_table(results: list[dict[str, Any]]) -> str:
    lines = []
    for result in results:
        lines.append(f"\n### {result['book']} ({result['chapters']} chapters)\n")
        lines.append(f"| profile | unchanged | fewer than {LITTLE} words added | words added per chapter |")
        lines.append("|---|---|---|---|")
        for name, row in result["profiles"].items():
            mean = row.get("added words", 0) / max(result["chapters"], 1)
            lines.append(f"| {name} | {row.get('unchanged', 0)} | {row.get('little', 0)} | {mean:.0f} |")
    return "\n".join(lines)


def _count_links(adapted: str, index: int, urls: list[str], pages: list[BookPage], links: Counter[str]) -> None:
    note = adapted.split(":::note[Before you start]", 1)
    if len(note) < 2:
        return
    for target in _LINK.findall(note[1].split("\n:::", 1)[0]):
        links["total"] += 1
        position = urls.index(target) if target in urls else -1
        valid = 0 <= position < index and not is_quiz_page(pages[position])
        links["valid"] += valid
        links["previous page"] += position == index - 1
        links["quiz page"] += position >= 0 and is_quiz_page(pages[position])


def _table(results: list[dict[str, Any]]) -> str:
    lines = []
    for result in results:
        n = result["chapters"]
        lines.append(f"\n### {result['book']} ({n} chapters, {result['quiz_pages']} quiz pages)\n")
        lines.append("| profile | changed | " + " | ".join(MARKERS) + " |")
        lines.append("|---|---|" + "---|" * len(MARKERS))
        for name, tally in result["profiles"].items():
            cells = [f"{tally.get(m, 0)}" for m in MARKERS]
            lines.append(
                f"| {name} | {tally['changed']}/{n} ({100 * tally['changed'] / n:.0f} %) | " + " | ".join(cells) + " |"
            )
        link = result["prerequisite_links"]
        lines.append(
            f"\nPrerequisite links: {link.get('total', 0)}, valid {link.get('valid', 0)}, "
            f"to the previous page {link.get('previous page', 0)}, to quiz pages {link.get('quiz page', 0)}. "
            f"Leaks: {len(result['leaks'])}."
        )
        lines += [f"- {leak}" for leak in result["leaks"][:20]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("books", nargs="+", type=Path)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--matrix", action="store_true", help="chapters each profile leaves (nearly) unchanged")
    args = parser.parse_args(argv)
    if args.matrix:
        matrix = [matrix_book(root) for root in args.books]
        print(json.dumps(matrix, indent=2) if args.json else _matrix_table(matrix))
        return 0
    results = [measure_book(root) for root in args.books]
    print(json.dumps(results, indent=2) if args.json else _table(results))
    return 1 if any(r["leaks"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
