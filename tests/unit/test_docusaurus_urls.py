"""Docusaurus' URL rules for docs, and the settings ingest reads from `docusaurus.config` without Node."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from booktutor.ingest.discover import discover_book
from booktutor.ingest.parse import parse_book
from booktutor.ingest.site_config import parse_site_config
from booktutor.markdown.urls import DocsSite, anchor_url, doc_permalink, doc_slug

TS_CONFIG = """\
import type * as Preset from "@docusaurus/preset-classic";
import type { Config } from "@docusaurus/types";
import { themes as prismThemes } from "prism-react-renderer";

// A comment with title: 'Not this' and a } brace
const owner = process.env.SITE_OWNER || "greenhouse-lab";
const project = 'plant-bots';

const config: Config = {
  title: "Plant Robots, \\"Field\\" Edition",
  tagline: `Robots for ${owner}`,
  url: `https://${owner}.example.org`,
  baseUrl: `/${project}/`,
  onBrokenLinks: "throw",
  i18n: { defaultLocale: "en", locales: ["en", "ur"] },
  presets: [
    [
      "classic",
      {
        docs: {
          sidebarPath: "./sidebars.ts",
          routeBasePath: "/", /* docs at the site's root */
          editUrl: ({docPath}) => `https://example.org/edit/${docPath}`,
        },
        blog: { routeBasePath: "news", showReadingTime: true },
        theme: { customCss: "./src/css/custom.css" },
      } satisfies Preset.Options,
    ],
  ],
  themeConfig: {
    navbar: { title: "Navbar title", items: [{ type: "docSidebar", label: "Book" }] },
    prism: { theme: prismThemes.github },
  } satisfies Preset.ThemeConfig,
};

