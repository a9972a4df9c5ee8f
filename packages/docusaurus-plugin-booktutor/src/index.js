// docusaurus-plugin-booktutor: loads the booktutor widget from the booktutor server on every page,
// and gives the client module a map from each doc's URL to its source path (the widget's page context).
"use strict";

const path = require("node:path");
const { docPathsByPermalink } = require("./docs");

const NAME = "docusaurus-plugin-booktutor";

function pluginBooktutor(_context, options) {
  return {
    name: NAME,

    getClientModules() {
      return [path.resolve(__dirname, "client.js")];
    },

    async allContentLoaded({ allContent, actions }) {
      actions.setGlobalData({ docPaths: docPathsByPermalink(allContent, options.docsPluginId) });
    },

    injectHtmlTags() {
      const attributes = { src: options.widgetUrl, defer: true, "data-api": options.apiUrl, "data-book": options.bookId };
      return { headTags: [{ tagName: "script", attributes }] };
    },
  };
}

/** Docusaurus calls this with the options from docusaurus.config; the result is what the plugin receives. */
function validateOptions({ options = {} }) {
  const { apiUrl, bookId, widgetUrl, docsPluginId = "default", id = "default" } = options;
  if (typeof apiUrl !== "string" || !/^https?:\/\/[^/]+/i.test(apiUrl)) {
    throw new Error(`${NAME}: "apiUrl" must be the booktutor server's http(s) URL, e.g. "https://tutor.example.org".`);
  }
  if (typeof bookId !== "string" || !bookId.trim()) {
    throw new Error(`${NAME}: "bookId" must be the book's id on the booktutor server (booktutor ingest --book-id).`);
  }
  if (widgetUrl !== undefined && (typeof widgetUrl !== "string" || !/^(https?:\/\/|\/)/i.test(widgetUrl))) {
    throw new Error(`${NAME}: "widgetUrl" must be an http(s) URL or a path starting with "/".`);
  }
  const api = apiUrl.replace(/\/+$/, "");
  return { id, apiUrl: api, bookId: bookId.trim(), widgetUrl: widgetUrl || `${api}/widget.js`, docsPluginId };
}

module.exports = pluginBooktutor;
module.exports.validateOptions = validateOptions;
