// docusaurus-plugin-booktutor's server side without a Docusaurus build: options, the injected script,
// the URL → doc path map (baseUrl, routeBasePath, slugs, versions, translations) and the packed files.
// Run: node --test tests/node/docusaurus_plugin.test.mjs
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { test } from "node:test";

const require = createRequire(import.meta.url);
const PACKAGE = new URL("../../packages/docusaurus-plugin-booktutor/", import.meta.url);
const plugin = require(new URL("src/index.js", PACKAGE).pathname);
const { docPathsByPermalink, normalisePermalink } = require(new URL("src/docs.js", PACKAGE).pathname);

const validate = (options) => plugin.validateOptions({ options, validate: () => { throw new Error("not used"); } });

test("options: apiUrl and bookId are required; widgetUrl defaults to the server's /widget.js", () => {
  assert.deepEqual(validate({ apiUrl: "https://tutor.example.org/", bookId: " garden " }), {
    id: "default", apiUrl: "https://tutor.example.org", bookId: "garden",
    widgetUrl: "https://tutor.example.org/widget.js", docsPluginId: "default",
  });
  const selfHosted = validate({ apiUrl: "http://127.0.0.1:8000", bookId: "b", widgetUrl: "/js/widget.js", docsPluginId: "guide" });
  assert.equal(selfHosted.widgetUrl, "/js/widget.js");
  assert.equal(selfHosted.docsPluginId, "guide");
  assert.throws(() => validate({ bookId: "b" }), /"apiUrl"/);
  assert.throws(() => validate({ apiUrl: "tutor.example.org", bookId: "b" }), /"apiUrl"/);
  assert.throws(() => validate({ apiUrl: "https://t.example" }), /"bookId"/);
  assert.throws(() => validate({ apiUrl: "https://t.example", bookId: "b", widgetUrl: "javascript:alert(1)" }), /"widgetUrl"/);
});

test("every page gets one deferred widget script pointing at the API, and a client module", () => {
  const instance = plugin({}, validate({ apiUrl: "https://tutor.example.org", bookId: "garden" }));
  assert.equal(instance.name, "docusaurus-plugin-booktutor");
  assert.deepEqual(instance.injectHtmlTags(), { headTags: [{ tagName: "script", attributes: {
    src: "https://tutor.example.org/widget.js", defer: true, "data-api": "https://tutor.example.org", "data-book": "garden" } }] });
  const [clientModule] = instance.getClientModules();
  assert.ok(existsSync(clientModule) && clientModule.endsWith("client.js"));
});

const doc = (permalink, source, sourceDirName) => ({ permalink, source, sourceDirName });
const ALL_CONTENT = {
  "docusaurus-plugin-content-docs": {
    default: { loadedVersions: [
      { versionName: "current", docs: [
        doc("/book/guide/", "@site/docs/index.md", "."),
        doc("/book/guide/intro", "@site/docs/intro.md", "."),
        doc("/book/guide/sensors/lidar/", "@site/docs/02-sensors/01-lidar.mdx", "02-sensors"),
        doc("/book/guide/start-here", "@site/docs/basics/welcome.md", "basics"),
        doc("/book/guide/تعارف", "@site/docs/ur-notes/intro.md", "ur-notes"),
      ] },
      { versionName: "1.0", docs: [doc("/book/guide/1.0/intro", "@site/versioned_docs/version-1.0/intro.md", ".")] },
    ] },
    community: { loadedVersions: [{ versionName: "current", docs: [doc("/book/community/faq", "@site/community/faq.md", ".")] }] },
  },
};

test("doc URLs (baseUrl, routeBasePath, slugs, versions already applied) map to paths in the docs folder", () => {
  assert.deepEqual(docPathsByPermalink(ALL_CONTENT), {
    "/book/guide": "index.md",
    "/book/guide/intro": "intro.md",
    "/book/guide/sensors/lidar": "02-sensors/01-lidar.mdx",
    "/book/guide/start-here": "basics/welcome.md",
    "/book/guide/تعارف": "ur-notes/intro.md",
    "/book/guide/1.0/intro": "intro.md",
  });
  assert.deepEqual(docPathsByPermalink(ALL_CONTENT, "community"), { "/book/community/faq": "faq.md" });
  assert.deepEqual(docPathsByPermalink({}, "default"), {});
});

test("a translated doc maps to the same path as its original", () => {
  const localized = { "docusaurus-plugin-content-docs": { default: { loadedVersions: [{ docs: [
    doc("/book/ur/guide/sensors/lidar", "@site/i18n/ur/docusaurus-plugin-content-docs/current/02-sensors/01-lidar.mdx", "02-sensors"),
  ] }] } } };
  assert.deepEqual(docPathsByPermalink(localized), { "/book/ur/guide/sensors/lidar": "02-sensors/01-lidar.mdx" });
});

test("URLs compare without a trailing slash and decoded, as location.pathname is encoded", () => {
  assert.equal(normalisePermalink("/book/guide/intro/"), "/book/guide/intro");
  assert.equal(normalisePermalink("/book/guide/%D8%AA%D8%B9%D8%A7%D8%B1%D9%81"), "/book/guide/تعارف");
  assert.equal(normalisePermalink("/"), "/");
  assert.equal(normalisePermalink("/bad/%E0%A4%A"), "/bad/%E0%A4%A");
});

test("the npm package ships the plugin sources and its README, nothing else", () => {
  const [packed] = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: PACKAGE, encoding: "utf8" }));
  assert.equal(packed.name, "docusaurus-plugin-booktutor");
  assert.deepEqual(packed.files.map((f) => f.path).sort(), ["README.md", "package.json", "src/client.js", "src/docs.js", "src/index.js"]);
});
