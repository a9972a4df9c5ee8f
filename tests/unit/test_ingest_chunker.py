"""chunk_markdown: sections, anchors, merging, splitting and atomic blocks."""

from __future__ import annotations

from booktutor.ingest.chunker import chunk_markdown, estimate_tokens
from booktutor.ingest.models import ParsedChunk
from booktutor.markdown.headings import github_slug


def words(count: int, word: str = "alpha") -> str:
    return " ".join([word] * count) + "."


def chunk(markdown: str, **kwargs) -> list[ParsedChunk]:
    return chunk_markdown(markdown, title=kwargs.pop("title", "Sensors"), **kwargs)


def test_token_estimate_is_deterministic_and_counts_pieces() -> None:
    assert estimate_tokens("") == 0
    assert estimate_tokens("one two, three") == 6  # 4 pieces x 1.3, rounded up
    assert estimate_tokens("سینسر کی اقسام") == estimate_tokens("sensor of types")


def test_sections_get_heading_paths_anchors_and_heading_lines() -> None:
    markdown = (
        "Intro before any heading.\n\n# Sensors\n\nChapter text.\n\n"
        "## Proprioception\n\nInner sense.\n\n### IMUs {#imu-section}\n\nGyros drift.\n\n"
        "## Exteroception\n\nOuter sense.\n"
    )
    chunks = chunk(markdown, min_tokens=0)
    assert [(c.heading_path, c.anchor) for c in chunks] == [
        (("Sensors",), ""),
        (("Sensors",), "sensors"),
        (("Sensors", "Proprioception"), "proprioception"),
        (("Sensors", "Proprioception", "IMUs"), "imu-section"),
        (("Sensors", "Exteroception"), "exteroception"),
    ]
    assert chunks[0].text == "# Sensors\n\nIntro before any heading."
    assert chunks[3].text == "### IMUs\n\nGyros drift."
    assert [c.position for c in chunks] == [0, 1, 2, 3, 4]


def test_github_slugger_rules() -> None:
    assert github_slug("What's new in ROS 2?") == "whats-new-in-ros-2"
    assert github_slug("snake_case & kebab-case") == "snake_case--kebab-case"
    assert github_slug("سینسر کی اقسام") == "سینسر-کی-اقسام"


def test_duplicate_headings_get_numbered_anchors() -> None:
    markdown = "## Example\n\nOne.\n\n## Example\n\nTwo.\n\n## Example\n\nThree.\n"
    assert [c.anchor for c in chunk(markdown, min_tokens=0)] == [
        "example",
        "example-1",
        "example-2",
    ]


def test_urdu_headings_keep_their_letters() -> None:
    chunks = chunk("## سینسر کی اقسام\n\nمتن۔\n", min_tokens=0, title="سینسر")
    assert chunks[0].anchor == "سینسر-کی-اقسام"
    assert chunks[0].heading_path == ("سینسر", "سینسر کی اقسام")


def test_short_sections_merge_with_following_sibling_under_same_parent() -> None:
    markdown = "## A\n\nShort a.\n\n## B\n\nShort b.\n"
    chunks = chunk(markdown, min_tokens=50, max_tokens=400)
    assert len(chunks) == 1
    assert chunks[0].anchor == "a" and chunks[0].heading_path == ("Sensors", "A")
    assert chunks[0].text == "## A\n\nShort a.\n\n## B\n\nShort b."


def test_short_section_does_not_merge_across_parents_or_past_max() -> None:
    markdown = f"## A\n\n{words(60)}\n\n### A1\n\nShort.\n\n## B\n\nShort b.\n"
    chunks = chunk(markdown, min_tokens=50)
    assert [c.anchor for c in chunks] == ["a", "a1", "b"]  # A1's parent is A, B's is the chapter
    assert chunks[1].text == "### A1\n\nShort."
    nested = chunk("## A\n\n### A1\n\nShort.\n\n## B\n\nShort b.\n", min_tokens=50)
    assert [c.anchor for c in nested] == ["a"]  # child and then sibling of A both join A
    big = f"## A\n\nShort.\n\n## B\n\n{words(60)}\n"
    assert [c.anchor for c in chunk(big, min_tokens=50, max_tokens=60)] == ["a", "b"]


def test_long_sections_split_on_paragraphs_with_overlap() -> None:
    paragraphs = [words(20, f"w{i}") for i in range(6)]
    markdown = "## Long\n\n" + "\n\n".join(paragraphs) + "\n"
    chunks = chunk(markdown, min_tokens=10, max_tokens=70, overlap_tokens=30)
    assert len(chunks) > 1
    for item in chunks:
        assert item.text.startswith("## Long\n\n")
        assert item.anchor == "long" and item.token_count <= 70
    # each later chunk starts by repeating the previous chunk's last paragraph
    for previous, current in zip(chunks, chunks[1:], strict=False):
        assert current.text.split("\n\n")[1] == previous.text.split("\n\n")[-1]
    joined = " ".join(c.text for c in chunks)
    assert all(p in joined for p in paragraphs)


