// The host page's look: light or dark, and an accent colour (e.g. a Docusaurus site's --ifm-color-primary).
let canvas;

/** `#rrggbb` for any CSS colour the browser understands, else null. */
function normalise(color) {
  if (typeof color !== "string" || !color.trim() || !globalThis.CSS?.supports?.("color", color)) return null;
  canvas ??= document.createElement("canvas").getContext("2d");
  const [onBlack, onWhite] = ["#000", "#fff"].map((start) => {
    canvas.fillStyle = start;
    canvas.fillStyle = color.trim(); // ignored when the canvas cannot parse it (e.g. var(--x))
    return canvas.fillStyle;
  });
  return onBlack === onWhite && /^#[0-9a-f]{6}$/i.test(onBlack) ? onBlack : null;
}

function luminance(hex) {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
    .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** Text colour with the better WCAG contrast on `hex`. */
export function onAccent(hex) {
  const l = luminance(hex);
  return 1.05 / (l + 0.05) >= (l + 0.05) / 0.05 ? "#ffffff" : "#111111";
}

export function applyTheme(root, { theme, accent }) {
  root.dataset.theme = theme === "dark" ? "dark" : "light";
  const color = normalise(accent);
  if (color) {
    root.style.setProperty("--bt-accent", color);
    root.style.setProperty("--bt-on-accent", onAccent(color));
  } else {
    root.style.removeProperty("--bt-accent");
    root.style.removeProperty("--bt-on-accent");
  }
  return { theme: root.dataset.theme, accent: color };
}
