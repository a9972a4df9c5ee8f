// A built Docusaurus site with docusaurus-plugin-booktutor, in real headless Chromium, against a running booktutor.
// Usage: node tests/browser/docusaurus.spec.mjs <site_url> <api_url> [artifacts_dir]
// Prints {"checks": {name: {ok, detail}}, "errors": [...], "rated": {...}}; exits 1 when any check fails.
import { mkdirSync } from "node:fs";
import { chromium } from "playwright-core";

const [site, api] = process.argv.slice(2, 4);
const artifacts = process.argv[4] || "test-artifacts/docusaurus";
mkdirSync(artifacts, { recursive: true });
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--no-first-run"];
const TIMEOUT = 20_000;
const INTRO = "/docs/intro";
const PROBES = "/docs/sensors/soil-moisture";
const QUESTION = "How do I calibrate a soil moisture probe?";
const COMMENT = "Please add how often to recalibrate.";
const checks = {};
const pageErrors = [];
const timings = {};
const report = { checks, errors: pageErrors, timings, rated: null };

function check(name, ok, detail = null) {
  checks[name] = { ok: Boolean(ok), detail };
}

async function newPage(browser, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, ...options });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.on("pageerror", (error) => pageErrors.push(String(error)));
  page.on("console", (message) => {
    if (message.type() === "error" && !/Failed to load resource/.test(message.text())) pageErrors.push(message.text());
  });
  return { context, page };
}

const widgetContext = (page) => page.evaluate(() => window.BookTutor.getContext());

