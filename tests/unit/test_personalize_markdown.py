"""Sections, placeholders, structure checks, offline adaptation and script checks (no services)."""

from __future__ import annotations

import re
from pathlib import Path

from booktutor.markdown.front_matter import split_front_matter
from booktutor.markdown.learner_view import learner_markdown
from booktutor.personalize.adapt import adapt_chapter, filter_audience_blocks
from booktutor.personalize.boxes import add_key_ideas
from booktutor.personalize.jargon import plain, sentence_definitions
from booktutor.personalize.profile import LearnerProfile, hints_from_text
from booktutor.personalize.report import load_pages
from booktutor.personalize.source import book_context
from booktutor.rewrite.segments import REWRITE_KINDS, TRANSLATE_KINDS, Shield, split_sections
from booktutor.rewrite.structure import compare_markdown, extract_structure
from booktutor.translate.script import looks_translated
from booktutor.translate.service import anchor_headings, translation_inputs

SAMPLE = Path(__file__).resolve().parents[2] / "src/booktutor/sample_book/docs"

TRICKY = """import Tabs from '@theme/Tabs';

# Tricky chapter

Intro with `inline code`, a [link](https://example.com/a_(b) "T") and <https://auto.link/x>.

## Lists {#custom-lists}

1. First
   - nested with [ref][r1]
     ```python
     print("indented fence")
     ```
2. Second

````markdown
```python
inner = "fence with backticks"
```
````

<Tabs>
<TabItem value="a">Tab text</TabItem>
</Tabs>

## Table

| A | B | C |
|---|---|---|
| 1 | 2 | `x|y` |

![diagram](img/diagram.png)

:::tip[For beginners]
Nested lists are fine.
:::

[r1]: https://example.com/ref
"""


def test_sections_concatenate_back_exactly():
    sections = split_sections(TRICKY)
    assert "".join(s.text for s in sections) == TRICKY
    assert [s.heading for s in sections] == [
        None,
        "# Tricky chapter",
        "## Lists {#custom-lists}",
        "## Table",
    ]


def test_fence_with_backticks_is_one_block_and_headings_inside_code_do_not_split():
    text = "## A\n\n````md\n## not a heading\n```\ncode\n```\n````\n\n## B\n"
    assert [s.heading for s in split_sections(text)] == ["## A", "## B"]


def test_shield_round_trips_tricky_markdown_and_hides_code_urls_and_anchors():
    shield = Shield(TRANSLATE_KINDS)
    protected = shield.protect(TRICKY)
    for hidden in (
        "print(",
        "inner =",
        "https://",
        "custom-lists",
        "`inline code`",
        "<Tabs>",
        "import Tabs",
    ):
        assert hidden not in protected
    restored, problems = shield.restore(protected)
    assert problems == [] and restored == TRICKY


def test_restore_reports_dropped_repeated_and_invented_placeholders():
    shield = Shield(REWRITE_KINDS)
    protected = shield.protect("Text [a](https://a.example).\n\n```py\nx = 1\n```\n")
    tokens = list(shield.slots)
    broken = protected.replace(tokens[0], "").replace(tokens[1], tokens[1] * 2) + " ⟦Z9⟧"
    _, problems = shield.restore(broken)
    assert len(problems) == 3


def test_structure_extraction_sees_every_kind_of_element():
    structure = extract_structure(TRICKY, {"title": "x"})
    assert [a for a in structure.anchors] == ["tricky-chapter", "custom-lists", "table"]
    assert len(structure.code_blocks) == 2 and structure.code_blocks[1][0] == "markdown"
    assert structure.links["https://example.com/ref"] == 1 and structure.images["img/diagram.png"] == 1
    assert structure.tables == [3] and structure.front_matter_keys == {"title"}


def test_structure_problems_catch_each_kind_of_damage():
    assert compare_markdown(TRICKY, TRICKY, translated=False) == []
    assert compare_markdown(TRICKY, TRICKY.replace('print("indented fence")', "print()"), translated=False)
    assert compare_markdown(TRICKY, TRICKY.replace('(https://example.com/a_(b) "T")', ""), translated=False)
    assert compare_markdown(
        TRICKY,
        TRICKY.replace("| A | B | C |\n|---|---|---|", "| A | B |\n|---|---|"),
        translated=False,
    )
    assert compare_markdown(TRICKY, TRICKY.replace("## Table", "## Tables"), translated=False)
    assert compare_markdown(TRICKY, TRICKY.replace("![diagram](img/diagram.png)", ""), translated=False)
    assert compare_markdown("x", "x", translated=False, original_front_matter={"id": 1}, candidate_front_matter={}) == [
        "front-matter keys lost: ['id']"
    ]
    # Additions are fine: a rewrite may add a link or a note.
    assert compare_markdown(TRICKY, TRICKY + "\nSee [more](/docs/more).\n", translated=False) == []


