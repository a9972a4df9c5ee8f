"""parse_document: decoding, front matter, metadata and MDX cleanup."""

from __future__ import annotations

import hashlib

from booktutor.ingest.document import PARSER_VERSION, parse_document, sort_key
from booktutor.ingest.models import FileProblem, ParsedDocument
from booktutor.markdown.mdx import clean_markdown


def parse(text: str | bytes, path: str = "guide/sensors.md", **kwargs) -> ParsedDocument:
    raw = text.encode() if isinstance(text, str) else text
    result = parse_document(raw, path, "en", folder_position=kwargs.get("folder_position"))
    assert isinstance(result, ParsedDocument), result
    return result


def problem(raw: bytes, path: str = "a.md") -> FileProblem:
    result = parse_document(raw, path, "en", folder_position=None)
    assert isinstance(result, FileProblem), result
    return result


def test_front_matter_sets_title_slug_position_and_hash() -> None:
    raw = "---\ntitle: Sensing the world\nslug: /sensing\nsidebar_position: 3\n---\n# Other\n\nBody.\n"
    doc = parse(raw)
    assert (doc.title, doc.slug, doc.position) == ("Sensing the world", "/docs/sensing", 3.0)
    assert doc.front_matter["sidebar_position"] == 3
    assert doc.content_hash == hashlib.sha256(PARSER_VERSION + raw.encode()).hexdigest()
    assert doc.markdown.startswith("# Other")


def test_missing_front_matter_falls_back_to_h1_path_and_prefix() -> None:
    doc = parse("# Inertial `IMU` sensors {#imu}\n\nText.\n", path="part/02-imu-basics.md")
    assert doc.title == "Inertial IMU sensors"
    assert doc.slug == "/docs/part/imu-basics"
    assert doc.position == 2.0
    assert doc.front_matter == {}


def test_title_from_humanised_stem_and_id_slug() -> None:
    doc = parse("---\nid: basics\n---\nJust text, no heading.\n", path="ch/03_motor_control.md")
    assert doc.title == "Motor control"
    assert doc.slug == "/docs/ch/basics"


def test_default_position_is_large() -> None:
    assert parse("Text.\n", path="x.md").position >= 1000


def test_yaml_dates_become_strings() -> None:
    doc = parse("---\ndate: 2024-05-01\n---\nBody.\n")
    assert doc.front_matter["date"] == "2024-05-01"


def test_invalid_yaml_front_matter() -> None:
    found = problem(b"---\ntitle: [unclosed\n---\nBody\n")
    assert found.reason == "invalid_front_matter"
    assert "YAML" in found.message


def test_non_mapping_front_matter() -> None:
    found = problem(b"---\n- just\n- a list\n---\nBody\n")
    assert found.reason == "invalid_front_matter"
    assert "mapping" in found.message


def test_unclosed_front_matter() -> None:
    assert problem(b"---\ntitle: x\nBody\n").reason == "invalid_front_matter"


def test_bom_and_crlf_are_tolerated() -> None:
    doc = parse("\ufeff---\r\ntitle: With BOM\r\n---\r\nBody line.\r\n".encode())
    assert doc.title == "With BOM"
    assert "\r" not in doc.markdown


def test_binary_not_utf8_and_empty_files() -> None:
    assert problem(b"\x89PNG\r\n\x1a\n\x00\x00").reason == "binary"
    assert problem("caf\u00e9".encode("latin-1")).reason == "not_utf8"
    assert problem(b"").reason == "empty"
    assert problem(b"---\ntitle: Only front matter\n---\n\n").reason == "empty"
    assert problem(b"import X from '@site/x';\n\n<X />\n").reason == "empty"


def test_mdx_imports_exports_jsx_and_comments_are_removed() -> None:
    body = (
        "import Tabs from '@theme/Tabs';\n"
        "import {\n  A,\n  B,\n} from './parts';\n"
        "export const meta = {\n  level: 2,\n};\n\n"
        "Intro {/* a hidden\nnote */} stays.\n\n"
        '<Tabs><TabItem value="py" label="Python">kept text</TabItem></Tabs>\n\n'
        '<Figure src="a.png" caption={"x > y"} />\n'
        "Use the `<Tabs>` component.\n"
    )
    cleaned = clean_markdown(body)
    assert "import" not in cleaned and "export" not in cleaned
    assert "kept text" in cleaned and "Intro  stays." in cleaned
    assert "<" not in cleaned.replace("`<Tabs>`", "")
    assert "hidden" not in cleaned and "Figure" not in cleaned
    assert "`<Tabs>`" in cleaned


def test_jsx_expression_blocks_and_code_attributes_never_reach_the_chunks() -> None:
    body = (
        "The arm has three joints.\n\n"
        "<BrowserOnly fallback={<div style={{padding: '4px'}}>Loading the viewer...</div>}>\n"
        "  {() => {\n    const { ArmViewer } = require('@site/src/viewer');\n"
        "    return <ArmViewer height={300} />;\n  }}\n"
        "</BrowserOnly>\n\nMove a slider to turn a joint.\n"
    )
    cleaned = clean_markdown(body)
    for gone in ("Loading", "require", "ArmViewer", "=>", "{", "BrowserOnly"):
        assert gone not in cleaned, gone
    assert "The arm has three joints." in cleaned and "Move a slider to turn a joint." in cleaned


def test_code_fences_are_never_altered() -> None:
    body = (
        "````md\n```jsx\nimport Tabs from '@theme/Tabs';\n<Tabs>{/* c */}</Tabs>\n```\n````\n\n"
        "~~~python\nexport x = 1\n:::tip\n~~~\n"
    )
    assert clean_markdown(body) == body


def test_admonitions_become_bold_lead_ins() -> None:
    cleaned = clean_markdown(":::tip[For beginners]\nThink small.\n:::\n\n:::warning\nHot.\n:::\n")
    assert "**Tip: For beginners**\nThink small." in cleaned
    assert "**Warning:**\nHot." in cleaned
    assert ":::" not in cleaned


def test_parse_fills_chunks_from_cleaned_text() -> None:
    doc = parse("import X from 'x';\n\n# Title\n\n<X>visible words</X>\n")
    assert doc.chunks and "visible words" in doc.chunks[0].text
    assert "import" in doc.markdown  # markdown stays as authored


def test_sort_key_orders_folders_then_positions() -> None:
    intro = parse("---\nsidebar_position: 1\n---\nA\n", path="intro.md")
    late = parse("---\nsidebar_position: 1\n---\nA\n", path="b/one.md", folder_position=3)
    early_second = parse("---\nsidebar_position: 2\n---\nA\n", path="a/two.md", folder_position=2)
    early_first = parse("---\nsidebar_position: 1\n---\nA\n", path="a/one.md", folder_position=2)
    ordered = sorted([late, early_second, intro, early_first], key=sort_key)
    assert [d.source_path for d in ordered] == ["intro.md", "a/one.md", "a/two.md", "b/one.md"]
