"""A flowchart's edges read as lines (extractive.diagrams)."""

from __future__ import annotations

from booktutor.extractive.diagrams import diagram_lines


def test_a_two_way_edge_reads_both_ways_between_its_labels() -> None:
    source = "graph LR\n    A[Warehouse Robot] <-->|Mirror| B[Shadow Model]\n    C[Logs] <--> A\n    B --> D[Plans]\n"
    assert diagram_lines(source) == [
        "Warehouse Robot ↔ Mirror: Shadow Model",
        "Logs ↔ Warehouse Robot",
        "Shadow Model → Plans",
    ]