def test_translation_keeps_anchors_even_when_heading_text_changes():
    anchored = anchor_headings("# Gears\n\n## Gear ratio\n\ntext\n\n## Gear ratio\n")
    assert anchored == "# Gears {#gears}\n\n## Gear ratio {#gear-ratio}\n\ntext\n\n## Gear ratio {#gear-ratio-1}\n"
    urdu = "# گیئر {#gears}\n\n## گیئر ریشو {#gear-ratio}\n\nمتن\n\n## گیئر ریشو {#gear-ratio-1}\n"
    assert compare_markdown(anchored, urdu, translated=True) == []
    assert compare_markdown(anchored, urdu.replace(" {#gear-ratio}", ""), translated=True)


def _chapter(name: str) -> str:
    return split_front_matter((SAMPLE / name).read_text(encoding="utf-8"))[1]


SAMPLE_PAGES = load_pages(SAMPLE.parent)


def _adapted(name: str, profile: LearnerProfile) -> tuple[str, str]:
    index = next(i for i, page in enumerate(SAMPLE_PAGES) if page.source_path == name)
    body = learner_markdown(SAMPLE_PAGES[index].markdown)
    return body, adapt_chapter(body, profile, book_context(SAMPLE_PAGES, index))


def test_beginners_get_definitions_key_ideas_and_real_prerequisites():
    body, adapted = _adapted("foundations/actuators.md", LearnerProfile(level="beginner"))
    assert "> **Torque density**: Output torque per unit actuator mass" in adapted
    assert adapted.index("> **Torque density**") < adapted.index("## Electric motors")  # first use: the intro
    assert ":::note[Before you start]" in adapted and "[Sensors](/docs/foundations/sensors): encoder" in adapted
    assert adapted.index("Before you start") < adapted.index("## Electric motors")
    assert adapted.count(":::tip[Key ideas]") >= 4 and "([Backdrivability](#backdrivability))" in adapted
    assert ":::tip[For beginners]" in adapted
    assert "<summary>Going deeper</summary>" in adapted  # folded, not removed
    assert compare_markdown(body, adapted, translated=False) == []
    assert _adapted("foundations/actuators.md", LearnerProfile(level="beginner"))[1] == adapted  # deterministic


def test_key_ideas_recap_the_section_they_close():
    _, adapted = _adapted("foundations/actuators.md", LearnerProfile(level="beginner"))
    boxes = list(re.finditer(r":::tip\[Key ideas\]\n(.*?)\n:::\n", adapted, re.DOTALL))
    assert len(boxes) >= 4
    for box in boxes:
        section = adapted[adapted.rindex("\n## ", 0, box.start()) : box.start()]
        following = adapted[box.end() :].lstrip("\n")
        assert following == "" or following.startswith(("## ", "# ")), following[:80]
        for item in box.group(1).split("\n"):
            idea = re.sub(r" \(\[[^\]]+\]\(#[^)]+\)\)$", "", item[2:])
            assert plain(idea) in plain(section), (idea, section[:200])


def test_advanced_readers_get_a_summary_first_and_beginner_material_folded():
    body, adapted = _adapted("foundations/actuators.md", LearnerProfile(level="advanced"))
    assert adapted.index(":::info[Summary]") < adapted.index("## Electric motors")
    assert "## Summary" not in adapted  # the chapter's own summary moved first
    assert "<summary>For beginners</summary>" in adapted and ":::tip[For beginners]" not in adapted
    assert ":::note[Going deeper]" in adapted and "Before you start" not in adapted and "> **" not in adapted
    assert "\n\n\n" not in adapted


def test_backgrounds_add_the_chapters_code_or_figures():
    _, software = _adapted("software/ros2-basics.md", LearnerProfile(software="professional"))
    assert ":::info[For software readers]\nThe code examples in this chapter:" in software
    _, hardware = _adapted("foundations/sensors.md", LearnerProfile(hardware="professional"))
    assert ":::info[For hardware readers]\nWhat this chapter says about the hardware:" in hardware and "Hz" in hardware


def test_quizzes_answers_and_mdx_never_reach_the_learner_view():
    source = (
        "import X from '@site/x';\n\n<X a={{b: 1}} />\n\n# T\n\nText.\n\n```quiz\n- q\n```\n\n"
        ":::tip Hint\nKept.\n:::\n\n## Check Your Understanding\n\n1. Q?\n   **Answer:** B\n\n"
        "## Next\n\nMore.\n\n<details>\n<summary>Show solution</summary>\n\nSecret.\n\n</details>\n\n"
        "<BrowserOnly fallback={<div style={{p: 1}}>Loading</div>}>\n  {() => {\n    return 1;\n  }}\n</BrowserOnly>\n"
    )
    view = learner_markdown(source)
    for gone in ("import", "<X", "quiz", "Check Your", "Answer", "Secret", "solution", "Loading", "return 1"):
        assert gone not in view, gone
    assert ":::tip Hint\nKept.\n:::" in view and "## Next" in view and "More." in view


