// Under a finished answer: copy its text, rate it (thumbs up/down with aria-pressed; pressing the
// pressed one withdraws the rating) and, after a thumbs-down, an optional comment.
import { h } from "./dom.js";

const SVG = "http://www.w3.org/2000/svg";
const ICONS = {
  copy: ["M9 9h11v12H9z", "M5 15V4a1 1 0 0 1 1-1h10"],
  thumb: ["M7 11v10H3V11z", "M7 11l4-8a3 3 0 0 1 3 3v4h5.5a2 2 0 0 1 2 2.4l-1.6 7.2a2 2 0 0 1-2 1.4H7"],
};

function icon(name) {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  for (const d of ICONS[name]) {
    const path = document.createElementNS(SVG, "path");
    path.setAttribute("d", d);
    svg.append(path);
  }
  return svg;
}

function iconButton(className, label, iconName, onClick, pressable) {
  const button = h("button", { class: `bt-action ${className}`, type: "button", "aria-label": label, title: label, onClick }, icon(iconName));
  if (pressable) button.setAttribute("aria-pressed", "false");
  return button;
}

/** The action row of one answer; `show(rating)` sets the stored rating (from history). */
export function answerActions({ client, messageId, copyText, t }) {
  let rating = null;
  let busy = false;
  const status = h("span", { class: "bt-action-status", role: "status" });
  const up = iconButton("bt-up", t.helpful, "thumb", () => choose("up"), true);
  const down = iconButton("bt-down", t.notHelpful, "thumb", () => choose("down"), true);
  const copy = iconButton("bt-copy", t.copy, "copy", async () => {
    status.textContent = (await writeClipboard(copyText(), element)) ? t.copied : "";
  });
  const commentId = `bt-comment-${messageId.replace(/[^\w-]/g, "")}`;
  const textarea = h("textarea", { id: commentId, rows: "2", maxlength: "2000", onKeydown: (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); sendComment(); }
  } });
  const comment = h("form", { class: "bt-comment", hidden: true,
    onSubmit: (e) => { e.preventDefault(); sendComment(); },
    onKeydown: (e) => { if (e.key === "Escape") { e.stopPropagation(); comment.hidden = true; down.focus(); } } },
  h("label", { for: commentId }, t.whatWrong), textarea, h("button", { class: "bt-button", type: "submit" }, t.sendFeedback));
  const element = h("div", { class: "bt-feedback" },
    h("div", { class: "bt-actions", role: "group", "aria-label": t.rate }, copy, up, down, status), comment);

  function show(value) {
    rating = value;
    up.setAttribute("aria-pressed", String(value === "up"));
    down.setAttribute("aria-pressed", String(value === "down"));
  }

  async function save(action, message) {
    if (busy) return false;
    busy = true;
    try {
      await action();
      status.textContent = message;
      return true;
    } catch {
      status.textContent = t.feedbackFailed;
      return false;
    } finally {
      busy = false;
    }
  }

  async function choose(value) {
    const next = rating === value ? null : value;
    const saved = await save(() => (next ? client.rate(messageId, next) : client.unrate(messageId)), next ? t.thanks : "");
    if (!saved) return;
    show(next);
    comment.hidden = next !== "down";
    if (next === "down") textarea.focus();
  }

  async function sendComment() {
    const text = textarea.value.trim();
    if (text && !(await save(() => client.rate(messageId, "down", text), t.feedbackSent))) return;
    comment.hidden = true;
    down.focus();
  }

  return { element, show };
}

async function writeClipboard(text, near) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch { /* not a secure context, or refused: fall back to a selected textarea */ }
  const area = h("textarea", { class: "bt-visually-hidden", readonly: true });
  area.value = text;
  near.append(area);
  area.select();
  try { return document.execCommand("copy"); } catch { return false; } finally { area.remove(); }
}
