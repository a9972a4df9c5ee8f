"""Chapter Markdown → safe HTML for the demo site.

Raw HTML is escaped, unsafe link schemes are refused, and headings get the ids the ingester
gave them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token

from booktutor.markdown.fences import QUIZ_LANGUAGE, fence_language
from booktutor.markdown.headings import HeadingSlugger, read_heading
from booktutor.markdown.mdx import clean_markdown

_EXPLICIT_ID = re.compile(r"\s*\{#[^\s{}]+\}\s*$")
_SAFE_LINK = re.compile(r"^(?:https?:|mailto:|/|#|\.{0,2}/|[^:]*$)", re.IGNORECASE)


@dataclass(frozen=True)
class RenderedChapter:
    html: str
    has_title: bool  # the Markdown starts with its own level-1 heading


def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False}).enable("table").disable("code")
    # markdown-it's documented way to restrict links (a method replaced on the instance)
    parser.validateLink = lambda url: bool(_SAFE_LINK.match(url.strip()))  # type: ignore[method-assign]
    return parser


_PARSER = _parser()


def render_chapter(markdown: str) -> RenderedChapter:
    """Render a stored chapter; MDX imports/JSX are dropped and admonitions become bold lead-ins."""
    tokens = [t for t in _PARSER.parse(clean_markdown(markdown)) if not _is_quiz_block(t)]
    _assign_heading_ids(tokens)
    has_title = bool(tokens) and tokens[0].type == "heading_open" and tokens[0].tag == "h1"
    html = _PARSER.renderer.render(tokens, _PARSER.options, {})
    return RenderedChapter(html=html, has_title=has_title)


def _is_quiz_block(token: Token) -> bool:
    """Authored ```quiz blocks are data for the tutor, not prose for the page."""
    return token.type == "fence" and fence_language(token) == QUIZ_LANGUAGE


def _assign_heading_ids(tokens: list[Token]) -> None:
    slugger = HeadingSlugger()
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        inline = tokens[index + 1]
        token.attrSet("id", read_heading(token, inline, slugger).anchor)
        _drop_explicit_id(inline)


def _drop_explicit_id(inline: Token) -> None:
    text_children = [child for child in inline.children or [] if child.type == "text"]
    if text_children:
        text_children[-1].content = _EXPLICIT_ID.sub("", text_children[-1].content)
