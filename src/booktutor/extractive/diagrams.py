"""What a flowchart says, in words: course books often state a fact only in a Mermaid diagram
(which method yields what, which symptom points at which fix), and the answerer cannot quote
diagram source. A flowchart's edges read as short lines, "Robot tipping over? → Yes: Check the
centre of mass", that can be scored and shown like a code excerpt.

Only flowcharts (`graph`, `flowchart`) are read; other diagram kinds (sequence, class, state,
timeline, …) stay unquoted. Styling, classes and subgraph frames carry no statement and are skipped.
"""

from __future__ import annotations

import re

MAX_DIAGRAM_LINES = 8
"""A flowchart longer than this is read in windows of this many edges, like a long code stanza."""

_FLOWCHART = re.compile(r"^\s*(?:graph|flowchart)\b", re.IGNORECASE)
_SKIPPED = re.compile(r"^\s*(?:graph|flowchart|subgraph|end\b|style|classDef|class\s|click|linkStyle|direction|%%)")
_NODE = re.compile(
    r"(?P<id>[A-Za-z_][\w-]*)\s*(?:\[\[|\[\(|\(\[|\(\(|\{\{|\[/|\[\\|\[|\(|\{|>)"
    r"(?P<label>[^\[\](){}]*?)(?:\]\]|\)\]|\]\)|\)\)|\}\}|/\]|\\\]|\]|\)|\})"
)
_ARROW = re.compile(
    r"\s*(?P<both><)?(?:--\s*(?P<inline>[^->|][^->]*?)\s*)?"  # 'A -- yes --> B'; 'A <--> B' both ways
    r"(?:-->|==>|-\.->|---|--[ox]|->)(?:\|(?P<label>[^|]*)\|)?\s*"  # 'A -->|yes| B'
)
_MARKUP = re.compile(r"<br\s*/?>|<[^>]+>|[\"`*]")


def diagram_lines(source: str) -> list[str]:
    """The flowchart's edges as 'From → To' lines ('From → label: To' when the edge is labelled), in
    the diagram's order, each edge once; [] for any other diagram."""
    lines = source.splitlines()
    if not any(_FLOWCHART.match(line) for line in lines[:3]):
        return []
    labels = _labels(lines)
    edges: list[str] = []
    for line in lines:
        if _SKIPPED.match(line):
            continue
        for edge in _edges(_NODE.sub(lambda m: m.group("id"), line.strip()), labels):
            if edge not in edges:
                edges.append(edge)
    return edges


def diagram_windows(source: str) -> list[str]:
    """The flowchart's edge lines in windows of at most `MAX_DIAGRAM_LINES` (none for a one-edge chart)."""
    edges = diagram_lines(source)
    if len(edges) < 2:
        return []
    return ["\n".join(edges[i : i + MAX_DIAGRAM_LINES]) for i in range(0, len(edges), MAX_DIAGRAM_LINES)]


def _labels(lines: list[str]) -> dict[str, str]:
    """Each node id's label, from wherever the node is first given one."""
    labels: dict[str, str] = {}
    for line in lines:
        if _SKIPPED.match(line):
            continue
        for match in _NODE.finditer(line):
            label = _clean(match.group("label"))
            if label:
                labels.setdefault(match.group("id"), label)
    return labels


def _edges(line: str, labels: dict[str, str]) -> list[str]:
    """The edges of one line ('A --> B -->|yes| C' holds two), with node ids named by their labels."""
    parts = _ARROW.split(line)
    # split() with three groups yields: node, both, inline, label, node, both, inline, label, node, ...
    nodes, arrows = parts[::4], ["↔" if both else "→" for both in parts[1::4]]
    edge_labels = [_clean(a or b or "") for a, b in zip(parts[2::4], parts[3::4], strict=True)]
    names = [_name(node, labels) for node in nodes]
    return [
        f"{a} {arrow} {label}: {b}" if label else f"{a} {arrow} {b}"
        for a, b, arrow, label in zip(names, names[1:], arrows, edge_labels, strict=False)
        if a and b
    ]


def _name(node: str, labels: dict[str, str]) -> str:
    """A node (or 'A & B') named by its labels."""
    ids = [part.strip() for part in node.split("&")]
    return " & ".join(labels.get(i, i) for i in ids if i)


def _clean(label: str) -> str:
    return " ".join(_MARKUP.sub(" ", label).split())
