"""The goal summary of `make bench` (benchmarks/summary.py) from saved results."""

from __future__ import annotations

from benchmarks import summary


def _search(modes: dict[int, dict]) -> dict:
    return {
        "goals_p95_ms": {"10000": 30.0, "100000": 100.0},
        "sizes": [{"chunks": size, "modes": timed} for size, timed in modes.items()],
    }


def test_hybrid_search_goals_are_judged_by_the_hybrid_p95():
    rows = summary.rows({"search_latency": _search({10_000: {"hybrid": {"p95": 25.0}}})})
    assert [(goal.split(" at ")[1][:3], value, met) for _, (goal, value, _, met) in rows] == [
        ("10k", 25.0, True),
        ("100", None, None),  # 100k not measured
    ]


def test_a_search_run_without_the_hybrid_mode_shows_the_goal_unmeasured():
    results = {"search_latency": _search({10_000: {"fulltext": {"p95": 12.0}}})}
    assert [(value, met) for _, (_, value, _, met) in summary.rows(results)] == [(None, None), (None, None)]
    assert any("| – |" in line for line in summary.render(results))
