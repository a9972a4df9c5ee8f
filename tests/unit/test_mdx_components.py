"""A titled JSX block opens a section of its own, as a heading does; `<Admonition>` is an aside as `:::` is
(booktutor.markdown.components)."""

from __future__ import annotations

from booktutor.ingest.chunker import chunk_markdown
from booktutor.markdown.mdx import clean_markdown

LESSON = """## Wildcards

A `+` matches one level of a topic.

<Activity number={3} title="Two subscribers, one publisher">

1. Start the broker.
2. Run two subscribers.

</Activity>
"""


def test_a_titled_component_is_a_section_named_by_its_kind_number_and_title() -> None:
    chunks = chunk_markdown(clean_markdown(LESSON), title="Lesson 2.1", page="unit-2/lesson.mdx")
    activity = [c for c in chunks if c.heading_path[-1] == "Activity 3: Two subscribers, one publisher"]
    assert activity and "Run two subscribers" in activity[0].text
    assert all("Run two subscribers" not in c.text for c in chunks if c.heading_path[-1] == "Wildcards")


def test_the_heading_takes_the_level_of_the_heading_above() -> None:
    text = clean_markdown("## Part\n\n### Detail\n\ntext\n\n<CaseStudy title='A warehouse'>\n\nbody\n\n</CaseStudy>\n")
    assert "### Case study: A warehouse" in text


def test_a_component_without_a_title_or_a_closing_tag_opens_no_section() -> None:
    text = clean_markdown('<Tabs>\n\ntext\n\n</Tabs>\n\n<Figure title="Gears" src="a.png">\n\nmore\n')
    assert "#" not in text and "text" in text and "more" in text


def test_an_admonition_component_keeps_its_title_as_a_lead_in() -> None:
    text = clean_markdown('<Admonition type="info" title="Office hours">\nTuesdays.\n</Admonition>\n')
    assert text.split() == ["**Info:", "Office", "hours**", "Tuesdays."]


def test_a_title_in_fenced_code_is_left_alone() -> None:
    code = '```jsx\n<Activity title="Demo">\n</Activity>\n```\n'
    assert clean_markdown(code) == code


def test_a_component_that_wraps_a_list_is_a_section_named_after_it() -> None:
    page = (
        "<LearningObjectives>\n\n- Describe a broker.\n- Design a topic tree.\n\n</LearningObjectives>\n\n"
        "## Topics\n\nA topic names a stream.\n"
    )
    chunks = chunk_markdown(clean_markdown(page), title="Lesson 2.1", page="unit-2/lesson.mdx")
    objectives = [c for c in chunks if c.heading_path[-1] == "Learning objectives"]
    assert objectives and "Design a topic tree" in objectives[0].text
    assert all("Describe a broker" not in c.text for c in chunks if c.heading_path[-1] == "Topics")


def test_a_component_with_attributes_or_no_list_names_no_section() -> None:
    text = clean_markdown("<Steps>\n\nFirst do this.\n\n</Steps>\n\n<Checklist id='a'>\n\n- one\n\n</Checklist>\n")
    assert "#" not in text and "First do this." in text and "one" in text


def test_a_page_opening_with_a_bold_title_line_and_a_list_opens_with_a_section_named_after_it() -> None:
    page = (
        "# Lesson 4.2\n\n**Learning goals**\n\n- Size a pulley.\n- Tension a belt.\n\n"
        "## Belts\n\nA belt carries torque.\n\n**What you learned:**\n- Belts slip when loose.\n\nNext, chains.\n"
    )
    chunks = chunk_markdown(clean_markdown(page), title="Lesson 4.2", page="unit-4/lesson.mdx")
    goals = [c for c in chunks if c.heading_path[-1] == "Learning goals"]
    assert goals and "Tension a belt." in goals[0].text
    assert all("Size a pulley" not in c.text for c in chunks if c.heading_path[-1] == "Belts")
    assert "**What you learned:**" in clean_markdown(page)  # within a section, the bold line labels its list


def test_a_bold_lead_in_or_a_bold_sentence_names_no_section() -> None:
    text = clean_markdown(
        "**Hand in:** a screenshot.\n\n- one\n\n**Why does a belt slip when it is loose?**\n\n- two\n\n"
        "**Tip**\n\nKeep it tight.\n\n**Check yourself**\n\n1. Why does a belt slip?\n"
    )
    assert "#" not in text and "**Hand in:**" in text and "**Tip**" in text
