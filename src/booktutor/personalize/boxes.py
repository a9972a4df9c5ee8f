"""Boxes built from a chapter's own sentences, each citing the section it quotes.

- "Key ideas" (beginners, intermediate readers): two or three sentences recapping each major section.
- "Summary" (advanced readers), first: the chapter's own summary section, or each section's
  most central sentence.
- "For software readers": where the chapter's code is and what it defines.
- "For hardware readers": the chapter's physical figures (rates, sizes, forces, …).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from booktutor.markdown.fences import iter_fence_flags
from booktutor.markdown.mdx import without_sentence_label
from booktutor.personalize.jargon import paragraphs, plain, sections_with_anchors, sentence_definitions, sentences
from booktutor.personalize.structure import steps_lead, table_lead, tables
from booktutor.rewrite.segments import Section, split_sections

KEY_IDEAS_TITLE = "Key ideas"
SUMMARY_TITLE = "Summary"
MIN_SECTION_WORDS = 25
MAX_OUTLINE_ITEMS = 5
MAX_KEY_IDEAS = 5  # one per sub-section at most
MAX_TABLES = 3
MIN_PHYSICAL_ROWS = 0.75  # the share of a table's rows naming hardware or a figure with its unit
_LIST_ITEM = re.compile(r"^(?:[-*+]|\d+[.)])\s+")
_HARDWARE = re.compile(
    r"\b(sensors?|cameras?|lidars?|imus?|motors?|actuators?|servos?|encoders?|gpus?|cpus?|jetson|batter(y|ies)|"
    r"gear(s|box|boxes)?|torque|voltage|current|power|wiring|wires?|boards?|microcontrollers?|chips?|hardware|"
    r"joints?|grippers?|wheels?|chassis|mount(ed|ing)?|latency|bandwidth|memory|compute|thermal|heat|weight|"
    r"payload|resolution|frame\s+rate|sampl(e|ing)\s+rate|accuracy|precision)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[A-Za-z][A-Za-z-]+")
_NUMBER = re.compile(r"\d")
_BOLD = re.compile(r"\*\*[^*]+\*\*|__[^_]+__")
_DEICTIC = re.compile(r"\b(following|below|above|shown|here|example)\b", re.IGNORECASE)
# A phrase a list completes that is whole on its own: "Converting text to speech:", "Used in heavy-duty arms:".
_PHRASE_START = re.compile(r"^(?:[A-Z][a-z]+(?:ing|ed|en)|For|Given|With|Without|Most|Mainly|Often)\s+\w+\s+\w+")
_OPEN_END = re.compile(
    r"\b(how|that|what|which|why|when|where|the|a|an|to|of|and|or|is|are|as|like|such|include|includes|including)$",
    re.IGNORECASE,
)
_NOT_AN_IDEA = re.compile(r"→|->|^(figure|table|step)\s*\d|^(first|then|next|finally)\b", re.IGNORECASE)
_BACK_REFERENCE = re.compile(r"^(this|that|these|those|it|its|they|their|such|here|there|so|but|and|or)\b", re.I)
# "**Key Insight:** Digital AI optimizes for accuracy; …": a bold label of the paragraph, not part of its sentence.
_RUN_IN_LABEL = re.compile(r"^(?:\*\*|__)[^*_\n]{1,40}?:(?:\*\*|__)\s+(?=[A-Z])")
_LEANS_ON_PREVIOUS = re.compile(rf"{_BACK_REFERENCE.pattern}|^(both|also)\b|\bhowever\b", re.IGNORECASE)
_SKIP_TITLES = re.compile(
    r"\b(learning\s+objectives?|objectives|what\s+you('ll| will)\s+(learn|build)|prerequisites?|summary|conclusion|"
    r"key\s+(terms|takeaways?|points)|glossary|references?|further\s+reading|resources|exercises?|next\s+steps?|"
    r"what'?s\s+next|recap|wrap[- ]up|introduction|overview|table\s+of\s+contents)\b",
    re.IGNORECASE,
)
# Sub-sections a learner does rather than reads: their sentences are steps and expected output, not ideas.
_PRACTICE_TITLE = re.compile(
    r"\b(exercises?|hands[- ]on|try\s+it|self[- ]check|quiz(zes)?|activit(y|ies))\b|^(labs?|assessments?)\b|\blab\s*\d",
    re.IGNORECASE,
)
# Sentences that announce, set a scene or address the reader's plans instead of stating an idea.
_SIGNPOST = re.compile(
    r"\b(let['’]s|^lets|let us|we'll|we will|you'll|you will|we're going to|you're going to|now that|"
    r"before (we|you|diving))\b|"
    r"\b(in )?this (exercise|section|chapter|module|lesson|course|tutorial|lab)\b|"
    r"\bthroughout the (module|chapter|course)\b|"
    r"^(imagine|try|consider|picture)\b|"
    r"^understanding\b.{0,80}\b(is|are) (crucial|essential|important|critical|vital)\b",
    re.IGNORECASE,
)
SUMMARY_SECTION = re.compile(
    r"^(?:\d+(?:\.\d+)*\.?\s+)?(chapter\s+)?(summary|conclusions?|key\s+takeaways?|recap|wrap[- ]up|in\s+summary|"
    r"takeaways)\b",
    re.IGNORECASE,
)
_STOP = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "of",
        "to",
        "in",
        "for",
        "on",
        "with",
        "by",
        "is",
        "are",
        "this",
        "that",
        "it",
        "as",
        "at",
        "from",
        "be",
        "can",
    ]
)
_UNIT = re.compile(
    r"\d[\d,.]*\s?(?:k?Hz|MHz|GHz|mV|V|mA|A|kW|W|mAh|Wh|N·m|Nm|N|kg|g|mm|cm|m/s²?|m|km|rad/s|rpm|°|degrees?|"
    r"ms|µs|us|bits?|px|fps|dB|GB|MB|TOPS|W)(?![\w/])"
)
_CODE_NAME = re.compile(r"^\s*(?:async\s+)?(?:def|function|class|fn|func)\s+([A-Za-z_]\w*)", re.MULTILINE)
_FENCE_INFO = re.compile(r"^\s*(?:`{3,}|~{3,})\s*([\w+-]*)")
_DIAGRAM_LANGUAGES = frozenset({"mermaid", "quiz", "text", "txt", "plaintext", "math", ""})


@dataclass(frozen=True)
class Quote:
    text: str
    anchor: str
    title: str
    score: float
    order: int
    major: int  # which `#`/`##` section (0: before the first heading)
    level: int  # the level of the heading the sentence is under (0: none)


def _prose_sentences(body: str) -> list[Quote]:
    """Every full sentence of the chapter's prose (not lists, tables, quotes, boxes or code)."""
    quotes: list[Quote] = []
    major = 0
    for anchor, title, lines, level in sections_with_anchors(body):
        major += 1 if 1 <= level <= 2 else 0
        heading_words = {w.lower() for w in _WORD.findall(title)} - _STOP
        if _PRACTICE_TITLE.search(title):
            continue
        for p_index, paragraph in enumerate(paragraphs(_outside_boxes(lines))):
            item = bool(_LIST_ITEM.match(paragraph))  # a list item that is a full sentence counts less
            paragraph = _LIST_ITEM.sub("", paragraph)
            if paragraph.startswith(("|", ">", ":::", "<", "!", "[")):
                continue
            for s_index, raw in enumerate(sentences(paragraph)):
                sentence = _RUN_IN_LABEL.sub("", without_sentence_label(raw), count=1)
                if item and not sentence.endswith("."):
                    continue
                words = sentence.split()
                if not 8 <= len(words) <= 45 or sentence.endswith((":", "?")) or not sentence[0].isupper():
                    continue
                if _SIGNPOST.search(sentence):
                    continue
                overlap = len(heading_words & {w.lower() for w in _WORD.findall(sentence)})
                score = (
                    2.0 * bool(_BOLD.search(sentence))
                    + 1.5 * bool(sentence_definitions(sentence))
                    - 1.5 * bool(_BACK_REFERENCE.match(sentence))
                    + 0.5 * bool(_NUMBER.search(sentence))
                    + min(overlap, 2)
                    + (1.0 if p_index == 0 and s_index == 0 else 0.0)
                    - (0.5 if item else 0.0)
                )
                quotes.append(Quote(plain(sentence), anchor, title, score, len(quotes), major, level))
    return quotes


