// From the docs plugin's loaded content: every doc's URL (with the site's baseUrl, the docs
// routeBasePath and any version or slug already applied by Docusaurus) → its path in the docs folder.
"use strict";

const DOCS_PLUGIN = "docusaurus-plugin-content-docs";

/** `/base/docs/intro/` and `/base/docs/intro` are one page: no trailing slash, decoded. */
function normalisePermalink(permalink) {
  let decoded = permalink;
  try {
    decoded = decodeURI(permalink);
  } catch {
    // keep a malformed URL as it is
  }
  return decoded.length > 1 ? decoded.replace(/\/+$/, "") : decoded;
}

/** The doc's file relative to its docs folder (`sensors/lidar.md`): booktutor's `doc_path`. */
function docPathOf(doc) {
  const file = doc.source.split("/").pop();
  return !doc.sourceDirName || doc.sourceDirName === "." ? file : `${doc.sourceDirName}/${file}`;
}

function docPathsByPermalink(allContent, docsPluginId = "default") {
  const content = allContent?.[DOCS_PLUGIN]?.[docsPluginId];
  const map = {};
  for (const version of content?.loadedVersions ?? []) {
    for (const doc of version.docs) map[normalisePermalink(doc.permalink)] = docPathOf(doc);
  }
  return map;
}

module.exports = { docPathsByPermalink, docPathOf, normalisePermalink };
