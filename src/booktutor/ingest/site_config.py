"""What ingest needs from a site's `docusaurus.config.(ts|js|mjs)`, read without running it.

A config is a program (TypeScript often, importing packages the book's site installed), so it is
read statically: a small tokenizer and a tolerant reader of object and array literals. Strings,
template literals whose `${name}` parts are top-level string constants, `process.env.X || "default"`
(the default) and `satisfies`/`as` casts are understood; anything else is skipped and its setting
keeps Docusaurus' default. Read: `title`, `baseUrl`, `i18n.defaultLocale`, and the docs plugin's
`routeBasePath` and `path` (from the classic preset or a default-instance `plugin-content-docs`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from booktutor.markdown.urls import DocsSite

CONFIG_FILES = ("docusaurus.config.ts", "docusaurus.config.js", "docusaurus.config.mjs", "docusaurus.config.cjs")
_MAX_CONFIG_BYTES = 1_000_000
_SKIP = object()  # a value this reader does not understand

_TOKEN = re.compile(
    r"""
    (?P<space>\s+|//[^\n]*|/\*.*?\*/)
  | (?P<string>'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*")
  | (?P<template>`(?:\\.|\$\{[^}]*\}|[^`\\$]|\$(?!\{))*`)
  | (?P<number>\d+(?:\.\d+)?)
  | (?P<name>[A-Za-z_$][\w$]*)
  | (?P<op>\.\.\.|\|\||\?\?|=>|[{}\[\](),:;=.?<>!&|+\-*/%^~@#])
    """,
    re.VERBOSE | re.DOTALL,
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0"}


@dataclass(frozen=True, slots=True)
class SiteConfig:
    """The settings of a Docusaurus site that decide its book's title and its pages' URLs."""

    title: str | None = None
    docs: DocsSite = DocsSite()
    default_locale: str | None = None
    docs_path: str = "docs"
    file: str | None = None  # the config file read, relative to the site root
    sidebar_path: str | None = None  # the docs plugin's `sidebarPath` when it is a plain string
    sidebars_off: bool = False  # `sidebarPath: false`: the site has no sidebar file


def read_site_config(root: Path) -> SiteConfig:
    """The config of the site at `root`; defaults when it has none or it cannot be read."""
    for name in CONFIG_FILES:
        path = root / name
        if path.is_file() and not path.is_symlink() and path.stat().st_size <= _MAX_CONFIG_BYTES:
            try:
                text = path.read_text("utf-8-sig")
            except (OSError, UnicodeDecodeError):
                continue
            return parse_site_config(text, file=name)
    return SiteConfig()


def parse_site_config(text: str, *, file: str | None = None) -> SiteConfig:
    reader = _Reader(_tokenize(text))
    config = reader.find_config()
    if config is None:
        return SiteConfig(file=file)
    docs = _docs_options(config)
    i18n = config.get("i18n")
    locale = i18n.get("defaultLocale") if isinstance(i18n, dict) else None
    return SiteConfig(
        title=_text(config.get("title")),
        docs=DocsSite(
            base_url=_text(config.get("baseUrl")) or "/",
            route_base_path=_route(docs.get("routeBasePath")),
        ),
        default_locale=_text(locale),
        docs_path=_text(docs.get("path")) or "docs",
        file=file,
        sidebar_path=_text(docs.get("sidebarPath")),
        sidebars_off=docs.get("sidebarPath") is False,
    )


def object_literals(text: str) -> Iterator[dict[str, Any]]:
    """The object literals of a JavaScript/TypeScript file, read without running it (see the module doc)."""
    return _Reader(_tokenize(text)).objects()


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _route(value: Any) -> str:
    return value.strip().strip("/") if isinstance(value, str) else "docs"


def _docs_options(config: dict[str, Any]) -> dict[str, Any]:
    """The default docs plugin's options: the classic preset's `docs`, or a `plugin-content-docs`."""
    for entry in _list(config.get("presets")):
        name, options = _plugin_entry(entry)
        if name and "classic" in name and isinstance(options.get("docs"), dict):
            return dict(options["docs"])
    for entry in _list(config.get("plugins")):
        name, options = _plugin_entry(entry)
        if name and "plugin-content-docs" in name and options.get("id", "default") == "default":
            return options
    return {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _plugin_entry(entry: Any) -> tuple[str | None, dict[str, Any]]:
    if isinstance(entry, str):
        return entry, {}
    if isinstance(entry, list) and entry and isinstance(entry[0], str):
        options = entry[1] if len(entry) > 1 and isinstance(entry[1], dict) else {}
        return entry[0], options
    return None, {}


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:  # a character no rule knows (a regex literal's body, say): skip it
            position += 1
            continue
        kind = match.lastgroup or "op"
        if kind != "space":
            tokens.append((kind, match.group()))
        position = match.end()
    return tokens


def _unquote(literal: str) -> str:
    body = literal[1:-1]
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), body)


class _Reader:
    """Reads object/array literals out of a token list; expressions it does not know become _SKIP."""

    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.at = 0
        self.constants: dict[str, str] = {}

    def find_config(self) -> dict[str, Any] | None:
        """The first object literal with a `baseUrl` at its top level, else the first with a `title`."""
        titled = None
        for found in self.objects():
            if "baseUrl" in found:
                return found
            if titled is None and "title" in found:
                titled = found
        return titled

    def objects(self) -> Iterator[dict[str, Any]]:
        """Every object literal of the file, outermost first (nested ones are yielded again on their own)."""
        self._collect_constants()
        for start, (kind, value) in enumerate(self.tokens):
            if kind == "op" and value == "{":
                self.at = start
                found = self._value()
                if isinstance(found, dict):
                    yield found

    def _collect_constants(self) -> None:
        """`const name = "text"` (or a template, or `process.env.X || "text"`) anywhere in the file."""
        for index, (kind, value) in enumerate(self.tokens[:-3]):
            if kind == "name" and value in {"const", "let", "var"} and self.tokens[index + 2] == ("op", "="):
                name_kind, name = self.tokens[index + 1]
                self.at = index + 3
                found = self._value()
                if name_kind == "name" and isinstance(found, str):
                    self.constants[name] = found

    def _peek(self) -> tuple[str, str]:
        return self.tokens[self.at] if self.at < len(self.tokens) else ("end", "")

    def _value(self) -> Any:
        """One value; then any `|| x`, `?? x`, `satisfies T` or `as T` after it is consumed."""
        kind, token = self._peek()
        value: Any
        if token == "{" and kind == "op":
            value = self._object()
        elif token == "[" and kind == "op":
            value = self._array()
        elif kind == "string":
            self.at += 1
            value = _unquote(token)
        elif kind == "template":
            self.at += 1
            value = self._template(token)
        elif kind == "name" and token in {"true", "false"}:
            self.at += 1
            value = token == "true"
        else:
            value = self._skip_expression()
        return self._tail(value)

    def _tail(self, value: Any) -> Any:
        kind, token = self._peek()
        if kind == "op" and token in {"||", "??"}:
            self.at += 1
            fallback = self._value()
            return fallback if value is _SKIP or value in ("", None) else value
        if kind == "name" and token in {"satisfies", "as"}:
            self._skip_expression()
        return value

    def _template(self, literal: str) -> Any:
        parts = re.split(r"\$\{([^}]*)\}", literal[1:-1])
        out = []
        for index, part in enumerate(parts):
            if index % 2 == 0:
                out.append(_unquote(f"`{part}`"))
            elif part.strip() in self.constants:
                out.append(self.constants[part.strip()])
            else:
                return _SKIP
        return "".join(out)

    def _object(self) -> dict[str, Any]:
        self.at += 1  # {
        found: dict[str, Any] = {}
        while True:
            kind, token = self._peek()
            if kind == "end" or (kind == "op" and token == "}"):
                self.at += 1
                return found
            if kind == "op" and token == ",":
                self.at += 1
                continue
            before = self.at
            if kind in {"name", "string", "number"} and self._next_is(":"):
                self.at += 2
                found[_unquote(token) if kind == "string" else token] = self._value()
            else:  # a spread, a shorthand property, a method, a computed key: skipped
                self._skip_expression()
            self.at = max(self.at, before + 1)  # a stray `)` must not stop the reader

    def _array(self) -> list[Any]:
        self.at += 1  # [
        items: list[Any] = []
        while True:
            kind, token = self._peek()
            if kind == "end" or (kind == "op" and token == "]"):
                self.at += 1
                return items
            if kind == "op" and token == ",":
                self.at += 1
                continue
            before = self.at
            items.append(self._value())
            self.at = max(self.at, before + 1)

    def _next_is(self, op: str) -> bool:
        return self.at + 1 < len(self.tokens) and self.tokens[self.at + 1] == ("op", op)

    def _skip_expression(self) -> object:
        """Skip to the `,` or closing bracket that ends this expression; brackets inside are balanced."""
        depth = 0
        start = self.at
        while self.at < len(self.tokens):
            kind, token = self.tokens[self.at]
            if kind == "op" and token in "([{":
                depth += 1
            elif kind == "op" and token in ")]}":
                if depth == 0:
                    break
                depth -= 1
            elif depth == 0 and kind == "op" and (token in {",", ";"} or (token in {"||", "??"} and self.at > start)):
                break
            self.at += 1
        return _SKIP
