// Drives the widget and the demo site in real headless Chromium against a running booktutor.
// Usage: node tests/browser/widget.spec.mjs <base_url> [artifacts_dir]
// Prints {"checks": {name: {ok, detail}}, "errors": [...]}; exits 1 when any check fails.
import { mkdirSync } from "node:fs";
import { chromium } from "playwright-core";

const base = process.argv[2];
const artifacts = process.argv[3] || "test-artifacts/browser";
mkdirSync(artifacts, { recursive: true });
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--no-first-run"];
const TIMEOUT = 20_000;
const checks = {};
const pageErrors = [];
const timings = {};

function check(name, ok, detail = null) {
  checks[name] = { ok: Boolean(ok), detail };
}

// The widget lives in an open shadow root; Playwright's CSS locators pierce it.
const W = {
  launcher: ".bt-launcher", panel: "#bt-panel", input: "#bt-input", stop: ".bt-stop", status: ".bt-status",
  error: ".bt-error", retry: ".bt-retry", ask: ".bt-ask-selection", assistant: "article.bt-assistant",
  user: "article.bt-user", language: "select.bt-language", root: ".bt-root",
};

async function newPage(browser, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, ...options });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.on("pageerror", (error) => pageErrors.push(String(error)));
  page.on("console", (message) => { if (message.type() === "error" && !/Failed to load resource/.test(message.text())) pageErrors.push(message.text()); });
  return { context, page };
}

async function ready(page) {
  await page.waitForFunction(() => Boolean(window.BookTutor?.widget));
}

async function ask(page, question) {
  const before = await page.locator(W.assistant).count();
  await page.locator(W.input).fill(question);
  await page.locator(W.input).press("Enter");
  const answer = page.locator(W.assistant).nth(before);
  await answer.waitFor();
  await page.waitForFunction((n) => {
    const root = document.querySelector("#booktutor-widget").shadowRoot;
    const answers = root.querySelectorAll("article.bt-assistant");
    return answers.length > n && answers[n].getAttribute("aria-busy") === "false";
  }, before);
  return answer;
}

async function recordStatuses(page) {
  await page.evaluate(() => {
    const status = document.querySelector("#booktutor-widget").shadowRoot.querySelector(".bt-status");
    window.__statuses = [];
    new MutationObserver(() => { if (status.textContent) window.__statuses.push(status.textContent); })
      .observe(status, { childList: true, characterData: true, subtree: true });
  });
}

