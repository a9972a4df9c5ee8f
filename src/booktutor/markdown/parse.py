"""The markdown-it parser every reader of the book's Markdown uses."""

from __future__ import annotations

from markdown_it import MarkdownIt


def new_parser() -> MarkdownIt:
    """CommonMark + tables; indented code disabled because MDX (Docusaurus v3) has none."""
    return MarkdownIt("commonmark", {"html": True}).enable("table").disable("code")
