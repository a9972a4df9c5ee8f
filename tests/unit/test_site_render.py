"""Server-side chapter rendering for the demo site: safe HTML, anchors as the ingester made them."""

from booktutor.api.site_render import render_chapter

CHAPTER = """# Sensors

Intro with <script>alert(1)</script> and <img src=x onerror="alert(1)"> and `<b>code</b>`.

## IMUs {#imus}

An [unsafe link](javascript:alert(1)), a [safe one](/docs/foundations/motors#torque)
and [mail](mailto:a@b.c).

## Wiring

## Wiring

```python
print("<hi>")
```

```quiz
- id: q1
  type: mcq
```
"""


def test_raw_html_and_unsafe_links_are_inert():
    html = render_chapter(CHAPTER).html
    assert "<script" not in html and "<img" not in html
    assert 'href="javascript' not in html
    assert '<a href="/docs/foundations/motors#torque">safe one</a>' in html
    assert '<a href="mailto:a@b.c">' in html
    assert "<code>&lt;b&gt;code&lt;/b&gt;</code>" in html
    assert "print(&quot;&lt;hi&gt;&quot;)" in html


def test_heading_ids_match_ingested_anchors_and_explicit_ids_are_hidden():
    html = render_chapter(CHAPTER).html
    assert '<h1 id="sensors">Sensors</h1>' in html
    assert '<h2 id="imus">IMUs</h2>' in html
    assert '<h2 id="wiring">Wiring</h2>' in html and '<h2 id="wiring-1">Wiring</h2>' in html


def test_quiz_blocks_are_left_to_the_tutor_and_title_detection():
    rendered = render_chapter(CHAPTER)
    assert "q1" not in rendered.html
    assert rendered.has_title
    assert not render_chapter("Text first.\n\n# Late title\n").has_title