def _outside_boxes(lines: list[str]) -> list[str]:
    """Lines outside admonitions and folds (asides and folded-away material are not the section's main line)."""
    depth, kept = 0, []
    for line in lines:
        stripped = line.strip()
        if re.match(r"^:{3,}\S|^<details\b", stripped, re.IGNORECASE):
            depth += 1
            continue
        if re.match(r"^:{3,}$|^</details\s*>", stripped, re.IGNORECASE):
            depth = max(depth - 1, 0)
            continue
        kept.append("" if depth else line)
    return kept


def _cite(quote: Quote) -> str:
    return f"{quote.text} ([{quote.title}](#{quote.anchor}))" if quote.anchor else quote.text


def key_ideas(heading: str, quotes: list[Quote]) -> str | None:
    """A "Key ideas" box for one `##` section, or None if it is too short or not prose."""
    if _SKIP_TITLES.search(heading):
        return None
    words = sum(len(q.text.split()) for q in quotes)
    if words < MIN_SECTION_WORDS or len(quotes) < 2:
        return None
    items = "\n".join(f"- {_cite(q)}" for q in _recap(quotes, 3 if words >= 250 else 2))
    return f":::tip[{KEY_IDEAS_TITLE}]\n{items}\n:::"


def _recap(quotes: list[Quote], count: int) -> list[Quote]:
    """The best sentence of each sub-section when it stands on its own (up to MAX_KEY_IDEAS: a recap that
    skips no sub-section), then the section's next best up to `count`; in reading order."""
    ranked = sorted(quotes, key=lambda q: (-q.score, q.order))
    firsts = {q.anchor: q for q in reversed(ranked)}.values()  # each anchor's best
    chosen = [q for q in ranked if q in firsts and q.score >= 1 and not _LEANS_ON_PREVIOUS.search(q.text)]
    chosen = chosen[:MAX_KEY_IDEAS]
    chosen += [q for q in ranked if q not in chosen][: max(0, count - len(chosen))]
    return sorted(chosen, key=lambda q: q.order)


