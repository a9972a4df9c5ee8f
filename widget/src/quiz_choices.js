// Under a quiz question (a run that ended with an AG-UI interrupt): one button per choice, a hint
// and a stop button. Each answers the interrupt with an AG-UI `resume`; typing a reply still works.
import { h } from "./dom.js";

const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** The buttons for `interrupt`, or null when it is not a quiz question. `onAnswer({label, resume})`. */
export function quizChoices({ interrupt, t, onAnswer }) {
  const quiz = interrupt?.metadata?.booktutor;
  if (!interrupt?.id || !quiz) return null;
  const entry = (fields) => ({ interruptId: interrupt.id, ...fields });
  const choose = (label, resume) => () => { element.remove(); onAnswer({ label, resume: entry(resume) }); };
  const choices = (quiz.choices || []).slice(0, LETTERS.length).map((text, index) => {
    const label = `${LETTERS[index]}) ${text}`;
    return h("button", { class: "bt-choice", type: "button", onClick: choose(label, { status: "resolved", payload: { reply: index } }) }, label);
  });
  const hint = h("button", { class: "bt-button bt-secondary bt-hint", type: "button", onClick: choose(t.hint, { status: "resolved", payload: { hint: true } }) }, t.hint);
  const stop = h("button", { class: "bt-button bt-secondary bt-stop-quiz", type: "button", onClick: choose(t.stopQuiz, { status: "cancelled" }) }, t.stopQuiz);
  const element = h("div", { class: "bt-quiz", role: "group", "aria-label": t.yourAnswer },
    choices.length ? h("div", { class: "bt-choices" }, choices) : null, h("div", { class: "bt-quiz-actions" }, hint, stop));
  return element;
}
