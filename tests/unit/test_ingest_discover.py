"""discover_book: docs roots, languages, skipped files and folder positions."""

from __future__ import annotations

from pathlib import Path

from booktutor.ingest.discover import discover_book


def write(path: Path, text: str = "# Doc\n\nText.\n") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def make_site(root: Path) -> None:
    docs = root / "docs"
    write(docs / "intro.md")
    write(docs / "motion" / "_category_.yml", "label: Motion\nposition: 3\n")
    write(docs / "motion" / "walking.mdx")
    write(docs / "basics" / "_category_.json", '{"label": "Basics", "position": 2}')
    write(docs / "basics" / "sensors.md")
    write(docs / "basics" / "_draft.md")
    write(docs / "basics" / ".hidden.md")
    write(docs / "basics" / "notes.txt")
    write(docs / "_partials" / "shared.md")
    write(docs / "node_modules" / "pkg" / "readme.md")
    ur = root / "i18n" / "ur" / "docusaurus-plugin-content-docs" / "current"
    write(ur / "basics" / "sensors.md", "# سینسر\n\nمتن۔\n")
    write(root / "i18n" / "ur" / "docusaurus-theme-classic" / "navbar.json", "{}")


def test_docusaurus_site_languages_and_paired_paths(tmp_path: Path) -> None:
    make_site(tmp_path)
    book = discover_book(tmp_path)
    assert book.docs_root == tmp_path.resolve() / "docs"
    assert book.language_codes == ("en", "ur")
    english = [file.source_path for file in book.files("en")]
    assert english == ["intro.md", "basics/sensors.md", "motion/walking.mdx"]
    (urdu,) = book.files("ur")
    assert urdu.source_path == "basics/sensors.md" and urdu.language == "ur"
    assert urdu.read_bytes().decode().startswith("# سینسر")


def test_folder_positions_come_from_category_files(tmp_path: Path) -> None:
    make_site(tmp_path)
    book = discover_book(tmp_path)
    positions = {file.source_path: file.folder_position for file in book.files("en")}
    assert positions == {"intro.md": None, "basics/sensors.md": 2.0, "motion/walking.mdx": 3.0}
    # translations reuse the original's folder positions
    assert book.files("ur")[0].folder_position == 2.0


def test_plain_folder_without_docs_dir(tmp_path: Path) -> None:
    write(tmp_path / "02-second" / "b.md")
    write(tmp_path / "01-first" / "a.md")
    write(tmp_path / "readme.md")
    book = discover_book(tmp_path, default_language="ur")
    assert book.docs_root == tmp_path.resolve()
    assert book.language_codes == ("ur",)
    assert [f.source_path for f in book.files()] == ["readme.md", "01-first/a.md", "02-second/b.md"]
    assert [f.folder_position for f in book.files()] == [None, 1.0, 2.0]


def test_invalid_category_file_is_reported(tmp_path: Path) -> None:
    write(tmp_path / "docs" / "part" / "_category_.json", "{not json")
    write(tmp_path / "docs" / "part" / "a.md")
    book = discover_book(tmp_path)
    assert [p.reason for p in book.problems] == ["invalid_category"]
    assert book.files()[0].folder_position is not None


def test_sort_keys_follow_folder_and_sidebar_positions(tmp_path: Path) -> None:
    make_site(tmp_path)
    write(tmp_path / "docs" / "basics" / "actuators.md", "---\nsidebar_position: 9\n---\n# A\n")
    write(tmp_path / "docs" / "basics" / "zeta.md", "---\nsidebar_position: 1\n---\n# Z\n")
    keys = discover_book(tmp_path).sort_keys
    ordered = sorted(keys, key=keys.__getitem__)
    # As in a Docusaurus sidebar: files and folders of one level interleave by position, and
    # items without a position (intro.md, sensors.md) come after the positioned ones.
    assert ordered == [
        "basics/zeta.md",
        "basics/actuators.md",
        "basics/sensors.md",
        "motion/walking.mdx",
        "intro.md",
    ]


def test_book_title_from_config_or_folder_name(tmp_path: Path) -> None:
    site = tmp_path / "my-robot_book"
    write(site / "docs" / "a.md")
    assert discover_book(site).title == "My robot book"
    write(site / "docusaurus.config.ts", "export default {\n  title: 'Humanoids 101',\n};\n")
    assert discover_book(site).title == "Humanoids 101"