def outline_ideas(heading: str, outline: list[tuple[str, str, str]]) -> str | None:
    """A "Key ideas" box for a `##` section taught in lists, tables, steps and code: each sub-section with the
    phrase that opens it ("Forward kinematics: Given joint angles, compute end-effector position") or what its
    table or steps cover; one item is enough when it is a table or steps (the section's whole lesson)."""
    structured = any(lead.startswith(("A table of", "In order: ")) for _, _, lead in outline)
    if _SKIP_TITLES.search(heading) or len(outline) < (1 if structured else 2):
        return None
    items = "\n".join(f"- [{title}](#{anchor}): {lead}" for anchor, title, lead in outline[:MAX_OUTLINE_ITEMS])
    return f":::tip[{KEY_IDEAS_TITLE}]\n{items}\n:::"


def _outline(body: str) -> dict[int, list[tuple[str, str, str]]]:
    """(anchor, title, lead) of each `###` sub-section, by major section: its opening phrase, else what its table
    or numbered steps cover (a `##` section's own table or steps count too)."""
    found: dict[int, list[tuple[str, str, str]]] = {}
    major = 0
    for anchor, title, lines, level in sections_with_anchors(body):
        major += 1 if 1 <= level <= 2 else 0
        if not 2 <= level <= 3 or _PRACTICE_TITLE.search(title) or (level == 3 and _SKIP_TITLES.search(title)):
            continue
        opening = _opening_phrase(lines) if level == 3 else None
        lead = opening or table_lead(_outside_boxes(lines)) or steps_lead(_outside_boxes(lines))
        if lead:
            found.setdefault(major, []).append((anchor, title, lead))
    return found


def _opening_phrase(lines: list[str]) -> str | None:
    """The sub-section's first sentence when it says what the sub-section is about, in a few words."""
    blocks = paragraphs(_outside_boxes(lines))
    first = blocks[0] if blocks else ""
    if not first or _LIST_ITEM.match(first) or first.startswith(("|", ">", ":::", "<", "!", "[")):
        return None
    sentence = without_sentence_label(sentences(first)[0]).strip()  # inline markup kept: it goes back in Markdown
    lead = sentence.rstrip(":").strip()
    if not 3 <= len(lead.split()) <= 30 or any(p.search(lead) for p in (_SIGNPOST, _DEICTIC, _NOT_AN_IDEA)):
        return None
    list_follows = len(blocks) > 1 and bool(_LIST_ITEM.match(blocks[1]))
    if sentence.endswith(":") and list_follows and (not _PHRASE_START.match(lead) or _OPEN_END.search(lead)):
        return None  # "Path planning optimizes for:", "Understanding these helps you see how:" need their list
    if lead.endswith((".", "!", "?", "۔", "؟")):
        return lead
    return f"{lead}۔" if re.search(r"[\u0600-\u06FF]", lead) else f"{lead}."  # Urdu ends with its own full stop


def add_key_ideas(body: str) -> str:
    """A "Key ideas" recap at the end of every major (`##`) section that has one (at the top it stood right
    above the sentences it quotes); a section of lists and code under sub-headings recaps its sub-sections."""
    by_section: dict[int, list[Quote]] = {}
    for quote in _prose_sentences(body):
        by_section.setdefault(quote.major, []).append(quote)
    outline = _outline(body)
    parts, major = [], 0
    for section in split_sections(body):
        major += section.heading is not None
        is_major = section.heading is not None and section.heading.lstrip().startswith("## ")
        heading = section.heading or ""
        box = (
            key_ideas(heading, by_section.get(major, [])) or outline_ideas(heading, outline.get(major, []))
            if is_major
            else None
        )
        if box is None:
            parts.append(section.text)
            continue
        text = section.text.rstrip("\n")
        parts.append(f"{text}\n\n{box}{section.text[len(text) :] or chr(10)}")
    return "".join(parts)


