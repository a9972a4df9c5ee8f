// The chat panel: launcher, streamed answers with citations, selection mode, stop, history, language.
import { answerActions } from "./answer_actions.js";
import { ApiError, BookTutorClient, newId } from "./api.js";
import { h } from "./dom.js";
import { LANGUAGES, baseLanguage, direction, stepLabel, strings } from "./i18n.js";
import { renderMarkdown, safeUrl } from "./markdown.js";
import { quizChoices } from "./quiz_choices.js";
import { placeNear, watchSelection } from "./selection.js";
import { historyMethods } from "./history.js";
import { CSS } from "./styles.js";
import { applyTheme } from "./theme.js";

export class BookTutorWidget {
  constructor({ api, book, language, docPath, theme, storage = globalThis.localStorage }) {
    this.book = book;
    this.docPath = docPath || null;
    this.look = { theme: theme === "dark" ? "dark" : "light", accent: null };
    this.storage = storage;
    this.client = new BookTutorClient(api, { storage });
    this.language = this.load("language") || language || "en";
    this.threadId = this.load("thread");
    this.active = null; // {threadId, runId, view}
    this.lastRequest = null;
    this.selection = null;
    this.historyLoaded = false;
  }

  key(name) { return `booktutor:${name}:${this.book || "all"}`; }
  load(name) { try { return this.storage?.getItem(this.key(name)) || null; } catch { return null; } }
  save(name, value) {
    try { value === null ? this.storage?.removeItem(this.key(name)) : this.storage?.setItem(this.key(name), value); } catch { /* ignore */ }
  }
  get t() { return strings(this.language); }

  mount(parent = document.body) {
    this.host = h("div", { id: "booktutor-widget", "data-booktutor": "" });
    this.shadow = this.host.attachShadow({ mode: "open" });
    this.shadow.append(this.build());
    adoptStyles(this.shadow);
    parent.append(this.host);
    watchSelection(this.host, {
      onSelect: (text, rect) => { this.pendingSelection = text; placeNear(this.askButton, rect); this.askButton.hidden = false; },
      onClear: () => { if (this.shadow.activeElement !== this.askButton) this.askButton.hidden = true; },
    });
    this.applyLanguage();
    applyTheme(this.root, this.look);
    if (this.load("open") === "1") this.open({ focus: false });
    return this;
  }

  /** The host page's context: `docPath` (the doc's source path, sent with questions), `theme`, `accent`. */
  setContext({ docPath, theme, accent } = {}) {
    if (docPath !== undefined) this.docPath = docPath || null;
    if (theme !== undefined || accent !== undefined) {
      this.look = applyTheme(this.root, { theme: theme ?? this.look.theme, accent: accent === undefined ? this.look.accent : accent });
    }
    return this.getContext();
  }

  getContext() {
    return { docPath: this.docPath, theme: this.look.theme, accent: this.look.accent, book: this.book || null, language: this.language };
  }

  build() {
    const t = this.t;
    this.launcher = h("button", { class: "bt-launcher", type: "button", "aria-expanded": "false", "aria-controls": "bt-panel", onClick: () => this.toggle() });
    this.askButton = h("button", { class: "bt-ask-selection", type: "button", hidden: true, onPointerdown: (e) => e.preventDefault(), onClick: () => this.startSelectionQuestion() });
    this.title = h("h2", { id: "bt-title" });
    this.languageSelect = h("select", { class: "bt-language", onChange: (e) => this.setLanguage(e.target.value) },
      LANGUAGES.map((l) => h("option", { value: l.code, lang: l.code }, l.name)));
    this.languageLabel = h("label", { class: "bt-visually-hidden", for: "bt-language" });
    this.languageSelect.id = "bt-language";
    this.newButton = h("button", { class: "bt-icon bt-new", type: "button", onClick: () => this.newConversation() }, "+");
    this.closeButton = h("button", { class: "bt-icon bt-close", type: "button", onClick: () => this.close() }, "×");
    this.messages = h("div", { class: "bt-messages", role: "log", "aria-live": "polite", "aria-relevant": "additions", "aria-labelledby": "bt-title", tabindex: "0" });
    this.status = h("div", { class: "bt-status", role: "status", "aria-live": "polite" });
    this.errorText = h("span");
    this.retryButton = h("button", { class: "bt-button bt-secondary bt-retry", type: "button", onClick: () => this.retry() });
    this.errorBox = h("div", { class: "bt-error", role: "alert", hidden: true }, this.errorText, this.retryButton);
    this.quoteText = h("p");
    this.unquoteButton = h("button", { class: "bt-icon", type: "button", onClick: () => this.clearSelectionQuestion() }, "×");
    this.quote = h("div", { class: "bt-quote", hidden: true }, this.quoteText, this.unquoteButton);
    this.inputLabel = h("label", { class: "bt-visually-hidden", for: "bt-input" });
    this.input = h("textarea", { id: "bt-input", rows: "2", maxlength: "4000", onKeydown: (e) => this.onInputKey(e) });
    this.sendButton = h("button", { class: "bt-button bt-send", type: "submit" });
    this.stopButton = h("button", { class: "bt-button bt-secondary bt-stop", type: "button", hidden: true, onClick: () => this.stop() });
    this.form = h("form", { class: "bt-form", onSubmit: (e) => { e.preventDefault(); this.submit(); } },
      this.quote, this.inputLabel, this.input, this.sendButton, this.stopButton);
    this.panel = h("section", { class: "bt-panel", id: "bt-panel", role: "dialog", "aria-modal": "false", "aria-labelledby": "bt-title", hidden: true, onKeydown: (e) => { if (e.key === "Escape") this.close(); } },
      h("div", { class: "bt-header" }, this.title, this.languageLabel, this.languageSelect, this.newButton, this.closeButton),
      this.messages, this.status, this.errorBox, this.form);
    this.root = h("div", { class: "bt-root" }, this.launcher, this.askButton, this.panel);
    void t;
    return this.root;
  }

