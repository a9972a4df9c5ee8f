// Selection mode: text highlighted in the page (outside the widget) offers "Ask about this".
const MAX_SELECTION = 8000;

export function watchSelection(host, { onSelect, onClear }) {
  let timer = null;
  const check = () => {
    const selection = document.getSelection();
    const text = selection && !selection.isCollapsed ? selection.toString().trim() : "";
    if (text.length < 2 || host.contains(selection.anchorNode)) return onClear();
    const rect = selection.getRangeAt(0).getBoundingClientRect();
    onSelect(text.slice(0, MAX_SELECTION), rect);
  };
  const schedule = () => { clearTimeout(timer); timer = setTimeout(check, 120); };
  document.addEventListener("selectionchange", schedule);
  document.addEventListener("mouseup", schedule);
  document.addEventListener("keyup", (event) => { if (event.shiftKey || event.key === "Shift") schedule(); });
}

export function placeNear(button, rect) {
  const top = Math.min(rect.bottom + 8, window.innerHeight - 44);
  const left = Math.max(8, Math.min(rect.left, window.innerWidth - 180));
  button.style.top = `${Math.max(8, top)}px`;
  button.style.left = `${left}px`;
}
