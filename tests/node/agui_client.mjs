// A real AG-UI client (@ag-ui/client HttpAgent) consuming booktutor's /api/v1/agent/run unmodified.
// Usage: node tests/node/agui_client.mjs http://127.0.0.1:8000 ; prints a JSON report.
import { HttpAgent } from "@ag-ui/client";

const base = process.argv[2];

async function guestToken() {
  const response = await fetch(`${base}/api/v1/threads`);
  return response.headers.get("x-guest-token");
}

async function ask(question, token) {
  const agent = new HttpAgent({
    url: `${base}/api/v1/agent/run`,
    headers: { "X-Guest-Token": token },
    threadId: `node-${Date.now()}-${Math.random().toString(16).slice(2)}`,
  });
  agent.messages = [{ id: `m-${Date.now()}`, role: "user", content: question }];
  const seen = { events: [], text: "", error: null };
  // runAgent resolves even after RUN_ERROR: the error is observed through its callback.
  await agent.runAgent({ forwardedProps: { book_id: "mini" } }, {
    onEvent({ event }) { seen.events.push(event.type); },
    onTextMessageContentEvent({ event }) { seen.text += event.delta; },
    onRunErrorEvent({ event }) { seen.error = { code: event.code, message: event.message }; },
  });
  return { ...seen, state: agent.state, messages: agent.messages };
}

const token = await guestToken();
const answer = await ask("What is backlash in a gearbox?", token);
const failure = await ask("TRIGGER_ERROR what is backlash?", token);
process.stdout.write(JSON.stringify({ answer, failure }));