export default config;
"""

JS_PLUGIN_CONFIG = """\
// @ts-check
module.exports = {
  title: 'Motors',
  baseUrl: process.env.BASE_URL ?? '/motors/',
  presets: [['@docusaurus/preset-classic', {docs: false, blog: false}]],
  plugins: [
    ['@docusaurus/plugin-content-docs', {id: 'api', path: 'api', routeBasePath: 'api'}],
    ['@docusaurus/plugin-content-docs', {path: 'book', routeBasePath: 'learn/'}],
  ],
};
"""


def test_typescript_config_read_statically() -> None:
    config = parse_site_config(TS_CONFIG)
    assert config.title == 'Plant Robots, "Field" Edition'
    assert config.docs == DocsSite(base_url="/plant-bots/", route_base_path="")
    assert config.default_locale == "en"
    assert config.docs_path == "docs"


def test_docs_plugin_of_the_default_instance_and_env_defaults() -> None:
    config = parse_site_config(JS_PLUGIN_CONFIG)
    assert config.title == "Motors"
    assert config.docs == DocsSite(base_url="/motors/", route_base_path="learn")
    assert config.docs_path == "book"


@pytest.mark.parametrize(
    "text",
    ["", "export default async function createConfig() { return await load(); }", "module.exports = require('./x')"],
)
def test_unreadable_configs_give_docusaurus_defaults(text: str) -> None:
    config = parse_site_config(text)
    assert config.title is None
    assert config.docs == DocsSite()


def test_unknown_values_keep_defaults_and_unbalanced_text_ends() -> None:
    config = parse_site_config("export default { title: getTitle(), baseUrl: `/${unknown}/`, presets: [ ) ] ")
    assert config.title is None
    assert config.docs == DocsSite()


SLUG_CASES = [
    ("intro.md", {}, "/intro"),
    ("01-intro.md", {}, "/intro"),
    ("2023-01-05-notes.md", {}, "/2023-01-05-notes"),  # date-like: not a number prefix
    ("1.2-release.md", {}, "/1.2-release"),  # version-like
    ("02-basics/03-gears.md", {}, "/basics/gears"),
    ("02-basics/index.md", {}, "/basics"),
    ("02-basics/README.mdx", {}, "/basics"),
    ("basics/basics.md", {}, "/basics"),  # named like its folder: the folder's page
    ("index.md", {}, "/"),
    ("02-basics/03-gears.md", {"id": "gear-trains"}, "/basics/gear-trains"),
    ("02-basics/index.md", {"id": "overview"}, "/basics"),  # an index stays the folder's page
    ("02-basics/03-gears.md", {"slug": "/mechanics/gears"}, "/mechanics/gears"),
    ("02-basics/03-gears.md", {"slug": "cogs"}, "/basics/cogs"),
    ("02-basics/03-gears.md", {"slug": "../cogs", "id": "ignored"}, "/cogs"),
    ("02-basics/03-gears.md", {"slug": "./deep/cogs"}, "/basics/deep/cogs"),
    ("02-basics/index.md", {"slug": "start"}, "/basics/start"),
    ("welcome.md", {"slug": "/"}, "/"),
    ("02-basics/02-basics.md", {}, "/basics"),
]


@pytest.mark.parametrize(("source_path", "front_matter", "slug"), SLUG_CASES)
def test_slugs_follow_docusaurus(source_path: str, front_matter: dict[str, str], slug: str) -> None:
    assert doc_slug(source_path, front_matter) == slug


def test_permalinks_put_base_url_locale_and_route_base_path_in_order() -> None:
    site = DocsSite(base_url="/plant-bots/", route_base_path="")
    assert doc_permalink("01-intro.md", {}, language="en", default_language="en", site=site) == "/plant-bots/intro"
    assert doc_permalink("01-intro.md", {}, language="ur", default_language="en", site=site) == "/plant-bots/ur/intro"
    assert doc_permalink("index.md", {}, language="en", default_language="en", site=site) == "/plant-bots"
    assert doc_permalink("a/b.md", {}, language="ur", default_language="en") == "/ur/docs/a/b"
    stored = "/plant-bots/ur/intro"
    assert anchor_url("x.md", {}, "h", language="ur", default_language="en", permalink=stored) == f"{stored}#h"
    # rows stored before permalinks (a bare slug) fall back to Docusaurus' defaults
    assert anchor_url("a/b.md", {"id": "c"}, "", language="en", default_language="en", permalink="a/b") == "/docs/a/c"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_ingest_parse_stores_each_documents_permalink(tmp_path: Path) -> None:
    site = tmp_path / "site"
    _write(site / "docusaurus.config.ts", TS_CONFIG)
    _write(site / "docs" / "01-intro.md", "# Intro\n\nWelcome to the book.\n")
    _write(site / "docs" / "02-basics" / "03-gears.md", "---\nid: gear-trains\n---\n# Gears\n\nTeeth mesh.\n")
    urdu = site / "i18n" / "ur" / "docusaurus-plugin-content-docs" / "current"
    _write(urdu / "01-intro.md", "---\nslug: /shuru\n---\n# تعارف\n\nکتاب میں خوش آمدید۔\n")
    book = discover_book(site)
    assert book.title == 'Plant Robots, "Field" Edition'
    documents, problems = parse_book(book)
    assert problems == []
    slugs = {(d.language, d.source_path): d.slug for d in documents}
    assert slugs == {
        ("en", "01-intro.md"): "/plant-bots/intro",
        ("en", "02-basics/03-gears.md"): "/plant-bots/basics/gear-trains",
        ("ur", "01-intro.md"): "/plant-bots/ur/shuru",
    }


def test_docs_folder_and_default_locale_from_config(tmp_path: Path) -> None:
    site = tmp_path / "site"
    config = JS_PLUGIN_CONFIG.replace("title: 'Motors',", "title: 'Motors', i18n: {defaultLocale: 'ur'},")
    _write(site / "docusaurus.config.js", config)
    _write(site / "book" / "a.md", "# A\n\nText.\n")
    _write(site / "docs" / "not-the-book.md", "# No\n\nText.\n")
    book = discover_book(site)
    assert book.default_language == "ur"
    assert [f.source_path for f in book.files()] == ["a.md"]
    documents, _ = parse_book(book)
    assert [d.slug for d in documents] == ["/motors/learn/a"]


DOCUSAURUS_DOCS = Path(__file__).parents[1] / "fixtures" / "docusaurus_site" / "node_modules" / "@docusaurus"
GET_SLUG = """
const [slugJs, prefixJs, cases] = process.argv.slice(1);
const getSlug = require(slugJs).default;
const {DefaultNumberPrefixParser} = require(prefixJs);
const path = require("path");
const out = JSON.parse(cases).map(([source, fm]) => {
  const dir = path.posix.dirname(source);
  const baseID = fm.id ?? DefaultNumberPrefixParser(path.posix.parse(source).name).filename;
  return getSlug({baseID, frontMatterSlug: fm.slug, source: `@site/docs/${source}`, sourceDirName: dir});
});
console.log(JSON.stringify(out));
"""


@pytest.mark.needs("node", "docusaurus")
def test_slug_rules_agree_with_docusaurus_itself() -> None:
    """The same cases through Docusaurus' own getSlug (the test site's install): a new Docusaurus that
    changes its rules fails here. Docusaurus ends a folder's page with a slash; links here never do."""
    lib = DOCUSAURUS_DOCS / "plugin-content-docs" / "lib"
    cases = json.dumps([[source, front_matter] for source, front_matter, _ in SLUG_CASES])
    command = ["node", "-e", GET_SLUG, str(lib / "slug.js"), str(lib / "numberPrefix.js"), cases]
    theirs = json.loads(subprocess.run(command, capture_output=True, text=True, check=True, timeout=60).stdout)
    ours = [doc_slug(source, front_matter) for source, front_matter, _ in SLUG_CASES]
    assert [slug.rstrip("/") or "/" for slug in theirs] == ours