def test_oversized_code_block_is_its_own_unsplit_chunk() -> None:
    code = "```python\n" + "\n".join(f"value_{i} = compute({i})" for i in range(80)) + "\n```"
    markdown = f"## Code\n\nBefore.\n\n{code}\n\nAfter.\n"
    chunks = chunk(markdown, min_tokens=10, max_tokens=100, overlap_tokens=0)
    code_chunks = [c for c in chunks if c.has_code]
    assert len(code_chunks) == 1
    assert code_chunks[0].text == f"## Code\n\n{code}"
    assert code_chunks[0].token_count > 100
    assert code_chunks[0].code_languages == ("python",)


def test_tables_are_never_split_and_flagged() -> None:
    rows = "\n".join(f"| row {i} | value {i} |" for i in range(40))
    table = f"| name | value |\n|---|---|\n{rows}"
    chunks = chunk(f"## Data\n\nIntro.\n\n{table}\n", min_tokens=5, max_tokens=60)
    tables = [c for c in chunks if c.has_table]
    assert len(tables) == 1 and table in tables[0].text


def test_longer_fences_and_tildes_keep_inner_backticks_together() -> None:
    markdown = (
        "## Fences\n\n````markdown\n```python\n# not a heading\n```\n````\n\n~~~bash\n## also not a heading\n~~~\n"
    )
    chunks = chunk(markdown, min_tokens=0)
    assert len(chunks) == 1
    assert chunks[0].code_languages == ("markdown", "bash")
    assert "# not a heading" in chunks[0].text


def test_quiz_blocks_are_excluded_from_chunk_text() -> None:
    markdown = (
        "## Drift\n\nGyros drift.\n\n```quiz\n- id: q\n  type: short\n"
        "  question: Why?\n  answer: SECRET ANSWER\n```\n\n```python\nx = 1\n```\n"
    )
    text = chunk(markdown, min_tokens=0)[0].text
    assert "SECRET" not in text and "quiz" not in text
    assert "x = 1" in text


def test_heading_only_sections_produce_no_chunk() -> None:
    chunks = chunk("## Empty\n\n## Full\n\n" + words(80) + "\n", min_tokens=10, max_tokens=60)
    assert all(c.anchor == "full" for c in chunks)


PARTS_TABLE = (
    "| Part | Role |\n|---|---|\n| Single-board computer | Runs the planner |\n"
    "| Stepper driver | Powers the wheels |\n| Bumper switch | Detects contact |"
)
PINOUT = "```text\nboard pin 5 -> driver STEP\nboard pin 6 -> driver DIR\nboard pin 7 -> bumper\n```"


def test_a_table_and_the_code_after_it_are_chunks_of_their_own() -> None:
    """One vector for a parts table and a pinout listing resembled neither ('What parts do I need?' ranked the
    chunk far down): the table, and the code with the prose that leads into it, are chunked apart."""
    markdown = f"## Parts\n\nYou need three parts.\n\n{PARTS_TABLE}\n\nWire them like this:\n\n{PINOUT}\n"
    chunks = chunk(markdown, min_tokens=100, max_tokens=220)
    assert [(c.has_table, c.has_code) for c in chunks] == [(True, False), (False, True)]
    assert chunks[0].text == f"## Parts\n\nYou need three parts.\n\n{PARTS_TABLE}"
    assert chunks[1].text == f"## Parts\n\nWire them like this:\n\n{PINOUT}"
    assert chunks[0].anchor == chunks[1].anchor == "parts"


def test_a_short_table_section_does_not_join_a_code_sibling() -> None:
    markdown = f"## Build\n\n### Parts\n\n{PARTS_TABLE}\n\n### Wiring\n\n{PINOUT}\n\n### Notes\n\nCheck the wires.\n"
    chunks = chunk(markdown, min_tokens=100, max_tokens=220)
    first, second = (("Build", "build"), ("Parts", "parts")), (("Wiring", "wiring"), ("Notes", "notes"))
    assert [c.sections for c in chunks] == [first, second]
    assert not chunks[0].has_code and not chunks[1].has_table
    assert "### Wiring" not in chunks[0].text


def test_a_block_holding_a_table_and_code_stays_whole() -> None:
    quoted = "> | a | b |\n> |---|---|\n> | 1 | 2 |\n>\n> ```text\n> x\n> ```"
    chunks = chunk(f"## Note\n\n{PARTS_TABLE}\n\n{quoted}\n", min_tokens=100, max_tokens=220)
    assert len(chunks) == 1 and chunks[0].has_table and chunks[0].has_code
