"""Chapter Markdown → safe HTML for the demo site (implemented in `booktutor.markdown.html`)."""

from __future__ import annotations

from booktutor.markdown.html import RenderedChapter, render_chapter

__all__ = ["RenderedChapter", "render_chapter"]
