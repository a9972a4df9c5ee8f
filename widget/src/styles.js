// Styles live in the widget's shadow root, so the host page and the widget never restyle each other.
export const CSS = `
:host { all: initial; }
.bt-root { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", "Noto Nastaliq Urdu", "Noto Naskh Arabic", sans-serif; color: #1d2430; }
.bt-root *, .bt-root *::before, .bt-root *::after { box-sizing: border-box; }
.bt-root[dir="rtl"] { font-family: "Noto Nastaliq Urdu", "Noto Naskh Arabic", system-ui, sans-serif; }
button, select, textarea { font: inherit; color: inherit; }
:focus-visible { outline: 3px solid #f5a524; outline-offset: 2px; }
.bt-launcher { position: fixed; bottom: 20px; inset-inline-end: 20px; z-index: 2147483000; border: 0; border-radius: 28px;
  padding: 12px 18px; background: #2456d3; color: #fff; box-shadow: 0 6px 20px rgba(0,0,0,.25); cursor: pointer; font-weight: 600; }
.bt-launcher:hover { background: #1a43a8; }
.bt-ask-selection { position: fixed; z-index: 2147483001; border: 0; border-radius: 6px; padding: 6px 10px; background: #1d2430;
  color: #fff; box-shadow: 0 4px 14px rgba(0,0,0,.3); cursor: pointer; font-size: 14px; }
.bt-panel { position: fixed; bottom: 84px; inset-inline-end: 20px; z-index: 2147483000; width: min(420px, calc(100vw - 40px));
  height: min(620px, calc(100vh - 120px)); display: flex; flex-direction: column; background: #fff; border-radius: 14px;
  box-shadow: 0 12px 40px rgba(0,0,0,.28); overflow: hidden; }
.bt-panel[hidden], [hidden] { display: none !important; }
.bt-header { display: flex; align-items: center; gap: 8px; padding: 10px 12px; background: #2456d3; color: #fff; }
.bt-header h2 { flex: 1; margin: 0; font-size: 16px; }
.bt-header select { background: #fff; color: #1d2430; border-radius: 6px; border: 0; padding: 3px 4px; }
.bt-icon { border: 0; background: transparent; color: #fff; cursor: pointer; font-size: 20px; line-height: 1; padding: 4px 8px; border-radius: 6px; }
.bt-icon:hover { background: rgba(255,255,255,.15); }
.bt-visually-hidden { position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.bt-messages { flex: 1; overflow-y: auto; padding: 12px; display: flex; flex-direction: column; gap: 10px; background: #f6f8fb; }
.bt-empty { color: #5b6576; font-size: 14px; margin: auto 8px; text-align: center; }
.bt-msg { max-width: 92%; padding: 8px 12px; border-radius: 12px; overflow-wrap: anywhere; }
.bt-user { align-self: flex-end; background: #2456d3; color: #fff; white-space: pre-wrap; }
.bt-assistant { align-self: flex-start; background: #fff; border: 1px solid #dde3ee; }
.bt-assistant[aria-busy="true"] .bt-body:empty::before { content: "…"; color: #5b6576; }
.bt-body > :first-child { margin-top: 0; } .bt-body > :last-child { margin-bottom: 0; }
.bt-body a, .bt-sources a { color: #1a43a8; }
.bt-body pre { background: #0f1623; color: #e6edf3; padding: 10px; border-radius: 8px; overflow-x: auto; direction: ltr; text-align: left; font-size: 13px; }
.bt-body code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
.bt-body :not(pre) > code { background: #eef1f6; padding: 0 4px; border-radius: 4px; }
.bt-quote-text { margin: 0 0 6px; padding: 4px 8px; border-inline-start: 3px solid #9fb6ec; font-size: 13px; opacity: .9; white-space: pre-wrap; }
.bt-note { font-size: 13px; color: #5b6576; font-style: italic; margin: 6px 0 0; }
.bt-sources { margin-top: 8px; font-size: 13px; border-top: 1px solid #eef1f6; padding-top: 6px; }
.bt-sources h3 { font-size: 12px; margin: 0 0 2px; text-transform: uppercase; letter-spacing: .04em; color: #5b6576; }
.bt-sources ol { margin: 0; padding-inline-start: 20px; }
.bt-status { min-height: 22px; padding: 2px 12px; font-size: 13px; color: #5b6576; background: #f6f8fb; }
.bt-error { display: flex; gap: 8px; align-items: center; padding: 8px 12px; background: #fdecec; color: #8a1c1c; font-size: 14px; }
.bt-error span { flex: 1; }
.bt-button { border: 1px solid #2456d3; background: #2456d3; color: #fff; border-radius: 8px; padding: 6px 12px; cursor: pointer; }
.bt-button.bt-secondary { background: #fff; color: #2456d3; }
.bt-button:disabled { opacity: .5; cursor: not-allowed; }
.bt-form { border-top: 1px solid #dde3ee; padding: 10px; display: flex; flex-wrap: wrap; gap: 8px; background: #fff; }
.bt-form textarea { flex: 1 1 200px; resize: none; border: 1px solid #c4cedd; border-radius: 8px; padding: 8px; min-height: 44px; max-height: 120px; }
.bt-quote { flex: 1 1 100%; display: flex; gap: 6px; align-items: flex-start; background: #eef3ff; border-radius: 8px; padding: 6px 8px; font-size: 13px; }
.bt-quote p { flex: 1; margin: 0; max-height: 4.5em; overflow: hidden; }
.bt-quote .bt-icon { color: #1d2430; font-size: 16px; }
.hljs-keyword, .hljs-built_in, .hljs-literal { color: #ff7b72; } .hljs-string { color: #a5d6ff; }
.hljs-comment { color: #8b949e; font-style: italic; } .hljs-number { color: #79c0ff; }
.hljs-title, .hljs-title.function_ { color: #d2a8ff; } .hljs-attr, .hljs-params { color: #ffa657; }
@media (max-width: 520px) {
  .bt-panel { inset: 0; width: 100vw; height: 100dvh; border-radius: 0; bottom: 0; }
  .bt-launcher { bottom: 12px; inset-inline-end: 12px; }
}
@media (prefers-reduced-motion: no-preference) { .bt-panel { transition: opacity .15s; } }
`;
