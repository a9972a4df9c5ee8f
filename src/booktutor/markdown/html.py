"""Chapter Markdown → safe HTML for the demo site (normal, personalized and translated views).

Raw HTML is escaped, unsafe link schemes are refused, and headings get the ids the ingester
gave them. Authors' quizzes and their answers are left out (they reach learners through the
tutor), MDX imports and JSX tags are dropped (their text kept), admonitions render as styled
boxes and `<details>` folds as collapsible boxes.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token

from booktutor.markdown.fences import QUIZ_LANGUAGE, fence_language, iter_fence_flags
from booktutor.markdown.headings import HeadingSlugger, read_heading
from booktutor.markdown.learner_view import learner_markdown, strip_quizzes

_EXPLICIT_ID = re.compile(r"\s*\{#[^\s{}]+\}\s*$")
_SAFE_LINK = re.compile(r"^(?:https?:|mailto:|/|#|\.{0,2}/|[^:]*$)", re.IGNORECASE)
_OPEN = re.compile(
    r"^\s*(?P<colons>:{3,})[ \t]*(?P<kind>[A-Za-z][\w-]*)[ \t]*"
    r"(?:\[(?P<bracket>[^\]]*)\]|(?P<plain>[^{\s][^{]*?))?[ \t]*(?:\{[^}]*\})?[ \t]*$"
)
_CLOSE = re.compile(r"^\s*(:{3,})\s*$")
_DETAILS_OPEN = re.compile(r"^\s*<details\b[^>]*>\s*(?:<summary[^>]*>(?P<summary>.*?)</summary>\s*)?$", re.I)
_SUMMARY_LINE = re.compile(r"^\s*<summary[^>]*>(?P<summary>.*?)</summary>\s*$", re.IGNORECASE)
_DETAILS_CLOSE = re.compile(r"^\s*</details>\s*$", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
FOLD = "details"  # the container kind `<details>` becomes
FOLD_COLONS = 9  # more colons than any admonition, so a fold closes only at its own end


@dataclass(frozen=True)
class RenderedChapter:
    html: str
    has_title: bool  # the Markdown starts with its own level-1 heading


@dataclass
class _Box:
    kind: str
    title: str
    children: list[str | _Box] = field(default_factory=list)


def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False}).enable("table").disable("code")
    # markdown-it's documented way to restrict links (a method replaced on the instance)
    parser.validateLink = lambda url: bool(_SAFE_LINK.match(url.strip()))  # type: ignore[method-assign]
    return parser


_PARSER = _parser()


def render_chapter(markdown: str) -> RenderedChapter:
    """Render a stored or generated chapter for reading (see the module docstring)."""
    text = learner_markdown(_details_as_boxes(strip_quizzes(markdown)))
    root = _parse_boxes(text.split("\n"))
    state = _RenderState(HeadingSlugger())
    html = _render(root.children, state)
    return RenderedChapter(html=html, has_title=bool(state.first_heading == "h1"))


@dataclass
class _RenderState:
    slugger: HeadingSlugger
    first_heading: str | None = None
    seen_content: bool = False


def _details_as_boxes(markdown: str) -> str:
    """`<details><summary>T</summary> … </details>` as a container, before JSX tags are stripped."""
    out: list[str] = []
    pending_summary = False
    for line, fenced in iter_fence_flags(markdown.split("\n")):
        if fenced:
            out.append(line)
            continue
        if match := _DETAILS_OPEN.match(line):
            summary = match.group("summary")
            pending_summary = summary is None
            out.append(_fold_line(summary or "Details"))
        elif pending_summary and (match := _SUMMARY_LINE.match(line)):
            out[-1] = _fold_line(match.group("summary"))
            pending_summary = False
        elif _DETAILS_CLOSE.match(line):
            out.append(":" * FOLD_COLONS)
        else:
            pending_summary = pending_summary and not line.strip()
            out.append(line)
    return "\n".join(out)


def _fold_line(summary: str) -> str:
    title = html_lib.unescape(_TAG.sub("", summary)).replace("]", ")").strip() or "Details"
    return f"{':' * FOLD_COLONS}{FOLD}[{title}]"


def _parse_boxes(lines: list[str]) -> _Box:
    root = _Box("root", "")
    stack: list[tuple[int, _Box]] = [(0, root)]
    for line, fenced in iter_fence_flags(lines):
        opening = None if fenced else _OPEN.match(line)
        closing = None if fenced else _CLOSE.match(line)
        if opening:
            box = _Box(
                opening.group("kind").lower(), (opening.group("bracket") or opening.group("plain") or "").strip()
            )
            stack[-1][1].children.append(box)
            stack.append((len(opening.group("colons")), box))
        elif closing and len(stack) > 1 and any(len(closing.group(1)) == colons for colons, _ in stack[1:]):
            while len(stack) > 1:
                colons, _ = stack.pop()
                if colons == len(closing.group(1)):
                    break
        else:
            _append_line(stack[-1][1], line)
    return root


def _append_line(box: _Box, line: str) -> None:
    if box.children and isinstance(box.children[-1], str):
        box.children[-1] += "\n" + line
    else:
        box.children.append(line)


def _render(children: list[str | _Box], state: _RenderState) -> str:
    parts = []
    for child in children:
        if isinstance(child, str):
            parts.append(_render_markdown(child, state))
            continue
        state.seen_content = True
        inner = _render(child.children, state)
        title = html_lib.escape(child.title or child.kind.replace("-", " ").capitalize())
        if child.kind == FOLD:
            parts.append(f'<details class="fold"><summary>{title}</summary>\n{inner}</details>\n')
        else:
            kind = re.sub(r"[^a-z0-9-]", "", child.kind) or "note"
            parts.append(
                f'<div class="admonition admonition-{kind}" role="note">'
                f'<p class="admonition-title">{title}</p>\n{inner}</div>\n'
            )
    return "".join(parts)


def _render_markdown(text: str, state: _RenderState) -> str:
    tokens = [t for t in _PARSER.parse(text) if not _is_quiz_block(t)]
    if tokens and not state.seen_content:
        state.first_heading = tokens[0].tag if tokens[0].type == "heading_open" else "content"
        state.seen_content = True
    _assign_heading_ids(tokens, state.slugger)
    return str(_PARSER.renderer.render(tokens, _PARSER.options, {}))


def _is_quiz_block(token: Token) -> bool:
    """Authored ```quiz blocks are data for the tutor, not prose for the page."""
    return token.type == "fence" and fence_language(token) == QUIZ_LANGUAGE


def _assign_heading_ids(tokens: list[Token], slugger: HeadingSlugger) -> None:
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
