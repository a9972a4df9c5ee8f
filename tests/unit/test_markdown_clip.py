"""Markdown cut to a length for a tool's payload: whole lines, and a code block the cut leaves open closed."""

from __future__ import annotations

from booktutor.extractive.text import split_markdown
from booktutor.markdown.fences import clip_markdown

SECTION = (
    "### Filtering the IMU\n\nThe node fuses the gyro and the accelerometer.\n\n"
    "```python\nclass Fuser:\n    def __init__(self):\n        # Complementary filter parameters\n"
    "        self.alpha = 0.98  # gyro weight\n        self.angle = 0.0\n\n"
    + "    def step(self, gyro, accel, dt):\n        return gyro * dt + accel\n" * 20
    + "```\n\nAfter the block.\n"
)


def test_a_cut_inside_a_code_block_keeps_what_it_holds_as_code() -> None:
    clipped = clip_markdown(SECTION, 400)
    assert len(clipped) <= 404 and clipped.endswith("\n```")
    code = [segment.text for segment in split_markdown(clipped) if segment.kind == "code"]
    assert code and "self.alpha = 0.98" in code[0]


def test_a_cut_ends_at_a_line_and_short_text_is_untouched() -> None:
    assert clip_markdown(SECTION, len(SECTION)) == SECTION
    prose = "First line of prose.\nSecond line that is much longer than the limit allows."
    assert clip_markdown(prose, 30) == "First line of prose."


def test_a_closed_block_before_the_cut_gets_no_extra_fence() -> None:
    text = "```\ncode\n```\n\nProse after the block goes on for a while here.\n"
    assert clip_markdown(text, 30) == "```\ncode\n```\n"
    tildes = "~~~~text\n```\nstill code\n" + "more code\n" * 10
    assert clip_markdown(tildes, 40).endswith("\n~~~~")
