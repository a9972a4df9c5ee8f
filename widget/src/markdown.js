// Safe Markdown: marked with raw HTML escaped (shown as text), then DOMPurify as a second wall.
import { Marked } from "marked";
import DOMPurify from "dompurify";
import hljs from "highlight.js/lib/core";
import bash from "highlight.js/lib/languages/bash";
import cpp from "highlight.js/lib/languages/cpp";
import javascript from "highlight.js/lib/languages/javascript";
import json from "highlight.js/lib/languages/json";
import python from "highlight.js/lib/languages/python";
import yaml from "highlight.js/lib/languages/yaml";

for (const [name, language] of Object.entries({ bash, cpp, javascript, json, python, yaml })) {
  hljs.registerLanguage(name, language);
}

const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const marked = new Marked({ gfm: true, breaks: false, async: false }, {
  renderer: {
    html: ({ text }) => escapeHtml(text),
    code({ text, lang }) {
      const language = (lang || "").trim().split(/\s+/)[0].toLowerCase();
      const known = language && hljs.getLanguage(language);
      const html = known ? hljs.highlight(text, { language, ignoreIllegals: true }).value : escapeHtml(text);
      return `<pre class="bt-code"><code class="hljs${known ? ` language-${escapeHtml(language)}` : ""}">${html}</code></pre>`;
    },
  },
});

DOMPurify.addHook("afterSanitizeAttributes", (node) => {
  if (node.tagName === "A") {
    const href = node.getAttribute("href") || "";
    if (/^https?:\/\//i.test(href)) {
      node.setAttribute("target", "_blank");
      node.setAttribute("rel", "noopener noreferrer");
    }
  }
});

const PURIFY = { USE_PROFILES: { html: true }, FORBID_TAGS: ["style", "form", "input", "img"], FORBID_ATTR: ["style"] };
const CITATION_MARK = /\[(\d{1,2})\](?!\(|:)/g;

/** Citation markers `[n]` become links to the cited section when that citation is known. */
export function linkCitations(markdown, citations) {
  const byNumber = new Map((citations || []).map((c) => [String(c.n), c]));
  return markdown.replace(CITATION_MARK, (mark, n) => {
    const citation = byNumber.get(n);
    return citation && safeUrl(citation.anchor_url) ? `[\\[${n}\\]](${encodeURI(citation.anchor_url)} "${escapeTitle(citation.heading || citation.chapter_title)}")` : mark;
  });
}

// A quiz question's options ("A) …" lines) each on a line of their own, not run into one paragraph.
const OPTION_LINE = /\n(?=[A-Z]\) )|(?<=\n[A-Z]\) [^\n]*)\n(?!\n)/g;

export function renderMarkdown(markdown, citations = []) {
  const text = linkCitations(markdown || "", citations).replace(OPTION_LINE, "  \n");
  return DOMPurify.sanitize(marked.parse(text), PURIFY);
}

export function safeUrl(url) {
  return typeof url === "string" && /^(\/(?!\/)|https?:\/\/)/i.test(url);
}

function escapeTitle(text) {
  return String(text || "").replace(/["\\\n]/g, " ");
}