async function scenarioAskCiteAndHistory(browser) {
  const { context, page } = await newPage(browser);
  await page.goto(`${base}/`);
  check("site_redirects_to_first_chapter", /\/docs\/intro$/.test(page.url()), page.url());
  await ready(page);
  await page.locator(W.launcher).click();
  await recordStatuses(page);
  const answer = await ask(page, "What is backlash in a gearbox?");
  const text = await answer.locator(".bt-body").innerText();
  const statuses = await page.evaluate(() => window.__statuses);
  check("answer_streamed", /backlash/i.test(text), text.slice(0, 200));
  check("step_shown", statuses.includes("Searching the book…"), statuses);
  const citation = answer.locator("a.bt-citation").first();
  const href = await citation.getAttribute("href");
  check("citation_links_to_anchor", /^\/docs\/basics\/gears#[a-z0-9-]+$/.test(href || ""), href);
  const inline = await answer.locator(".bt-body a").evaluateAll((links) => links.map((a) => a.getAttribute("href")));
  check("inline_citation_marker_linked", inline.some((h) => h.startsWith("/docs/basics/gears#")), inline);
  await page.screenshot({ path: `${artifacts}/answer.png` });

  const threadId = await page.evaluate(() => window.BookTutor.widget.threadId);
  await page.reload();
  await ready(page);
  await page.locator(W.assistant).first().waitFor();
  const history = await page.locator(`${W.user}, ${W.assistant}`).allInnerTexts();
  check("history_after_reload", history.length === 2 && history[0].includes("What is backlash") && /backlash/i.test(history[1]), history);
  check("history_keeps_citations", (await page.locator(`${W.assistant} a.bt-citation`).count()) > 0);
  await page.screenshot({ path: `${artifacts}/history.png` });

  await page.locator(".bt-new").click();
  check("new_conversation_clears_thread", (await page.locator(".bt-empty").isVisible()) &&
    (await page.evaluate(() => window.BookTutor.widget.threadId === null && !localStorage.getItem("booktutor:thread:mini"))));
  await page.goto(`${base}/docs/intro`);
  await page.evaluate((t) => localStorage.setItem("booktutor:thread:mini", t), threadId);
  await page.reload();
  await ready(page);
  const cited = page.locator(`${W.assistant} a.bt-citation`).first();
  const target = await cited.getAttribute("href");
  await cited.click();
  await page.waitForURL((url) => url.pathname + url.hash === target);
  const heading = await page.locator(`[id="${target.split("#")[1]}"]`).innerText();
  check("citation_link_opens_section", /^h[1-6]$/i.test(await page.locator(`[id="${target.split("#")[1]}"]`)
    .evaluate((el) => el.tagName)) && heading.trim().length > 0, heading);
  await context.close();
}

async function scenarioSelection(browser) {
  const { context, page } = await newPage(browser);
  const requests = [];
  page.on("request", (r) => { if (r.url().endsWith("/api/v1/chatbot/context")) requests.push(r.postDataJSON()); });
  await page.goto(`${base}/docs/basics/batteries`);
  await ready(page);
  const passage = "stored at about 3.3 volts per cell";
  await page.evaluate((needle) => {
    const walker = document.createTreeWalker(document.getElementById("chapter-content"), NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const start = walker.currentNode.data.indexOf(needle);
      if (start < 0) continue;
      const range = document.createRange();
      range.setStart(walker.currentNode, start);
      range.setEnd(walker.currentNode, start + needle.length);
      document.getSelection().removeAllRanges();
      document.getSelection().addRange(range);
      document.dispatchEvent(new MouseEvent("mouseup"));
      return;
    }
    throw new Error("passage not found on the page");
  }, passage);
  await page.locator(W.ask).waitFor({ state: "visible" });
  await page.screenshot({ path: `${artifacts}/selection.png` });
  await page.locator(W.ask).click();
  check("selection_quoted", (await page.locator(".bt-quote").innerText()).includes(passage));
  const answer = await ask(page, "Why this voltage?");
  const text = await answer.locator(".bt-body").innerText();
  check("selection_sent_to_context_endpoint", requests.length === 1 && requests[0].selected_text === passage &&
    requests[0].doc_path === "basics/batteries.mdx" && requests[0].book_id === "mini", requests);
  check("selection_answered", text.includes("3.3 volts"), text.slice(0, 200));
  await context.close();
}

async function scenarioStop(browser) {
  const { context, page } = await newPage(browser);
  const cancels = [];
  page.on("response", (r) => { if (/\/runs\/[^/]+\/cancel$/.test(r.url())) cancels.push(r.status()); });
  await page.goto(`${base}/docs/intro`);
  await ready(page);
  await page.locator(W.launcher).click();
  await page.locator(W.input).fill("SLOW What is a gear ratio?");
  await page.locator(W.input).press("Enter");
  await page.waitForFunction(() => {
    const body = document.querySelector("#booktutor-widget").shadowRoot.querySelector("article.bt-assistant .bt-body");
    return body && body.textContent.length > 0;
  });
  await page.locator(W.stop).click();
  await page.locator(`${W.assistant} .bt-note`).waitFor();
  const note = await page.locator(`${W.assistant} .bt-note`).innerText();
  check("stop_cancels_run", cancels.includes(202) && note === "Stopped.", { cancels, note });
  const stopHidden = await page.locator(W.stop).waitFor({ state: "hidden", timeout: 5000 }).then(() => true, () => false);
  check("stop_button_hidden_after_stop", stopHidden);
  await page.screenshot({ path: `${artifacts}/stopped.png` });
  await context.close();
}

const CUT_STREAM_ONCE = () => {
  const realFetch = window.fetch.bind(window);
  window.__cut = false;
  window.fetch = async (input, init = {}) => {
    const response = await realFetch(input, init);
    if (window.__cut || !String(input).endsWith("/api/v1/agent/run") || !String(init.body).includes("SLOW")) return response;
    window.__cut = true;
    const reader = response.body.getReader();
    let chunks = 0;
    const body = new ReadableStream({
      async pull(controller) {
        const { value, done } = await reader.read();
        if (done) { controller.close(); return; }
        controller.enqueue(value);
        if (++chunks === 8) { await reader.cancel(); controller.error(new TypeError("network connection lost")); }
      },
    });
    return new Response(body, { status: response.status, headers: response.headers });
  };
};

const squash = (text) => text.replace(/\s+/g, " ").trim();

async function scenarioReconnect(browser) {
  const { context, page } = await newPage(browser);
  await page.addInitScript(CUT_STREAM_ONCE);
  const resumes = [];
  page.on("request", (r) => { if (r.url().endsWith("/stream")) resumes.push(r.headers()["last-event-id"]); });
  await page.goto(`${base}/docs/intro`);
  await ready(page);
  await page.locator(W.launcher).click();
  const answer = await ask(page, "SLOW: What is backlash in a gearbox?");
  const shown = await answer.evaluate((el) => el.querySelector(".bt-body").textContent);
  const stored = await page.evaluate(async () => {
    const thread = await window.BookTutor.client.thread(window.BookTutor.widget.threadId);
    return thread.messages.at(-1);
  });
  const rendered = await page.evaluate((markdown) => {
    const div = document.createElement("div");
    div.innerHTML = window.BookTutor.renderMarkdown(markdown.content, markdown.citations);
    return div.textContent;
  }, stored);
  check("reconnect_uses_last_event_id", (await page.evaluate(() => window.__cut)) && resumes.length >= 1 &&
    /^run-[0-9a-f]+:\d+$/.test(resumes[0] || ""), resumes);
  check("reconnect_completes_answer_without_gaps", stored.status === "complete" && squash(shown) === squash(rendered) && /backlash/i.test(shown),
    { shown: shown.slice(0, 300), stored: rendered.slice(0, 300), status: stored.status });
  await context.close();
}

async function scenarioErrorRetry(browser) {
  const { context, page } = await newPage(browser);
  await page.goto(`${base}/docs/intro`);
  await ready(page);
  await page.locator(W.launcher).click();
  await page.locator(W.input).fill("FLAKY What is backlash?");
  await page.locator(W.input).press("Enter");
  await page.locator(W.error).waitFor({ state: "visible" });
  const message = await page.locator(`${W.error} span`).innerText();
  check("error_is_friendly", message === "Sorry — the answer could not be completed." &&
    (await page.locator(W.error).getAttribute("role")) === "alert", message);
  await page.screenshot({ path: `${artifacts}/error.png` });
  await page.locator(W.retry).click();
  await page.waitForFunction(() => {
    const root = document.querySelector("#booktutor-widget").shadowRoot;
    const last = [...root.querySelectorAll("article.bt-assistant")].at(-1);
    return last && last.getAttribute("aria-busy") === "false" && /backlash/i.test(last.textContent);
  });
  check("retry_recovers", await page.locator(W.error).isHidden());
  await context.close();
}

async function scenarioUrdu(browser) {
  const { context, page } = await newPage(browser);
  await page.goto(`${base}/docs/intro`);
  await ready(page);
  await page.locator(W.launcher).click();
  await page.locator(W.language).selectOption("ur");
  check("widget_rtl_for_urdu", (await page.locator(W.root).getAttribute("dir")) === "rtl" &&
    (await page.locator(W.launcher).innerText()) === "کتاب سے پوچھیں");
  const requests = [];
  page.on("request", (r) => { if (r.url().endsWith("/api/v1/agent/run")) requests.push(r.postDataJSON()); });
  await ask(page, "حفاظتی اصول کیا ہیں؟");
  check("urdu_language_forwarded", requests[0]?.forwardedProps?.language === "ur", requests[0]?.forwardedProps);
  await page.screenshot({ path: `${artifacts}/widget-urdu.png` });

  await page.locator(".language-switch a[hreflang=ur]").click();
  await page.waitForURL(/\/ur\/docs\/intro$/);
  const html = await page.evaluate(() => ({ dir: document.documentElement.dir, lang: document.documentElement.lang }));
  const title = await page.locator("#chapter-content h1").innerText();
  check("site_urdu_is_rtl", html.dir === "rtl" && html.lang === "ur" && title.includes("ورکشاپ"), { html, title });
  await page.screenshot({ path: `${artifacts}/site-urdu.png`, fullPage: true });

  await page.goto(`${base}/ur/docs/basics/gears`);
  await page.locator("#chapter-notice").waitFor({ state: "visible" });
  await page.waitForFunction(() => !document.getElementById("chapter-notice").textContent.includes("looking for"));
  const notice = await page.locator("#chapter-notice").innerText();
  const content = await page.locator("#chapter-content").innerText();
  const contentLang = await page.locator("#chapter-content").getAttribute("lang");
  const translated = contentLang === "ur";
  const explained = contentLang === "en" && /not available in this language/.test(notice) && /backlash/i.test(content);
  check("missing_translation_degrades", translated || explained, { notice, contentLang });
  await context.close();
}

async function scenarioXss(browser) {
  const { context, page } = await newPage(browser);
  await page.goto(`${base}/docs/basics/firmware`);
  await ready(page);
  const article = await page.evaluate(() => {
    const content = document.getElementById("chapter-content");
    return { scripts: content.querySelectorAll("script, img, iframe").length,
      jsLinks: [...content.querySelectorAll("a")].filter((a) => /^\s*javascript:/i.test(a.getAttribute("href") || "")).length,
      text: content.innerText };
  });
  check("book_page_renders_payload_inert", article.scripts === 0 && article.jsLinks === 0 && article.text.includes("window.__xss"), article);

  await page.locator(W.launcher).click();
  const payload = '<img src=x onerror="window.__xss=1"><script>window.__xss=1</script> [click](javascript:window.__xss=1) What does flashing firmware print?';
  const answer = await ask(page, payload);
  const bubble = page.locator(W.user).last();
  const counts = await page.evaluate(() => {
    const root = document.querySelector("#booktutor-widget").shadowRoot;
    const messages = root.querySelector(".bt-messages");
    return { dangerous: messages.querySelectorAll("script, img, iframe, [onerror], [onclick]").length,
      jsLinks: [...messages.querySelectorAll("a")].filter((a) => /^\s*javascript:/i.test(a.getAttribute("href") || "")).length };
  });
  const answerText = await answer.innerText();
  await page.waitForTimeout(300);
  const xss = await page.evaluate(() => window.__xss);
  check("message_payload_shown_as_text", (await bubble.innerText()).includes("<img src=x onerror="), await bubble.innerText());
  check("book_chunk_payload_inert_in_answer", counts.dangerous === 0 && counts.jsLinks === 0 && /flashing firmware/i.test(answerText),
    { counts, answerText: answerText.slice(0, 400) });

  const quoted = await ask(page, "QUOTE_RAW what does the firmware manual say?");
  const quotedCounts = await quoted.evaluate((el) => ({
    dangerous: el.querySelectorAll("script, img, iframe, svg, [onerror], [onload], [srcdoc]").length,
    jsLinks: [...el.querySelectorAll("a")].filter((a) => !/^(\/|https?:)/i.test(a.getAttribute("href") || "/")).length,
    text: el.textContent }));
  check("model_payload_inert", quotedCounts.dangerous === 0 && quotedCounts.jsLinks === 0 &&
    quotedCounts.text.includes('<img src=x onerror="window.__xss=1">'), quotedCounts);
  check("no_script_ran", xss === undefined, xss);
  await page.screenshot({ path: `${artifacts}/xss.png` });
  await context.close();
}

async function focusedClass(page) {
  return page.evaluate(() => {
    const host = document.querySelector("#booktutor-widget");
    if (document.activeElement !== host) return `page:${document.activeElement?.tagName}`;
    const inner = host.shadowRoot.activeElement;
    return inner ? (inner.id || inner.className) : null;
  });
}

async function scenarioKeyboard(browser) {
  const { context, page } = await newPage(browser);
  await page.goto(`${base}/docs/intro`);
  await ready(page);
  let reached = false;
  for (let i = 0; i < 60 && !reached; i += 1) {
    await page.keyboard.press("Tab");
    reached = (await focusedClass(page)) === "bt-launcher";
  }
  check("keyboard_reaches_launcher", reached);
  await page.keyboard.press("Enter");
  check("open_moves_focus_to_input", (await focusedClass(page)) === "bt-input" &&
    (await page.locator(W.launcher).getAttribute("aria-expanded")) === "true");
  await page.keyboard.type("What is a gear ratio?");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => {
    const a = document.querySelector("#booktutor-widget").shadowRoot.querySelector("article.bt-assistant");
    return a && a.getAttribute("aria-busy") === "false";
  });
  const live = await page.locator(".bt-messages").evaluate((el) => [el.getAttribute("role"), el.getAttribute("aria-live")]);
  check("live_region_for_answers", live[0] === "log" && live[1] === "polite", live);
  check("focus_stays_in_input_after_answer", (await focusedClass(page)) === "bt-input");
  await page.screenshot({ path: `${artifacts}/keyboard.png` });
  await page.keyboard.press("Escape");
  check("escape_closes_and_restores_focus", (await page.locator(W.panel).isHidden()) && (await focusedClass(page)) === "bt-launcher");
  await context.close();
}

