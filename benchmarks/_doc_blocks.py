"""docs/benchmarks.md as hand-written text around generated blocks.

A generated block is everything between a `<!-- bench:NAME -->` line and its `<!-- /bench:NAME -->` line.
`merge` rewrites the inside of the blocks it has new text for and keeps every other line of the document
as it is, so notes written by hand between the blocks survive `make bench`. A block the document does not
have yet is appended at its end.
"""

from __future__ import annotations

import re

BLOCK = re.compile(r"^<!-- bench:(?P<name>[\w-]+) -->\n.*?^<!-- /bench:(?P=name) -->$", re.S | re.M)


def wrap(name: str, text: str) -> str:
    return f"<!-- bench:{name} -->\n{text.strip()}\n<!-- /bench:{name} -->"


def merge(doc: str, blocks: dict[str, str]) -> str:
    seen: set[str] = set()

    def replace(match: re.Match) -> str:
        seen.add(match["name"])
        return wrap(match["name"], blocks[match["name"]]) if match["name"] in blocks else match[0]

    merged = BLOCK.sub(replace, doc)
    missing = [wrap(name, text) for name, text in blocks.items() if name not in seen]
    if not missing:
        return merged
    return merged.rstrip("\n") + "\n\n" + "\n\n".join(missing) + "\n"
