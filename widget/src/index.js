// Entry point: `<script src="…/widget.js" data-api="…" data-book="…" defer></script>` mounts the widget.
// Public API on `window.BookTutor` once `booktutor:ready` fired: `setContext({docPath, theme, accent})`,
// `getContext()`, plus `widget`, `client`, `renderMarkdown`, `BookTutorClient` and `config`.
import { BookTutorClient } from "./api.js";
import { renderMarkdown } from "./markdown.js";
import { BookTutorWidget } from "./widget.js";

function configFrom(script) {
  const data = script?.dataset ?? {};
  const meta = (name) => document.querySelector(`meta[name="${name}"]`)?.getAttribute("content") || undefined;
  const scriptOrigin = script?.src ? new URL(script.src, location.href).origin : location.origin;
  return {
    api: data.api || scriptOrigin,
    book: data.book || meta("booktutor:book"),
    language: data.language || document.documentElement.lang || "en",
    docPath: data.docPath || meta("booktutor:doc-path"),
    theme: data.theme,
  };
}

const script = document.currentScript;

function start() {
  if (window.BookTutor?.widget) return;
  const config = configFrom(script);
  const widget = new BookTutorWidget(config).mount();
  window.BookTutor = {
    widget, client: widget.client, renderMarkdown, BookTutorClient, config,
    setContext: (context) => widget.setContext(context),
    getContext: () => widget.getContext(),
  };
  document.dispatchEvent(new CustomEvent("booktutor:ready", { detail: window.BookTutor }));
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