def summary_box(body: str) -> tuple[str, str | None]:
    """(body without its own summary section, a "Summary" box) built from the chapter."""
    sections = split_sections(body)
    for index, section in enumerate(sections):
        title = (section.heading or "").lstrip("# ").strip()
        if section.heading and section.heading.lstrip().startswith("## ") and SUMMARY_SECTION.match(title):
            text = _summary_text(section)
            if text:
                rest = "".join(s.text for i, s in enumerate(sections) if i != index)
                return rest, f":::info[{SUMMARY_TITLE}]\n{text}\n:::"
    quotes = _prose_sentences(body)
    best: dict[str, Quote] = {}
    for quote in quotes:
        if quote.level >= 2 and (quote.anchor not in best or quote.score > best[quote.anchor].score):
            best[quote.anchor] = quote
    chosen = sorted(best.values(), key=lambda q: q.order)[:6]
    if not chosen:
        return body, None
    items = "\n".join(f"- {_cite(q)}" for q in chosen)
    return body, f":::info[{SUMMARY_TITLE}]\n{items}\n:::"


def _summary_text(section: Section) -> str:
    """The chapter's own summary, as it wrote it (no sub-headings, no code)."""
    kept = [
        line
        for line, fenced in iter_fence_flags(section.body.split("\n"))
        if not fenced and not line.lstrip().startswith("#")
    ]
    return "\n".join(kept).strip()


def software_box(body: str) -> str | None:
    """Where the chapter's code examples are, with the language and what each defines."""
    items = []
    for anchor, title, language, names in _code_blocks(body):
        what = f": defines {', '.join(f'`{n}`' for n in names[:3])}" if names else ""
        items.append(f"- [{title or 'Code'}](#{anchor}) ({language}){what}")
    if not items:
        return None
    listed = "\n".join(dict.fromkeys(items))
    return f":::info[For software readers]\nThe code examples in this chapter:\n\n{listed}\n:::"


def _code_blocks(body: str) -> list[tuple[str, str, str, list[str]]]:
    """(section anchor, section title, language, names defined) of each code block."""
    blocks: list[tuple[str, str, str, list[str]]] = []
    parts = sections_with_anchors(body)
    heading = re.compile(r"^ {0,3}#{1,6}[ \t]+\S")
    section, info, previous = 0, "", False
    code: list[str] = []
    for line, fenced in iter_fence_flags([*body.split("\n"), ""]):
        if not fenced and heading.match(line):
            section += 1
        if fenced and not previous:
            match = _FENCE_INFO.match(line)
            info, code = (match.group(1).lower() if match else ""), []
        elif fenced:
            code.append(line)
        elif previous and info not in _DIAGRAM_LANGUAGES:
            part = parts[min(section, len(parts) - 1)]
            blocks.append((part.anchor, part.title, info.capitalize(), _CODE_NAME.findall("\n".join(code))))
        previous = fenced
    return blocks


def hardware_box(body: str) -> str | None:
    """The chapter's sentences about hardware, those with physical figures first, cited where they are taught
    (an advanced reader's summary moves to the top); then its tables of hardware (a chapter of lists and tables
    states its figures there)."""
    taught = [q for q in _prose_sentences(body) if not SUMMARY_SECTION.match(q.title)]  # a summary restates them
    scored = [(2 * len(_UNIT.findall(q.text)) + len(_HARDWARE.findall(q.text)), q) for q in taught]
    figures = [(score, q) for score, q in scored if score >= 2]
    best = sorted(figures, key=lambda pair: (-pair[0], pair[1].order))[:4]
    items = "\n".join(f"- {_cite(q)}" for q in sorted((q for _, q in best), key=lambda q: q.order))
    parts = [f"What this chapter says about the hardware:\n\n{items}"] if items else []
    tables = "\n".join(_hardware_tables(body))
    parts += [f"Tables about the hardware:\n\n{tables}"] if tables else []
    body_text = "\n\n".join(parts)
    return f":::info[For hardware readers]\n{body_text}\n:::" if parts else None


def _hardware_tables(body: str) -> list[str]:
    """A link to each table whose rows name hardware or physical figures, with its columns and first rows."""
    items = []
    for part in sections_with_anchors(body):
        for header, rows in tables(part.lines):
            physical = sum(bool(_UNIT.search(" ".join(row)) or _HARDWARE.search(" ".join(row))) for row in rows)
            if part.anchor and physical >= max(2, MIN_PHYSICAL_ROWS * len(rows)):
                first = ", ".join(row[0] for row in rows[:4] if row[0]) + (", …" if len(rows) > 4 else "")
                items.append(f"- [{part.title}](#{part.anchor}): {', '.join(c for c in header if c)} ({first})")
    return items[:MAX_TABLES]
