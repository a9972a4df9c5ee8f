// Conversation history: the stored thread shown again after a page load (with the learner's ratings),
// and a run still in flight resumed. Methods of BookTutorWidget.
import { ApiError } from "./api.js";

const ACTIVE_RUN_STATES = new Set(["running", "streaming"]);

export const historyMethods = {
  async loadHistory() {
    this.historyLoaded = true;
    if (!this.threadId) return;
    let thread;
    try {
      thread = await this.client.thread(this.threadId);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) { this.threadId = null; this.save("thread", null); this.save("active", null); }
      else { this.historyLoaded = false; this.showError(error); }
      return;
    }
    const pending = JSON.parse(this.load("active") || "null");
    const resumable = pending && !thread.messages.some((m) => m.role === "assistant" && m.run_id === pending.runId && !ACTIVE_RUN_STATES.has(m.status));
    this.messages.replaceChildren();
    const rated = new Map();
    let last = null;
    for (const message of thread.messages) {
      last = null;
      if (message.role === "user") this.appendUser(message.content);
      else if (message.role === "assistant" && !(resumable && message.run_id === pending.runId)) {
        const view = this.appendAssistant({ text: message.content, citations: message.citations, busy: false, messageId: message.id });
        if (message.status === "interrupted") this.addNote(view, this.t.interrupted);
        if (message.content) rated.set(message.id, this.addActions(view));
        last = view;
      }
    }
    if (last && thread.interrupt && !resumable) { last.interrupt = thread.interrupt; this.addQuizChoices(last); } // a quiz question still waits
    if (!thread.messages.length) this.showEmpty();
    if (rated.size) this.showRatings(thread.id, rated);
    if (resumable) await this.resumeRun(pending);
  },

  async resumeRun(pending) {
    const view = this.appendAssistant();
    this.setActive({ ...pending, view });
    const cursor = { ...pending, lastEventId: null, ended: false };
    const track = (event, id) => {
      if (id) cursor.lastEventId = id;
      if (event.type === "RUN_FINISHED" || event.type === "RUN_ERROR") cursor.ended = true;
      this.onEvent(event, view);
    };
    try {
      await this.client.resume(cursor, track);
    } catch {
      if (!view.text) view.element.remove();
    } finally {
      this.setActive(null);
      this.finishAnswer(view);
    }
  },

  async showRatings(threadId, actionsById) {
    try {
      const { feedback } = await this.client.threadFeedback(threadId);
      for (const item of feedback) actionsById.get(item.message_id)?.show(item.rating);
    } catch { /* ratings are optional decoration of the history */ }
  },
};