async function waitForDocPath(page, docPath) {
  try {
    await page.waitForFunction((expected) => window.BookTutor?.getContext?.().docPath === expected, docPath, { timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

async function ask(page, question) {
  const before = await page.locator("article.bt-assistant").count();
  await page.locator("#bt-input").fill(question);
  await page.locator("#bt-input").press("Enter");
  await page.waitForFunction((n) => {
    const answers = document.querySelector("#booktutor-widget").shadowRoot.querySelectorAll("article.bt-assistant");
    return answers.length > n && answers[n].getAttribute("aria-busy") === "false";
  }, before);
  return page.locator("article.bt-assistant").nth(before);
}

async function scenarioNavigateAskRateCite(browser) {
  const { context, page } = await newPage(browser, { permissions: ["clipboard-read", "clipboard-write"] });
  const runs = [];
  page.on("request", (r) => { if (r.url() === `${api}/api/v1/agent/run`) runs.push(r.postDataJSON()); });
  await page.goto(`${site}${INTRO}`);
  check("context_on_first_load", await waitForDocPath(page, "intro.md"), await page.evaluate(() => window.BookTutor?.getContext?.()));
  const script = await page.locator('script[src$="/widget.js"]').evaluate((s) => ({ src: s.src, api: s.dataset.api, book: s.dataset.book }));
  check("plugin_injects_widget_script", script.src === `${api}/widget.js` && script.api === api && script.book === "greenhouse", script);

  await page.evaluate(() => { window.__samePage = true; });
  await page.locator("a.pagination-nav__link--next").click();
  await page.waitForURL((url) => url.pathname === PROBES);
  const followed = await waitForDocPath(page, "sensors/soil-moisture.md");
  const samePage = await page.evaluate(() => window.__samePage === true);
  check("client_side_navigation_updates_context", followed && samePage, { samePage, context: await widgetContext(page) });

  await page.locator(".bt-launcher").click();
  const answer = await ask(page, QUESTION);
  const forwarded = runs.at(-1)?.forwardedProps;
  check("question_carries_current_doc_path", forwarded?.doc_path === "sensors/soil-moisture.md" && forwarded?.book_id === "greenhouse", forwarded);
  const text = await answer.locator(".bt-body").innerText();
  check("answer_streamed", /dry air/i.test(text), text.slice(0, 300));
  const href = `${PROBES}#calibrating-a-probe`;
  const cited = await answer.locator("a.bt-citation").evaluateAll((links) => links.map((a) => a.getAttribute("href")));
  check("citation_matches_docusaurus_route", cited.includes(href), cited);
  await page.screenshot({ path: `${artifacts}/answer.png` });

  await page.locator("a.pagination-nav__link--prev").click();
  await page.waitForURL((url) => url.pathname === INTRO);
  check("context_follows_back_navigation", await waitForDocPath(page, "intro.md") && await page.evaluate(() => window.__samePage === true),
    await widgetContext(page));

  await checkTheme(page);
  await checkCopy(page, answer);
  await rate(page);
  await followCitation(page, href);
  await context.close();
}

async function checkTheme(page) {
  const toggle = page.locator('button[aria-label^="Switch between dark and light mode"]').first();
  await toggle.click();
  await page.waitForFunction(() => document.documentElement.dataset.theme === "dark");
  const dark = await page.evaluate(() => {
    const root = document.querySelector("#booktutor-widget").shadowRoot.querySelector(".bt-root");
    return { context: window.BookTutor.getContext(), theme: root.dataset.theme,
      header: getComputedStyle(root.querySelector(".bt-header")).backgroundColor,
      panel: getComputedStyle(root.querySelector(".bt-panel")).backgroundColor };
  });
  check("widget_follows_dark_theme", dark.context.theme === "dark" && dark.context.accent === "#25c2a0" &&
    dark.theme === "dark" && dark.header === "rgb(37, 194, 160)" && dark.panel !== "rgb(255, 255, 255)", dark);
  await page.screenshot({ path: `${artifacts}/dark.png` });
  await toggle.click();
  await page.waitForFunction(() => document.documentElement.dataset.theme === "light");
  const light = await widgetContext(page);
  check("widget_follows_light_theme", light.theme === "light" && light.accent === "#2e8555", light);
}

async function checkCopy(page, answer) {
  await answer.evaluate((el) => el.scrollIntoView());
  const copy = page.locator(".bt-feedback .bt-copy").first();
  await copy.click();
  await page.locator(".bt-feedback .bt-action-status").first().filter({ hasText: "Copied." }).waitFor();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  const shown = await answer.locator(".bt-body").innerText();
  check("copy_button_copies_answer", copied.trim() === shown.trim() && /dry air/i.test(copied), copied.slice(0, 200));
}

async function rate(page) {
  const actions = page.locator(".bt-feedback").first();
  const down = actions.locator(".bt-down");
  const up = actions.locator(".bt-up");
  check("thumbs_start_unpressed", (await up.getAttribute("aria-pressed")) === "false" && (await down.getAttribute("aria-pressed")) === "false");
  await down.click();
  await page.waitForFunction(() => document.querySelector("#booktutor-widget").shadowRoot
    .querySelector(".bt-feedback .bt-down").getAttribute("aria-pressed") === "true");
  const commentBox = actions.locator(".bt-comment textarea");
  await commentBox.waitFor({ state: "visible" });
  const focused = await page.evaluate(() => document.querySelector("#booktutor-widget").shadowRoot.activeElement?.tagName);
  check("thumbs_down_opens_comment_box", focused === "TEXTAREA", focused);
  await page.keyboard.type(COMMENT);
  await page.keyboard.press("Enter");
  await actions.locator(".bt-action-status").filter({ hasText: "comment was sent" }).waitFor();
  check("comment_sent_and_box_closed", await actions.locator(".bt-comment").isHidden() &&
    (await down.getAttribute("aria-pressed")) === "true" && (await up.getAttribute("aria-pressed")) === "false");
  await page.screenshot({ path: `${artifacts}/rated.png` });
  report.rated = await page.evaluate(async () => {
    const thread = await window.BookTutor.client.thread(window.BookTutor.widget.threadId);
    const answer = thread.messages.find((m) => m.role === "assistant");
    return { message_id: answer.id, thread_id: thread.id, comment: null };
  });
  report.rated.comment = COMMENT;
}

async function followCitation(page, href) {
  await page.locator(`a.bt-citation[href="${href}"]`).first().click();
  await page.waitForURL((url) => url.pathname + url.hash === href);
  const target = page.locator(`[id="${href.split("#")[1]}"]`);
  const heading = await target.evaluate((el) => {
    const box = el.getBoundingClientRect();
    return { tag: el.tagName, text: el.textContent.replace(/\u200b/g, "").trim(), top: box.top, inView: box.top >= 0 && box.top < innerHeight };
  });
  check("citation_lands_on_heading", heading.tag === "H2" && heading.text === "Calibrating a probe" && heading.inView, heading);
  check("context_after_full_page_load", await waitForDocPath(page, "sensors/soil-moisture.md"));
  await page.locator("article.bt-assistant").first().waitFor();
  // The history's ratings arrive with a second request after its messages are shown: wait for them.
  const shown = await page.locator('.bt-feedback .bt-down[aria-pressed="true"]').first()
    .waitFor({ timeout: 10_000 }).then(() => true, () => false);
  const pressed = await page.locator(".bt-feedback .bt-down").first().getAttribute("aria-pressed");
  check("rating_shown_in_history", shown, pressed);
  await page.screenshot({ path: `${artifacts}/citation.png` });
}

const intersects = (a, b) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

async function scenarioNarrowLauncher(browser) {
  const viewport = { width: 360, height: 740 };
  const { context, page } = await newPage(browser, { viewport, isMobile: true, hasTouch: true });
  await page.goto(`${site}${PROBES}`);
  await waitForDocPath(page, "sensors/soil-moisture.md");
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  await page.waitForFunction(() => Math.ceil(scrollY + innerHeight) >= document.documentElement.scrollHeight - 1);
  await page.waitForTimeout(200);
  const launcher = await page.locator(".bt-launcher").boundingBox();
  const texts = await page.evaluate(() => [...document.querySelectorAll(
    "main p, main h1, main h2, main h3, main li, main .pagination-nav__link, footer p, footer a")]
    .map((el) => { const r = el.getBoundingClientRect(); return { text: el.textContent.slice(0, 40), x: r.x, y: r.y, width: r.width, height: r.height }; })
    .filter((r) => r.width > 0 && r.height > 0 && r.y < innerHeight && r.y + r.height > 0));
  const covered = texts.filter((box) => intersects(launcher, box));
  await page.screenshot({ path: `${artifacts}/narrow-360.png` });
  check("narrow_launcher_docked_small", launcher && launcher.height <= 48 && Math.abs(launcher.y + launcher.height - viewport.height) <= 1 &&
    launcher.x + launcher.width <= viewport.width, launcher);
  check("narrow_launcher_covers_no_text", texts.length > 0 && covered.length === 0, { launcher, covered, visible: texts.length });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth + 1);
  check("narrow_no_horizontal_overflow", overflow);
  await page.locator(".bt-launcher").tap();
  const panel = await page.locator("#bt-panel").boundingBox();
  check("narrow_panel_fills_screen", panel && panel.x === 0 && panel.y === 0 && panel.width === viewport.width, panel);
  await context.close();
}

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
try {
  for (const scenario of [scenarioNavigateAskRateCite, scenarioNarrowLauncher]) {
    const started = Date.now();
    try {
      await scenario(browser);
    } catch (error) {
      check(scenario.name, false, String(error?.stack || error).slice(0, 1500));
    }
    timings[scenario.name] = Date.now() - started;
  }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(report, null, 1));
process.exit(Object.values(checks).every((c) => c.ok) && pageErrors.length === 0 ? 0 : 1);
