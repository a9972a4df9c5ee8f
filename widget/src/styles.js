// Styles live in the widget's shadow root, so the host page and the widget never restyle each other.
// Colours are custom properties: `data-theme="dark"` on the root switches them, `--bt-accent` follows the site.
export const CSS = `
:host { all: initial; }
.bt-root { --bt-accent: #2456d3; --bt-on-accent: #fff; --bt-fg: #1d2430; --bt-muted: #5b6576; --bt-bg: #fff;
  --bt-surface: #f6f8fb; --bt-border: #dde3ee; --bt-link: #1a43a8; --bt-soft: #eef1f6; --bt-quote: #eef3ff;
  --bt-error-bg: #fdecec; --bt-error-fg: #8a1c1c;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--bt-fg); }
.bt-root[data-theme="dark"] { --bt-fg: #e3e7ee; --bt-muted: #a3adbd; --bt-bg: #1b1f27; --bt-surface: #12151b;
  --bt-border: #343b4a; --bt-link: #9bb8ff; --bt-soft: #2a303c; --bt-quote: #26304a; --bt-error-bg: #4a1f24; --bt-error-fg: #ffd0d0; }
.bt-root *, .bt-root *::before, .bt-root *::after { box-sizing: border-box; }
.bt-root[dir="rtl"], .bt-root[lang|="ur"] { font-family: "Noto Nastaliq Urdu", "Jameel Noori Nastaleeq", "Urdu Typesetting",
  "Noto Naskh Arabic", "Noto Sans Arabic", "Segoe UI", Tahoma, system-ui, sans-serif; line-height: 2; }
button, select, textarea { font: inherit; color: inherit; }
:focus-visible { outline: 3px solid #f5a524; outline-offset: 2px; }
.bt-launcher { position: fixed; bottom: 20px; inset-inline-end: 20px; z-index: 2147483000; border: 0; border-radius: 28px;
  padding: 12px 18px; background: var(--bt-accent); color: var(--bt-on-accent); box-shadow: 0 6px 20px rgba(0,0,0,.25);
  cursor: pointer; font-weight: 600; }
.bt-launcher:hover { filter: brightness(.9); }
.bt-ask-selection { position: fixed; z-index: 2147483001; border: 0; border-radius: 6px; padding: 6px 10px; background: #1d2430;
  color: #fff; box-shadow: 0 4px 14px rgba(0,0,0,.3); cursor: pointer; font-size: 14px; }
.bt-panel { position: fixed; bottom: 84px; inset-inline-end: 20px; z-index: 2147483000; width: min(420px, calc(100vw - 40px));
  height: min(620px, calc(100vh - 120px)); display: flex; flex-direction: column; background: var(--bt-bg); border-radius: 14px;
  box-shadow: 0 12px 40px rgba(0,0,0,.28); overflow: hidden; }
.bt-panel[hidden], [hidden] { display: none !important; }
.bt-header { display: flex; align-items: center; gap: 8px; padding: 10px 12px; background: var(--bt-accent); color: var(--bt-on-accent); }
.bt-header h2 { flex: 1; margin: 0; font-size: 16px; }
.bt-header select { background: #fff; color: #1d2430; border-radius: 6px; border: 0; padding: 3px 4px; }
.bt-icon { border: 0; background: transparent; color: inherit; cursor: pointer; font-size: 20px; line-height: 1; padding: 4px 8px; border-radius: 6px; }
.bt-icon:hover { background: rgba(127,127,127,.2); }
.bt-visually-hidden { position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.bt-messages { flex: 1; overflow-y: auto; padding: 12px; display: flex; flex-direction: column; gap: 10px; background: var(--bt-surface); }
.bt-empty { color: var(--bt-muted); font-size: 14px; margin: auto 8px; text-align: center; }
.bt-msg { max-width: 92%; padding: 8px 12px; border-radius: 12px; overflow-wrap: anywhere; }
.bt-user { align-self: flex-end; background: var(--bt-accent); color: var(--bt-on-accent); white-space: pre-wrap; }
.bt-assistant { align-self: flex-start; background: var(--bt-bg); border: 1px solid var(--bt-border); }
.bt-assistant[aria-busy="true"] .bt-body:empty::before { content: "…"; color: var(--bt-muted); }
.bt-body > :first-child { margin-top: 0; } .bt-body > :last-child { margin-bottom: 0; }
.bt-body a, .bt-sources a { color: var(--bt-link); }
.bt-body pre { background: #0f1623; color: #e6edf3; padding: 10px; border-radius: 8px; overflow-x: auto; direction: ltr; text-align: left; font-size: 13px; }
.bt-body code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
.bt-body :not(pre) > code { background: var(--bt-soft); padding: 0 4px; border-radius: 4px; }
.bt-quote-text { margin: 0 0 6px; padding: 4px 8px; border-inline-start: 3px solid #9fb6ec; font-size: 13px; opacity: .9; white-space: pre-wrap; }
.bt-note { font-size: 13px; color: var(--bt-muted); font-style: italic; margin: 6px 0 0; }
.bt-sources { margin-top: 8px; font-size: 13px; border-top: 1px solid var(--bt-soft); padding-top: 6px; }
.bt-sources h3 { font-size: 12px; margin: 0 0 2px; text-transform: uppercase; letter-spacing: .04em; color: var(--bt-muted); }
.bt-sources ol { margin: 0; padding-inline-start: 20px; }
.bt-feedback { align-self: flex-start; max-width: 92%; margin-top: -8px; }
.bt-actions { display: flex; align-items: center; gap: 2px; color: var(--bt-muted); }
.bt-action { display: inline-flex; border: 0; background: transparent; color: inherit; cursor: pointer; padding: 5px; border-radius: 6px; }
.bt-action svg { width: 18px; height: 18px; fill: none; stroke: currentColor; stroke-width: 2; stroke-linejoin: round; }
.bt-down svg { transform: rotate(180deg); }
.bt-action:hover { background: var(--bt-soft); color: var(--bt-fg); }
.bt-action[aria-pressed="true"] { color: var(--bt-link); } .bt-action[aria-pressed="true"] svg { fill: currentColor; fill-opacity: .25; }
.bt-action-status { font-size: 12px; margin-inline-start: 6px; }
.bt-comment { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 6px; }
.bt-comment label { flex: 1 1 100%; font-size: 13px; color: var(--bt-muted); }
.bt-comment textarea { flex: 1 1 160px; min-height: 38px; resize: vertical; }
.bt-quiz { align-self: flex-start; max-width: 92%; display: flex; flex-direction: column; gap: 6px; }
.bt-choices { display: flex; flex-direction: column; gap: 4px; }
.bt-choice { text-align: start; border: 1px solid var(--bt-border); background: var(--bt-bg); color: var(--bt-fg); border-radius: 8px; padding: 6px 10px; cursor: pointer; font: inherit; }
.bt-choice:hover, .bt-choice:focus-visible { border-color: var(--bt-accent); background: var(--bt-soft); }
.bt-quiz-actions { display: flex; gap: 6px; }
.bt-status { min-height: 22px; padding: 2px 12px; font-size: 13px; color: var(--bt-muted); background: var(--bt-surface); }
.bt-error { display: flex; gap: 8px; align-items: center; padding: 8px 12px; background: var(--bt-error-bg); color: var(--bt-error-fg); font-size: 14px; }
.bt-error span { flex: 1; }
.bt-button { border: 1px solid var(--bt-accent); background: var(--bt-accent); color: var(--bt-on-accent); border-radius: 8px; padding: 6px 12px; cursor: pointer; }
.bt-button.bt-secondary { background: var(--bt-bg); color: var(--bt-link); }
.bt-button:disabled { opacity: .5; cursor: not-allowed; }
.bt-form { border-top: 1px solid var(--bt-border); padding: 10px; display: flex; flex-wrap: wrap; gap: 8px; background: var(--bt-bg); }
.bt-root textarea { background: var(--bt-bg); border: 1px solid var(--bt-border); border-radius: 8px; padding: 8px; }
.bt-form textarea { flex: 1 1 200px; resize: none; min-height: 44px; max-height: 120px; }
.bt-quote { flex: 1 1 100%; display: flex; gap: 6px; align-items: flex-start; background: var(--bt-quote); border-radius: 8px; padding: 6px 8px; font-size: 13px; }
.bt-quote p { flex: 1; margin: 0; max-height: 4.5em; overflow: hidden; }
.bt-quote .bt-icon { font-size: 16px; }
.hljs-keyword, .hljs-built_in, .hljs-literal { color: #ff7b72; } .hljs-string { color: #a5d6ff; }
.hljs-comment { color: #8b949e; font-style: italic; } .hljs-number { color: #79c0ff; }
.hljs-title, .hljs-title.function_ { color: #d2a8ff; } .hljs-attr, .hljs-params { color: #ffa657; }
@media (max-width: 600px) {
  :host { display: block; height: 48px; }
  .bt-launcher { bottom: 0; inset-inline-end: 12px; border-radius: 10px 10px 0 0; padding: 7px 14px; font-size: 14px;
    box-shadow: 0 -2px 10px rgba(0,0,0,.2); }
  .bt-panel { inset: 0; width: 100vw; height: 100dvh; border-radius: 0; bottom: 0; }
}
@media (prefers-reduced-motion: no-preference) { .bt-panel { transition: opacity .15s; } }
`;