  applyLanguage() {
    const t = this.t;
    this.root.setAttribute("dir", direction(this.language));
    this.root.setAttribute("lang", this.language);
    this.languageSelect.value = LANGUAGES.some((l) => l.code === baseLanguage(this.language)) ? baseLanguage(this.language) : "en";
    this.launcher.textContent = t.open;
    this.askButton.textContent = t.askAbout;
    this.title.textContent = t.title;
    this.languageLabel.textContent = t.language;
    this.newButton.setAttribute("aria-label", t.newChat); this.newButton.title = t.newChat;
    this.closeButton.setAttribute("aria-label", t.close); this.closeButton.title = t.close;
    this.inputLabel.textContent = t.placeholder;
    this.input.placeholder = this.selection ? t.selectionQuestion : t.placeholder;
    this.sendButton.textContent = t.send;
    this.stopButton.textContent = t.stop;
    this.retryButton.textContent = t.retry;
    this.unquoteButton.setAttribute("aria-label", t.removePassage);
    this.quote.setAttribute("aria-label", t.aboutPassage);
    if (!this.messages.querySelector(".bt-msg")) this.showEmpty();
  }

  setLanguage(code) {
    this.language = code;
    this.save("language", code);
    this.applyLanguage();
  }

  // -- opening and closing ------------------------------------------------------------------------

  toggle() { this.panel.hidden ? this.open() : this.close(); }

  open({ focus = true } = {}) {
    this.panel.hidden = false;
    this.launcher.setAttribute("aria-expanded", "true");
    this.save("open", "1");
    if (focus) this.input.focus();
    if (!this.historyLoaded) this.loadHistory();
  }

  close() {
    this.panel.hidden = true;
    this.launcher.setAttribute("aria-expanded", "false");
    this.save("open", null);
    this.launcher.focus();
  }