async function scenarioNarrow(browser) {
  const { context, page } = await newPage(browser, { viewport: { width: 375, height: 700 }, isMobile: true, hasTouch: true });
  await page.goto(`${base}/docs/basics/gears`);
  await ready(page);
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  await page.waitForFunction(() => Math.ceil(scrollY + innerHeight) >= document.documentElement.scrollHeight - 1);
  const launcher = await page.locator(W.launcher).boundingBox();
  const covered = await page.evaluate((l) => [...document.querySelectorAll("#chapter-content :is(p, h1, h2, h3, li, pre, table)")]
    .map((el) => el.getBoundingClientRect())
    .filter((r) => r.x < l.x + l.width && l.x < r.x + r.width && r.y < l.y + l.height && l.y < r.y + r.height).length, launcher);
  check("narrow_launcher_docked_and_covers_no_text", launcher.height <= 48 && Math.abs(launcher.y + launcher.height - 700) <= 1 && covered === 0,
    { launcher, covered });
  await page.locator(W.launcher).tap();
  const box = await page.locator(W.panel).boundingBox();
  check("panel_fits_narrow_viewport", box && box.x >= 0 && box.width <= 375 && box.y >= 0 && box.y + box.height <= 700, box);
  const answer = await ask(page, "What is backlash?");
  check("narrow_viewport_answers", /backlash/i.test(await answer.innerText()));
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
  check("page_has_no_horizontal_overflow", overflow);
  await page.screenshot({ path: `${artifacts}/narrow.png` });
  await context.close();
}