def test_audience_blocks_follow_backgrounds_and_unknown_hides_nothing():
    body = _chapter("motion/control.md")
    assert filter_audience_blocks(body, LearnerProfile()) == body
    no_hardware = filter_audience_blocks(body, LearnerProfile(hardware="none", software="professional"))
    assert "For hardware readers" not in no_hardware and "For software readers" in no_hardware
    no_software = filter_audience_blocks(body, LearnerProfile(software="none"))
    assert "For software readers" not in no_software and "For hardware readers" in no_software


def test_nested_audience_blocks_are_removed_whole():  # for another background
    body = "Intro\n\n::::info[For hardware readers]\nOuter\n:::tip\nInner\n:::\n::::\n\nAfter\n"
    assert filter_audience_blocks(body, LearnerProfile(hardware="none")) == "Intro\n\nAfter\n"


def test_profile_key_normalises_and_hints_come_from_chat_text():
    profile = LearnerProfile.from_mapping({"experience_level": "Beginner", "goals": ["B", "a "]})
    assert profile.key(with_goals=False) == "level=beginner;sw=any;hw=any"
    assert profile.key(with_goals=True).endswith("goals=a|b")
    assert hints_from_text("explain chapter 3 for a mechanical engineer").hardware == "professional"
    assert hints_from_text("rewrite it like I'm new to this").level == "beginner"


def test_script_check_refuses_english_labelled_as_urdu():
    assert not looks_translated("Gears trade speed", "Gears trade speed for torque.", "ur")
    assert looks_translated("Gears trade speed", "گیئر رفتار کے بدلے torque دیتے ہیں۔", "ur")


def test_translation_inputs_shield_code_and_skip_sections_without_prose():
    inputs = translation_inputs("# T\n\nText `code`.\n\n## Code\n\n```py\nx\n```\n", {"title": "T", "id": "t"})
    assert inputs[0] == '{"title": "T"}'
    assert len(inputs) == 3 and all("`code`" not in i for i in inputs)


async def test_single_flight_shares_one_computation_and_survives_a_leaving_caller():
    import asyncio

    from booktutor.rewrite.cache import SingleFlight

    gate, calls = asyncio.Event(), []

    async def compute():
        calls.append(1)
        await gate.wait()
        return "done"

    flights: SingleFlight[str] = SingleFlight()
    leaver = asyncio.create_task(flights.run("k", compute))
    stayer = asyncio.create_task(flights.run("k", compute))
    await asyncio.sleep(0)
    leaver.cancel()
    gate.set()
    assert await stayer == ("done", True)
    assert calls == [1] and len(flights) == 0


SIGNPOSTED = """# Encoders

## Reading joints

Before we dive into the wiring, let's see why every joint of the arm carries an encoder today.
An encoder reports the angle of a joint so that the controller can close its position loop.
Incremental encoders count pulses and lose their position when the power goes off at night.
Absolute encoders read a coded disc and know the angle again as soon as they are powered.
**Why does it matter?** A joint that knows its angle at power-up can start moving without a homing run.

### Exercise: Read an encoder

In this exercise, you will print the encoder count of the elbow joint every tenth of a second.
Turn the elbow by hand and watch the printed count climb steadily from zero to about four thousand.
"""


def test_key_ideas_state_ideas_not_signposts_or_exercise_steps():
    adapted = add_key_ideas(SIGNPOSTED)
    box = re.search(r":::tip\[Key ideas\]\n(.*?)\n:::", adapted, re.DOTALL)
    assert box is not None
    ideas = box.group(1)
    assert "let's" not in ideas and "exercise" not in ideas and "Turn the elbow" not in ideas
    assert "Why does it matter" not in ideas
    assert "A joint that knows its angle at power-up" in ideas or "An encoder reports the angle" in ideas


def test_quoted_and_italic_terms_count_only_when_named_or_set_off_by_an_appositive():
    dash = 'Training bridges the "sim gap"—the mismatch between a simulated arm and the real one—before deployment.'
    expected = "sim gap: the mismatch between a simulated arm and the real one."
    assert sentence_definitions(dash) == [("sim gap", expected, 2)]
    comma = "We call this *dead reckoning*, the practice of estimating position from motion alone."
    assert sentence_definitions(comma)[0][1] == "dead reckoning: the practice of estimating position from motion alone."
    assert sentence_definitions('The accumulated error is called "drift".')[0][0] == "drift"
    bold = "A small **bias** — an offset present even at rest — skews every reading."
    assert sentence_definitions(bold) == [("bias", "bias: an offset present even at rest.", 2)]
    scare_quotes = ['The so-called "smart" gripper, a claw with a camera, failed.', 'The arm said "hello" twice.']
    assert [sentence_definitions(s) for s in scare_quotes] == [[], []]