  onInputKey(event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      this.submit();
    }
  }

  // -- selection mode -------------------------------------------------------------------------------

  startSelectionQuestion() {
    const text = this.pendingSelection;
    this.askButton.hidden = true;
    if (!text) return;
    this.selection = text;
    this.quoteText.textContent = text;
    this.quote.hidden = false;
    this.input.placeholder = this.t.selectionQuestion;
    this.open();
  }

  clearSelectionQuestion() {
    this.selection = null;
    this.quote.hidden = true;
    this.input.placeholder = this.t.placeholder;
    this.input.focus();
  }

  // -- asking -----------------------------------------------------------------------------------------

  submit() {
    if (this.active) return;
    const question = this.input.value.trim() || (this.selection ? this.t.selectionQuestion : "");
    if (!question) return;
    const selection = this.selection;
    this.input.value = "";
    if (selection) { this.selection = null; this.quote.hidden = true; this.input.placeholder = this.t.placeholder; }
    this.ask({ question, selection });
  }

  retry() {
    if (this.active || !this.lastRequest) return;
    this.lastRequest.failedView?.remove();
    this.ask({ ...this.lastRequest, retried: true });
    this.input.focus();
  }

  async ask({ question, selection, resume, retried = false }) {
    this.hideError();
    this.messages.querySelectorAll(".bt-quiz").forEach((choices) => choices.remove()); // a reply answers the open question
    if (!this.threadId) { this.threadId = newId("thread"); this.save("thread", this.threadId); }
    if (!retried) this.appendUser(question, selection);
    const view = this.appendAssistant();
    const runId = newId("run");
    this.lastRequest = { question, selection, resume, failedView: null };
    this.setActive({ threadId: this.threadId, runId, view });
    try {
      await this.client.run({ ...this.runRequest(question, selection, runId, resume), onEvent: (event) => this.onEvent(event, view) });
      if (view.failed) this.lastRequest.failedView = view.element;
    } catch (error) {
      this.lastRequest.failedView = view.element;
      if (!view.text) view.element.remove();
      this.showError(error);
    } finally {
      this.setActive(null);
      this.finishAnswer(view);
    }
  }

  finishAnswer(view) {
    view.element.setAttribute("aria-busy", "false");
    this.status.textContent = "";
    if (view.messageId && view.text && !view.failed && view.element.isConnected) this.addActions(view);
    if (view.interrupt && !view.failed && view.element.isConnected) this.addQuizChoices(view);
  }

  addQuizChoices(view) {
    const choices = quizChoices({ interrupt: view.interrupt, t: this.t, onAnswer: ({ label, resume }) => this.answerQuiz(view, label, resume) });
    if (!choices) return;
    (view.actions?.element ?? view.element).after(choices);
    this.messages.scrollTop = this.messages.scrollHeight;
  }

  answerQuiz(questionView, label, resume) {
    if (this.active) return;
    this.question = { id: questionView.messageId, text: questionView.text };
    this.ask({ question: label, resume });
  }

  addActions(view) {
    view.actions = answerActions({ client: this.client, messageId: view.messageId, copyText: () => view.body.innerText, t: this.t });
    const nearBottom = this.messages.scrollHeight - this.messages.scrollTop - this.messages.clientHeight < 80;
    view.element.after(view.actions.element); // beside the answer, not in it: the answer holds only the model's text
    if (nearBottom) this.messages.scrollTop = this.messages.scrollHeight;
    return view.actions;
  }

  runRequest(question, selection, runId, resume) {
    const language = baseLanguage(this.language);
    if (selection) {
      return { path: "/api/v1/chatbot/context", body: { selected_text: selection, question, doc_path: this.docPath || undefined, thread_id: this.threadId, book_id: this.book || undefined, language } };
    }
    const forwardedProps = Object.fromEntries(Object.entries({ book_id: this.book, doc_path: this.docPath, language }).filter(([, v]) => v));
    return {
      path: "/api/v1/agent/run",
      body: { threadId: this.threadId, runId, state: {}, tools: [], context: [], forwardedProps, ...this.turn(question, resume) },
    };
  }

  /** A new message, or an AG-UI resume answering a quiz question (after the question it answers). */
  turn(question, resume) {
    if (!resume) return { messages: [{ id: newId("msg"), role: "user", content: question }] };
    const asked = this.question || {};
    return { messages: [{ id: asked.id || newId("msg"), role: "assistant", content: asked.text || "" }], resume: [resume] };
  }

  setActive(active) {
    this.active = active;
    this.save("active", active ? JSON.stringify({ threadId: active.threadId, runId: active.runId }) : null);
    this.stopButton.hidden = !active;
    this.sendButton.disabled = Boolean(active);
    if (!active && this.shadow.activeElement === null) this.input.focus();
  }

  onEvent(event, view) {
    switch (event.type) {
      case "RUN_STARTED":
        if (this.active) { this.active.runId = event.runId; this.active.threadId = event.threadId; this.setActive(this.active); }
        break;
      case "TEXT_MESSAGE_START": view.messageId = event.messageId; break;
      case "STEP_STARTED": this.status.textContent = stepLabel(this.t, { step: event.stepName }); break;
      case "TOOL_CALL_START": this.status.textContent = stepLabel(this.t, { tool: event.toolCallName }); break;
      case "TEXT_MESSAGE_CONTENT": view.text += event.delta; this.scheduleRender(view); break;
      case "STATE_SNAPSHOT": view.citations = event.snapshot?.citations ?? view.citations; this.scheduleRender(view); break;
      case "STATE_DELTA": this.applyDelta(view, event.delta); break;
      case "RUN_FINISHED":
        view.messageId = event.result?.message_id || view.messageId;
        view.interrupt = event.outcome?.type === "interrupt" ? event.outcome.interrupts?.[0] : null;
        if (event.outcome?.type === "cancelled") this.addNote(view, this.t.stopped);
        this.renderNow(view);
        break;
      case "RUN_ERROR":
        view.failed = true;
        this.renderNow(view);
        this.showError(new ApiError(0, event.code || "run_failed", event.message));
        break;
      default: break;
    }
  }

  applyDelta(view, operations = []) {
    for (const op of operations) {
      if (op.path === "/citations" && (op.op === "replace" || op.op === "add")) { view.citations = op.value; this.scheduleRender(view); }
    }
  }

  async stop() {
    const active = this.active;
    if (!active?.runId) return;
    this.stopButton.disabled = true;
    try { await this.client.cancel(active.threadId, active.runId); } catch { /* it already ended */ }
    finally { this.stopButton.disabled = false; this.input.focus(); }
  }

  newConversation() {
    if (this.active) this.stop();
    this.threadId = null;
    this.save("thread", null);
    this.messages.replaceChildren();
    this.showEmpty();
    this.hideError();
    this.input.focus();
  }

  // -- rendering --------------------------------------------------------------------------------------

  showEmpty() {
    this.messages.replaceChildren(h("p", { class: "bt-empty" }, this.t.empty));
  }

  appendMessage(element) {
    this.messages.querySelector(".bt-empty")?.remove();
    this.messages.append(element);
    this.messages.scrollTop = this.messages.scrollHeight;
    return element;
  }

  appendUser(question, selection) {
    return this.appendMessage(h("article", { class: "bt-msg bt-user", "aria-label": this.t.you },
      selection ? h("blockquote", { class: "bt-quote-text" }, selection) : null, h("div", { class: "bt-text" }, question)));
  }

  appendAssistant({ text = "", citations = [], busy = true, messageId = null } = {}) {
    const body = h("div", { class: "bt-body" });
    const element = h("article", { class: "bt-msg bt-assistant", "aria-label": this.t.tutor, "aria-busy": busy ? "true" : "false" }, body);
    const view = { element, body, text, citations, messageId, pending: false, failed: false };
    this.appendMessage(element);
    if (text || citations.length) this.renderNow(view);
    return view;
  }

  scheduleRender(view) {
    if (view.pending) return;
    view.pending = true;
    requestAnimationFrame(() => this.renderNow(view));
  }

  renderNow(view) {
    view.pending = false;
    view.body.innerHTML = renderMarkdown(view.text, view.citations); // sanitised by renderMarkdown
    view.element.querySelector(".bt-sources")?.remove();
    const cited = (view.citations || []).filter((c) => safeUrl(c.anchor_url));
    if (cited.length) view.element.insertBefore(this.sources(cited), view.element.querySelector(".bt-note"));
    const nearBottom = this.messages.scrollHeight - this.messages.scrollTop - this.messages.clientHeight < 80;
    if (nearBottom) this.messages.scrollTop = this.messages.scrollHeight;
  }

  sources(citations) {
    const items = citations.map((c) => h("li", { value: c.n },
      h("a", { href: c.anchor_url, class: "bt-citation" }, [c.chapter_title, c.heading].filter(Boolean).join(" — "))));
    return h("nav", { class: "bt-sources", "aria-label": this.t.sources }, h("h3", {}, this.t.sources), h("ol", {}, items));
  }

  addNote(view, text) {
    view.element.append(h("p", { class: "bt-note" }, text));
  }

  showError(error) {
    const t = this.t;
    const message = error?.code === "run_in_progress" ? t.busy
      : error?.status === 422 ? t.tooLong
      : error instanceof ApiError && error.status === 0 && error.code !== "stream_lost" ? t.failed
      : error instanceof ApiError && error.status ? t.failed : t.offline;
    this.errorText.textContent = message;
    this.errorBox.dataset.code = error?.code || "network_error";
    this.errorBox.hidden = false;
  }

  hideError() { this.errorBox.hidden = true; }
}

Object.assign(BookTutorWidget.prototype, historyMethods);

/** Constructed stylesheets need no 'unsafe-inline' in the host page's CSP; <style> is the fallback. */
function adoptStyles(shadow) {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    shadow.adoptedStyleSheets = [sheet];
  } catch {
    shadow.prepend(h("style", {}, CSS));
  }
}
