"""Interactive MDX widgets and the prose that only served them are not part of what a learner reads."""

from __future__ import annotations

from booktutor.ingest.document import parse_document
from booktutor.ingest.models import ParsedDocument
from booktutor.markdown.learner_view import learner_markdown

TRACKER = """# Gearboxes

## Your progress

<div style={{padding: '12px'}}>
  <div style={{display: 'flex'}}>
    <span>Lesson Progress</span>
    <span>0%</span>
  </div>
  <div style={{width: '0%'}}></div>
  <div>
    <div>⚙️</div>
    <div>Ratios</div>
  </div>
</div>

## Cheat sheet

<div style={{display: 'grid'}}>
  <h4>Ratio</h4>
  <code>driven teeth / driving teeth</code>
</div>

## Ratios

A ratio compares the teeth of two gears. <ShareButton>Share this lesson</ShareButton>

<Tabs>
  <TabItem value="a" label="Spur">
    Spur gears mesh on parallel shafts.
  </TabItem>
</Tabs>

<details>
<summary>Why 92%?</summary>

Friction in the teeth loses 8% of the power.
</details>
"""

DEMO = """# Wrist joints

## Interactive Wrist Explorer

Before reading on, try moving this wrist with the joint controls. The code panel lists each joint's limits:

<ClientOnly fallback={<p>Loading...</p>}>
  {() => <WristViewer model="/wrist.urdf" height={300} />}
</ClientOnly>

:::tip Play with it
Drag to rotate the view and use the sliders to bend the wrist. Switch to the limits tab to see each joint's range!
:::

:::note Joint limits
A wrist joint stops at its limits. Use the sliders to see how the pitch limit is reached. Limits protect the cables.
:::

## Pitch and yaw

Pitch tilts the hand up and down; yaw swings it sideways.
"""

NO_DEMO = """# Tuning

Open the tuning app and use the sliders to set each gain. The interactive viewer in the app plots the error.
"""


def test_a_progress_tracker_goes_with_its_heading_and_real_blocks_stay() -> None:
    view = learner_markdown(TRACKER)
    for residue in ("Your progress", "Lesson Progress", "0%", "Share this lesson", "⚙️"):
        assert residue not in view
    assert "Ratios\n" not in view.replace("## Ratios\n", "")
    for content in ("driven teeth / driving teeth", "A ratio compares the teeth of two gears.", "## Cheat sheet"):
        assert content in view
    assert "Spur gears mesh on parallel shafts." in view and "Friction in the teeth loses 8%" in view


def test_prose_pointing_at_a_removed_demo_goes_and_the_rest_of_its_box_stays() -> None:
    view = learner_markdown(DEMO)
    for residue in ("Interactive Wrist Explorer", "try moving this wrist", "code panel", "Play with it", "Drag to"):
        assert residue not in view
    assert "Use the sliders" not in view and "Loading" not in view
    assert ":::note Joint limits\nA wrist joint stops at its limits. Limits protect the cables.\n:::" in view
    assert "## Pitch and yaw\n\nPitch tilts the hand up and down" in view


def test_without_a_removed_component_instructions_about_sliders_stay() -> None:
    assert "use the sliders to set each gain. The interactive viewer in the app" in learner_markdown(NO_DEMO)


def test_what_is_indexed_has_no_widget_text() -> None:
    parsed = parse_document(TRACKER.encode() + DEMO.encode(), "guide/gears.mdx", "en")
    assert isinstance(parsed, ParsedDocument)
    text = "\n".join(chunk.text for chunk in parsed.chunks)
    assert "Lesson Progress" not in text and "0%" not in text and "code panel" not in text
    assert "A wrist joint stops at its limits." in text