async function settled(page, n) {
  await page.waitForFunction((i) => document.querySelector("#booktutor-widget").shadowRoot
    .querySelectorAll("article.bt-assistant")[i]?.getAttribute("aria-busy") === "false", n);
  return page.locator(W.assistant).nth(n).innerText();
}

// A chat quiz: buttons under each open question (a choice per option, hint, stop) answer it by AG-UI resume.
async function scenarioQuizButtons(browser) {
  const { context, page } = await newPage(browser);
  await page.goto(`${base}/docs/basics/gears`);
  await ready(page);
  await page.locator(W.launcher).click();
  const asked = await (await ask(page, "Quiz me on gears")).innerText();
  const options = (text) => text.split("\n").filter((line) => /^[A-Z]\) /.test(line)).length;
  const buttons = async () => ({ groups: await page.locator(".bt-quiz").count(), choices: await page.locator(".bt-quiz .bt-choice").count(),
    hint: await page.locator(".bt-quiz .bt-hint").count(), stop: await page.locator(".bt-quiz .bt-stop-quiz").count() });
  const first = await buttons();
  check("quiz_question_has_buttons", /Question 1 of \d+/.test(asked) && first.groups === 1 && first.hint === 1 && first.stop === 1
    && first.choices === options(asked), { first, asked: asked.slice(0, 300) });
  let n = await page.locator(W.assistant).count();
  await page.locator(".bt-quiz .bt-hint").click();
  const hint = await settled(page, n);
  check("hint_button_gives_a_hint_and_keeps_the_question_open", /^Hint \d/.test(hint) && (await buttons()).groups === 1
    && (await page.locator(W.user).last().innerText()) === "Hint, please", hint.slice(0, 200));
  n += 1;
  let sent;
  if ((await buttons()).choices) {
    sent = await page.locator(".bt-quiz .bt-choice").first().innerText();
    await page.locator(".bt-quiz .bt-choice").first().click();
  } else {
    sent = "Backlash";
    await page.locator(W.input).fill(sent);
    await page.locator(W.input).press("Enter");
  }
  const graded = await settled(page, n);
  check("reply_grades_the_question", (await page.locator(W.user).last().innerText()) === sent
    && /The answer:|The model answer:|Question 2 of/.test(graded), { sent, graded: graded.slice(0, 300) });
  const next = await buttons();
  check("only_the_open_question_has_buttons", next.groups <= 1 && next.choices === options(graded), next);
  const shown = await page.locator(W.assistant).count();
  await page.reload();
  await ready(page);
  await page.waitForFunction((count) => document.querySelector("#booktutor-widget")?.shadowRoot
    ?.querySelectorAll("article.bt-assistant").length === count, shown);
  const reloaded = await buttons();
  check("open_question_keeps_its_buttons_after_reload", reloaded.groups === next.groups && reloaded.choices === next.choices, reloaded);
  if (next.choices) {
    await page.screenshot({ path: `${artifacts}/quiz.png` });
    n += 1;
    const label = await page.locator(".bt-quiz .bt-choice").nth(1).innerText();
    await page.locator(".bt-quiz .bt-choice").nth(1).click();
    const reply = await settled(page, n);
    check("choice_button_answers_by_letter", /^B\) /.test(label) && (await page.locator(W.user).last().innerText()) === label
      && /The answer:|Question \d of|complete/.test(reply), { label, reply: reply.slice(0, 300) });
  }
  if (await page.locator(".bt-quiz .bt-stop-quiz").count()) {
    n = await page.locator(W.assistant).count();
    await page.locator(".bt-quiz .bt-stop-quiz").click();
    const stopped = await settled(page, n);
    check("stop_button_ends_the_quiz", /Quiz stopped/.test(stopped) && (await buttons()).groups === 0, stopped);
  }
  await context.close();
}

