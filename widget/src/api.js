// The widget's HTTP side: guest identity, JSON calls and AG-UI runs streamed over SSE with resume.
import { createParser } from "eventsource-parser";

const TOKEN_KEY = "booktutor:guest-token";
const TERMINAL = new Set(["RUN_FINISHED", "RUN_ERROR"]);
const RETRY_DELAYS_MS = [0, 500, 1000, 2000, 4000];

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function newId(prefix) {
  const random = globalThis.crypto?.randomUUID?.() ??
    Array.from({ length: 4 }, () => Math.random().toString(16).slice(2, 10)).join("");
  return `${prefix}-${random.replaceAll("-", "")}`;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class BookTutorClient {
  constructor(baseUrl, { fetchImpl = (...args) => globalThis.fetch(...args), storage = globalThis.localStorage } = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    this.fetch = fetchImpl;
    this.storage = storage;
  }

  get token() {
    try { return this.storage?.getItem(TOKEN_KEY) || null; } catch { return null; }
  }

  remember(response) {
    const token = response.headers.get("X-Guest-Token");
    if (token) {
      try { this.storage?.setItem(TOKEN_KEY, token); } catch { /* private mode: cookie still works */ }
    }
  }

  headers(extra = {}) {
    const token = this.token;
    return { ...(token ? { "X-Guest-Token": token } : {}), ...extra };
  }

  async request(method, path, { body, headers = {}, signal } = {}) {
    const init = { method, headers: this.headers(headers), credentials: "include", signal };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers["Content-Type"] = "application/json";
    }
    const response = await this.fetch(`${this.baseUrl}${path}`, init);
    this.remember(response);
    if (!response.ok) throw await toApiError(response);
    return response;
  }

  async json(method, path, options) {
    const response = await this.request(method, path, options);
    return response.status === 204 ? null : response.json();
  }

  thread(threadId) {
    return this.json("GET", `/api/v1/threads/${encodeURIComponent(threadId)}?limit=200`);
  }

  /** Rate an answer (`rating` "up" or "down", optional comment); posting again replaces the rating. */
  rate(messageId, rating, comment = null) {
    return this.json("POST", `/api/v1/messages/${encodeURIComponent(messageId)}/feedback`, { body: { rating, comment } });
  }

  unrate(messageId) {
    return this.json("DELETE", `/api/v1/messages/${encodeURIComponent(messageId)}/feedback`);
  }

  threadFeedback(threadId) {
    return this.json("GET", `/api/v1/threads/${encodeURIComponent(threadId)}/feedback`);
  }

  cancel(threadId, runId) {
    const path = `/api/v1/threads/${encodeURIComponent(threadId)}/runs/${encodeURIComponent(runId)}/cancel`;
    return this.json("POST", path);
  }

  /** Start a run (POST /agent/run, or /chatbot/context for a selection) and deliver its events. */
  async run({ path, body, onEvent, signal }) {
    const cursor = { runId: body.runId ?? null, threadId: body.threadId ?? body.thread_id, lastEventId: null, ended: false };
    const track = (event, id) => {
      if (id) cursor.lastEventId = id;
      if (event.type === "RUN_STARTED") Object.assign(cursor, { runId: event.runId, threadId: event.threadId });
      if (TERMINAL.has(event.type)) cursor.ended = true;
      onEvent(event);
    };
    const first = await this.request("POST", path, { body, headers: { Accept: "text/event-stream" }, signal });
    const dropped = await readEvents(first, track);
    if (!cursor.ended) await this.resume(cursor, track, signal, dropped);
    return cursor;
  }

  /** Follow a run again after a dropped connection, from the last event seen (`Last-Event-ID`). */
  async resume(cursor, track, signal, lastError = null) {
    for (const delay of RETRY_DELAYS_MS) {
      if (cursor.ended || signal?.aborted) return;
      if (!cursor.runId) break;
      await sleep(delay);
      const path = `/api/v1/threads/${encodeURIComponent(cursor.threadId)}/runs/${encodeURIComponent(cursor.runId)}/stream`;
      const headers = { Accept: "text/event-stream", ...(cursor.lastEventId ? { "Last-Event-ID": cursor.lastEventId } : {}) };
      try {
        lastError = await readEvents(await this.request("GET", path, { headers, signal }), track);
      } catch (error) {
        if (error instanceof ApiError) throw error;
        lastError = error;
      }
    }
    if (!cursor.ended) throw lastError ?? new ApiError(0, "stream_lost", "The connection was lost.");
  }
}

/** Parse an SSE body; returns the network error that cut it short, or null when it ended cleanly. */
async function readEvents(response, deliver) {
  const parser = createParser({
    onEvent(message) {
      if (!message.data) return;
      deliver(JSON.parse(message.data), message.id);
    },
  });
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return null;
      parser.feed(value);
    }
  } catch (error) {
    if (error?.name === "AbortError") throw error;
    return error;
  }
}

async function toApiError(response) {
  let code = "http_error";
  let message = `HTTP ${response.status}`;
  try {
    const envelope = await response.json();
    code = envelope?.error?.code ?? code;
    message = envelope?.error?.message ?? message;
  } catch { /* not JSON */ }
  return new ApiError(response.status, code, message);
}
