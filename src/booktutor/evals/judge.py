"""Optional LLM-judged scores (ragas or deepeval, when installed) and LangSmith logging.

Neither library is a dependency of booktutor: `--judge` says so when both are missing. Both use
the configured provider's OpenAI-compatible key from the environment.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Mapping, Sequence
from typing import Any

from booktutor.config import Settings
from booktutor.providers.registry import provider_capabilities

JUDGE_LIBRARIES = ("ragas", "deepeval")


def judge_problem(settings: Settings) -> str | None:
    """Why --judge cannot run here, or None when it can."""
    if not provider_capabilities(settings.llm_provider).language_model:
        return (
            f"--judge needs an LLM provider (BOOKTUTOR_LLM_PROVIDER=openai|gemini); "
            f"'{settings.llm_provider}' is offline"
        )
    if judge_library() is None:
        return "--judge needs ragas or deepeval: `pip install ragas` or `pip install deepeval` (not bundled)"
    return None


def judge_library() -> str | None:
    return next((name for name in JUDGE_LIBRARIES if importlib.util.find_spec(name)), None)


def _contexts(case: Mapping[str, Any]) -> list[str]:
    return [c.get("snippet") or "" for c in case.get("citations") or []] or [""]


def judge_with_deepeval(cases: Sequence[Mapping[str, Any]], model: str) -> list[dict[str, float | None]]:
    from deepeval.metrics import FaithfulnessMetric, GEval
    from deepeval.test_case import LLMTestCase, LLMTestCaseParams

    params = [LLMTestCaseParams.ACTUAL_OUTPUT, LLMTestCaseParams.EXPECTED_OUTPUT]
    scores = []
    for case in cases:
        test = LLMTestCase(
            input=case["question"],
            actual_output=case["answer"] or "(no answer)",
            expected_output=case.get("reference_answer") or "The book does not cover this.",
            retrieval_context=_contexts(case),
        )
        correct = GEval(
            name="correctness",
            criteria="Is the actual output correct given the expected output?",
            evaluation_params=params,
            model=model,
        )
        faithful = FaithfulnessMetric(model=model)
        correct.measure(test)
        faithful.measure(test)
        scores.append({"judge_correctness": correct.score, "judge_faithfulness": faithful.score})
    return scores


def judge_with_ragas(cases: Sequence[Mapping[str, Any]], model: str) -> list[dict[str, float | None]]:
    from ragas import EvaluationDataset, evaluate
    from ragas.metrics import FactualCorrectness, Faithfulness

    data = EvaluationDataset.from_list(
        [
            {
                "user_input": c["question"],
                "response": c["answer"] or "(no answer)",
                "retrieved_contexts": _contexts(c),
                "reference": c.get("reference_answer") or "",
            }
            for c in cases
        ]
    )
    frame = evaluate(data, metrics=[FactualCorrectness(), Faithfulness()]).to_pandas()
    return [
        {"judge_correctness": row.get("factual_correctness"), "judge_faithfulness": row.get("faithfulness")}
        for row in frame.to_dict("records")
    ]


def judge_cases(cases: Sequence[Mapping[str, Any]], settings: Settings) -> list[dict[str, float | None]]:
    model = settings.gemini_model if settings.llm_provider == "gemini" else settings.llm_model
    if judge_library() == "ragas":
        return judge_with_ragas(cases, model)
    return judge_with_deepeval(cases, model)


def log_to_langsmith(report: Mapping[str, Any], name: str) -> str | None:
    """Log the run as a LangSmith project (one run per case); only with LANGSMITH_API_KEY set."""
    if not os.environ.get("LANGSMITH_API_KEY"):
        return None
    from langsmith import Client

    client = Client()
    client.create_project(name, metadata={"dataset": report["dataset"], "metrics": report["metrics"]})
    for case in report["cases"]:
        client.create_run(
            name=case["id"],
            run_type="chain",
            project_name=name,
            inputs={"question": case.get("question", "")},
            outputs={"answer": case["answer"], "citations": case["citations"]},
            extra={"metadata": {"scores": case["scores"], "latency_ms": case["latency_ms"]}},
        )
    return name
