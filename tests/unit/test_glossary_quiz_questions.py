"""A glossary page's quiz asks only about terms no chapter teaches; the chapters ask about theirs."""

from __future__ import annotations

from booktutor.ingest.document import parse_document
from booktutor.ingest.models import ParsedDocument
from booktutor.tutoring.generate import ChapterMaterial, Section, generate_offline
from booktutor.tutoring.imported import BookPage

GEARS = """---
title: Gear trains
---

# Gear trains

## Gear ratio

The gear ratio is the number of teeth on the driven gear divided by the number on the driving gear.
A higher gear ratio gives more torque and less speed at the output shaft of the train.

## Backlash

Backlash is the small gap between meshing teeth that lets the output wobble when the motor reverses.
Preloaded gears and split pinions reduce backlash in precise joints.

## Key terms

- **Gear ratio**: driven teeth divided by driving teeth.
- **Backlash**: the gap between meshing teeth.
"""

GLOSSARY = """---
title: Glossary
---

# Glossary

- **Backlash**: The gap between meshing teeth that lets an output shaft wobble.
- **Gear ratio**: The number of driven teeth divided by the number of driving teeth.
- **Worm drive**: A screw that meshes with a toothed wheel at a right angle, giving a large reduction.
"""


def _material(path: str, text: str, pages: list[BookPage]) -> ChapterMaterial:
    doc = parse_document(text.encode(), path, "en")
    assert isinstance(doc, ParsedDocument)
    sections = [Section(c.heading_path, c.anchor, c.text) for c in doc.chunks]
    return ChapterMaterial(path, doc.title, doc.front_matter, "en", doc.markdown, sections, book_chapters=pages)


async def test_glossary_questions_only_ask_what_no_chapter_teaches(local_embedder):
    pages = [BookPage(p, "", t, {}, "en") for p, t in (("gears.md", GEARS), ("glossary.md", GLOSSARY))]
    glossary = await generate_offline(_material("glossary.md", GLOSSARY, pages), local_embedder)
    assert glossary and {q.correct_answer_text() for q in glossary} == {"Worm drive"}
    gears = await generate_offline(_material("gears.md", GEARS, pages), local_embedder)
    assert {"Gear ratio", "Backlash"} <= {q.correct_answer_text() for q in gears}
