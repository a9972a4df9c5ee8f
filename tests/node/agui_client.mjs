// A real AG-UI client (@ag-ui/client HttpAgent) consuming booktutor's /api/v1/agent/run unmodified, and
// the client's own parser and verifier (transformHttpEventStream + verifyEvents) run over raw streams:
// a normal answer, a stream resumed mid-answer with Last-Event-ID, and a chat quiz paused with the
// interrupt outcome then resumed with `resume`.
// Usage: node tests/node/agui_client.mjs http://127.0.0.1:8000 ; prints a JSON report.
import { HttpAgent, runHttpRequest, transformHttpEventStream, verifyEvents } from "@ag-ui/client";
import { lastValueFrom, toArray } from "rxjs";

const base = process.argv[2];
const props = { book_id: "mini" };
const newId = (prefix) => `${prefix}-${Date.now()}-${Math.random().toString(16).slice(2)}`;

async function guestToken() {
  const response = await fetch(`${base}/api/v1/threads`);
  return response.headers.get("x-guest-token");
}

function agentFor(token) {
  return new HttpAgent({ url: `${base}/api/v1/agent/run`, headers: { "X-Guest-Token": token }, threadId: newId("node") });
}

// One HttpAgent run; runAgent verifies the events itself (verifyEvents is in its pipeline).
async function run(agent, params = {}) {
  const seen = { runId: params.runId ?? newId("run"), events: [], text: "", error: null, outcome: null, interrupts: [] };
  // runAgent resolves even after RUN_ERROR: the error is observed through its callback.
  await agent.runAgent({ forwardedProps: props, ...params, runId: seen.runId }, {
    onEvent({ event }) { seen.events.push(event.type); },
    onTextMessageContentEvent({ event }) { seen.text += event.delta; },
    onRunErrorEvent({ event }) { seen.error = { code: event.code, message: event.message }; },
    onRunFinishedEvent({ outcome, interrupts }) { seen.outcome = outcome; seen.interrupts = interrupts ?? []; },
    onRunFailed({ error }) { seen.error = { code: "client", message: String(error?.message ?? error) }; },
  });
  return { ...seen, state: agent.state, messages: agent.messages, pending: agent.pendingInterrupts.map((i) => i.id) };
}

async function ask(question, token) {
  const agent = agentFor(token);
  agent.messages = [{ id: newId("m"), role: "user", content: question }];
  return { agent, ...(await run(agent)) };
}

// A run's stream as the client parses it, through the client's verifier: its events, or the
// verifier's error message.
async function verified(path, token, headers = {}) {
  const request = () => fetch(`${base}${path}`, { headers: { "X-Guest-Token": token, Accept: "text/event-stream", ...headers } });
  try {
    const events = await lastValueFrom(transformHttpEventStream(runHttpRequest(request)).pipe(verifyEvents(), toArray()));
    return { events, error: null };
  } catch (error) {
    return { events: [], error: String(error?.message ?? error) };
  }
}

// The SSE ids of a run's stream (the widget and EventSource read them; the client's parser does not).
async function eventIds(path, token) {
  const body = await (await fetch(`${base}${path}`, { headers: { "X-Guest-Token": token } })).text();
  return body.split("\n\n").filter((block) => block.includes("data: ")).map((block) => ({
    id: /^id: (.*)$/m.exec(block)?.[1],
    type: JSON.parse(/^data: (.*)$/m.exec(block)[1]).type,
  }));
}

const streamPath = (agent, runId) => `/api/v1/threads/${encodeURIComponent(agent.threadId)}/runs/${encodeURIComponent(runId)}/stream`;
const summary = ({ events, error }) => ({ error, types: events.map((e) => e.type), events });

async function normalAndResumed(token) {
  const { agent, ...answer } = await ask("What is backlash in a gearbox?", token);
  const path = streamPath(agent, answer.runId);
  const replay = summary(await verified(path, token));
  // Resume inside the answer: after the second TEXT_MESSAGE_CONTENT.
  const ids = await eventIds(path, token);
  const cursor = ids.filter((e) => e.type === "TEXT_MESSAGE_CONTENT")[1].id;
  const resumed = summary(await verified(path, token, { "Last-Event-ID": cursor }));
  return { answer, replay, resumed: { ...resumed, cursor, total: ids.length } };
}

async function quiz(token) {
  const { agent, ...asked } = await ask("Quiz me on gears and torque, 2 questions", token);
  const askedStream = summary(await verified(streamPath(agent, asked.runId), token));
  let blocked = null; // the client itself refuses a new run that ignores a pending interrupt
  try { await agent.runAgent({ forwardedProps: props }); } catch (error) { blocked = String(error?.message ?? error); }
  const interrupt = asked.interrupts[0];
  const answered = await run(agent, { resume: [{ interruptId: interrupt.id, status: "resolved", payload: { reply: "B" } }] });
  const answeredStream = summary(await verified(streamPath(agent, answered.runId), token));
  const stopped = await run(agent, { resume: [{ interruptId: answered.interrupts[0].id, status: "cancelled" }] });
  return { asked, askedStream, blocked, answered, answeredStream, stopped };
}

const token = await guestToken();
const { answer, replay, resumed } = await normalAndResumed(token);
const { agent: _failed, ...failure } = await ask("TRIGGER_ERROR what is backlash?", token);
process.stdout.write(JSON.stringify({ answer, replay, resumed, failure, quiz: await quiz(token) }));
