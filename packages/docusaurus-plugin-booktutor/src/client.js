// Client module: after every route change (client-side navigation included) tells the widget which
// doc is on screen, and keeps the widget in the site's light/dark theme and primary colour.
import globalData from "@generated/globalData";

const PLUGIN = "docusaurus-plugin-booktutor";
let pending = null;
let themeWatcher = null;

function docPaths() {
  const instances = globalData[PLUGIN] || {};
  return (instances.default || Object.values(instances)[0] || {}).docPaths || {};
}

function normalisePath(pathname) {
  let decoded = pathname;
  try {
    decoded = decodeURI(pathname);
  } catch {
    // keep a malformed URL as it is
  }
  return decoded.length > 1 ? decoded.replace(/\/+$/, "") : decoded;
}

function siteTheme() {
  const html = document.documentElement;
  const accent = getComputedStyle(html).getPropertyValue("--ifm-color-primary").trim();
  return { theme: html.dataset.theme === "dark" ? "dark" : "light", accent: accent || null };
}

/** The widget script is deferred: context set before it is ready waits for `booktutor:ready`. */
function tell(context) {
  if (window.BookTutor?.setContext) {
    window.BookTutor.setContext(context);
    return;
  }
  if (pending === null) {
    document.addEventListener("booktutor:ready", () => {
      window.BookTutor.setContext(pending);
      pending = null;
    }, { once: true });
  }
  pending = { ...pending, ...context };
}

function watchTheme() {
  if (themeWatcher) return;
  themeWatcher = new MutationObserver(() => tell(siteTheme()));
  themeWatcher.observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
}

export function onRouteDidUpdate({ location }) {
  if (typeof document === "undefined") return;
  tell({ docPath: docPaths()[normalisePath(location.pathname)] ?? null, ...siteTheme() });
  watchTheme();
}