async function scenarioPersonalize(browser) {
  const { context, page } = await newPage(browser);
  await page.goto(`${base}/docs/basics/gears`);
  await ready(page);
  await page.locator(".personalize summary").click();
  await page.locator("#personalize-form select[name=level]").selectOption("beginner");
  await page.locator("#personalize-form button[type=submit]").click();
  await page.waitForFunction(() => {
    const text = document.getElementById("chapter-notice").textContent;
    return text && text !== "Personalizing…";
  });
  const notice = await page.locator("#chapter-notice").innerText();
  const content = await page.locator("#chapter-content").innerText();
  check("personalize_shows_result_or_explains", /^Personalized for beginner|^Personalization is not available/.test(notice) && /backlash/i.test(content), notice);
  await context.close();
}

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
try {
  const scenarios = [scenarioAskCiteAndHistory, scenarioSelection, scenarioStop, scenarioReconnect,
    scenarioErrorRetry, scenarioUrdu, scenarioXss, scenarioKeyboard, scenarioNarrow, scenarioPersonalize, scenarioQuizButtons];
  // Sequential on purpose: the offline answerer is CPU-bound, so parallel scenarios only add timeouts.
  for (const scenario of scenarios) {
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
process.stdout.write(JSON.stringify({ checks, errors: pageErrors, timings }, null, 1));
process.exit(Object.values(checks).every((c) => c.ok) && pageErrors.length === 0 ? 0 : 1);
