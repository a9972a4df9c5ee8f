"""Eval metrics against hand-computed examples."""

from __future__ import annotations

import math

import pytest

from booktutor.evals import metrics as m
from booktutor.evals.report import check_thresholds, diff_reports


def test_ranks_dedupe_and_hits():
    retrieved = m.dedupe(["a.md", "b.md", "a.md", "", "c.md"])
    assert retrieved == ["a.md", "b.md", "c.md"]
    ranks = m.relevant_ranks(retrieved, ["c.md", "b.md"])
    assert ranks == [2, 3]
    assert m.hit_at(ranks, 1) == 0.0 and m.hit_at(ranks, 5) == 1.0
    assert m.recall_at(ranks, 2, 2) == 0.5
    assert m.mrr_at(ranks, 10) == 0.5 and m.mrr_at(ranks, 1) == 0.0


def test_ndcg_binary_gains():
    # relevant at ranks 2 and 3 of 2 relevant docs: (1/log2 3 + 1/log2 4) / (1 + 1/log2 3)
    expected = (1 / math.log2(3) + 0.5) / (1 + 1 / math.log2(3))
    assert m.ndcg_at([2, 3], 2, 10) == pytest.approx(expected)
    assert m.ndcg_at([1], 1, 10) == 1.0
    assert m.ndcg_at([], 1, 10) == 0.0


def test_citation_precision_and_keyword_recall():
    assert m.citation_precision(["a.md", "a.md", "b.md", ""], ["a.md"]) == 0.5
    assert m.citation_precision([""], ["a.md"]) is None
    assert m.keyword_recall("Gears trade SPEED for torque", ["speed", "torque", "ratio"]) == pytest.approx(2 / 3)
    assert m.keyword_recall("anything", []) is None


def test_faithfulness_counts_supported_sentences():
    source = "Gears trade speed for torque. A small gear drives a large gear slowly."
    answer = "Gears trade speed for torque. [1] Batteries store chemical energy safely. [2]"
    assert m.faithfulness(answer, [source]) == 0.5
    assert m.faithfulness("Ok. [1]", [source]) is None


def test_faithfulness_ignores_the_tutors_navigation_lines():
    source = "Gears trade speed for torque. A small gear drives a large gear slowly."
    answer = (
        "Gears trade speed for torque. [1]\n\n"
        "Practice: [Lab 4: Build a reduction gearbox](/docs/gears#lab-4)\n"
        "See also: [Belts and pulleys](/docs/belts), [Chains](/docs/chains)"
    )
    assert m.faithfulness(answer, [source]) == 1.0
    claim = "Batteries store energy, see [Cells and packs](/docs/cells) for chemistry details."
    assert m.faithfulness(f"Gears trade speed for torque. [1]\n{claim}", [source]) == 0.5


def test_case_scores_for_answerable_and_unanswerable():
    unanswerable = m.case_scores(
        ranks=[], relevant=[], answerable=False, abstained=True, cited_paths=[], answer="", keywords=[], sources=[]
    )
    assert unanswerable["abstention_accuracy"] == 1.0 and unanswerable["hit@1"] is None
    answered = m.case_scores(
        ranks=[1],
        relevant=["a.md"],
        answerable=True,
        abstained=False,
        cited_paths=["a.md"],
        answer="Gears trade speed for torque. [1]",
        keywords=["torque"],
        sources=["Gears trade speed for torque."],
    )
    assert answered["hit@1"] == 1.0 and answered["false_abstention_rate"] == 0.0
    assert answered["citation_precision"] == 1.0 and answered["faithfulness"] == 1.0
    assert answered["abstention_accuracy"] is None


def test_aggregate_means_applicable_scores_and_latency_percentiles():
    scores = [
        {"hit@1": 1.0, "abstention_accuracy": None},
        {"hit@1": 0.0, "abstention_accuracy": None},
        {"hit@1": None, "abstention_accuracy": 1.0},
    ]
    result = m.aggregate(scores, [100.0, 200.0, 300.0])
    assert result["hit@1"] == 0.5 and result["abstention_accuracy"] == 1.0
    assert result["latency_p50_ms"] == 200.0 and result["mrr@10"] is None
    assert set(result) == set(m.METRICS)


def test_bootstrap_ci_shape_and_bounds():
    values = [1.0] * 30 + [0.0] * 10
    low, high = m.bootstrap_ci(values, resamples=500)
    assert 0.0 <= low < 0.75 < high <= 1.0
    assert m.bootstrap_ci([], resamples=10) is None
    assert m.bootstrap_ci([5.0, 5.0], stat="percentile", q=95, resamples=10) == (5.0, 5.0)
    cis = m.metric_cis([{"hit@1": 1.0}], [10.0], resamples=10)
    assert set(cis) == set(m.METRICS) and cis["mrr@10"] is None


def test_thresholds_and_diff():
    assert check_thresholds({"hit@1": 0.9}, {"hit@1": 0.8}) == []
    assert check_thresholds({"hit@1": 0.9, "mrr@10": None}, {"hit@1": 1.01, "mrr@10": 0.1}) == [
        "hit@1 = 0.900 < 1.01",
        "mrr@10 = – < 0.1",
    ]
    assert check_thresholds({"latency_p95_ms": 900.0}, {}, {"latency_p95_ms": 500}) == ["latency_p95_ms = 900 > 500"]
    a = {
        "metrics": {"hit@1": 0.5},
        "cases": [{"id": "x", "scores": {"hit@1": 0.0}}, {"id": "y", "scores": {"hit@1": 1.0}}],
    }
    b = {
        "metrics": {"hit@1": 1.0},
        "cases": [{"id": "x", "scores": {"hit@1": 1.0}}, {"id": "z", "scores": {"hit@1": 1.0}}],
    }
    diff = diff_reports(a, b)
    assert [c.id for c in diff.better] == ["x"] and diff.worse == []
    assert diff.metrics["hit@1"] == (0.5, 1.0) and diff.only_a == ["y"] and diff.only_b == ["z"]
