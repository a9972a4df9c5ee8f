"""Fusing search candidates: what restates or asks for practice ranks below the explanation it shares
words with, and is still found; a question the encoder cannot read is ranked by its full text first."""

from __future__ import annotations

import uuid

from booktutor.providers.embedding_cache import CachingEmbedder
from booktutor.providers.embeddings import FakeEmbedder, LocalOnnxEmbedder, reads_language
from booktutor.retrieval.fusion import (
    FusionWeights,
    purpose_factor,
    weigh_purposes,
    weighted_rrf,
    weights_for_encoder,
    weights_for_matches,
)


def _ids(n: int) -> list[uuid.UUID]:
    return [uuid.uuid4() for _ in range(n)]


def test_restating_and_practice_chunks_rank_below_the_explanation_they_tie_with() -> None:
    key_terms, explaining, quiz, other = _ids(4)
    weights = FusionWeights()
    fused = weighted_rrf(
        [(key_terms, 0.8), (explaining, 0.78), (quiz, 0.7), (other, 0.5)],
        [key_terms, quiz, explaining],
        weights,
    )
    assert [c.chunk_id for c in fused][:2] == [key_terms, explaining]
    purposes = {key_terms: "definition", explaining: "exposition", quiz: "exercise", other: "exposition"}

    ranked = weigh_purposes(fused, purposes, weights)

    order = [c.chunk_id for c in ranked]
    assert order[0] == explaining
    assert set(order) == {key_terms, explaining, quiz, other}, "demoted, never dropped"
    assert order.index(quiz) > order.index(explaining)


def test_a_clear_lead_survives_the_factor_and_unknown_purposes_keep_their_score() -> None:
    glossary, far = _ids(2)
    weights = FusionWeights()
    fused = weighted_rrf([(glossary, 0.9), (far, 0.2)], [glossary], weights)
    lead = fused[0].score
    ranked = weigh_purposes(fused, {glossary: "definition"}, weights)
    assert [c.chunk_id for c in ranked] == [glossary, far]
    assert ranked[0].score == lead * weights.restating
    assert ranked[1].score == fused[1].score


def test_every_purpose_has_a_factor_of_at_most_one() -> None:
    weights = FusionWeights()
    for purpose in ("exposition", "definition", "example", "code", "exercise", "lab", "objectives", "summary"):
        assert 0 < purpose_factor(purpose, weights) <= 1
    assert purpose_factor("exposition", weights) == purpose_factor("code", weights) == 1.0
    assert purpose_factor("summary", weights) == 1.0, "a summary's sentences often answer as a whole"


def test_the_few_passages_full_text_finds_for_a_rare_word_reach_the_results() -> None:
    # "What is backlash?": the encoder does not know the word, so its nearest chunks hold none of the
    # three passages that name it; full text finds only those.
    dense = [(chunk_id, 0.5 - i / 100) for i, chunk_id in enumerate(_ids(40))]
    rare = _ids(3)
    calibrated = {c.chunk_id for c in weighted_rrf(dense, rare, FusionWeights())[:6]}
    adjusted = {c.chunk_id for c in weighted_rrf(dense, rare, weights_for_matches(3, FusionWeights()))[:6]}
    assert not set(rare) & calibrated and set(rare) <= adjusted
    assert weights_for_matches(30, FusionWeights()) == weights_for_matches(0, FusionWeights()) == FusionWeights()


def test_a_question_the_encoder_cannot_read_is_ranked_by_its_full_text_first() -> None:
    """The bundled encoder reads English: an Urdu question's dense list is near chance, so where the two
    lists disagree the full-text one decides; an English question keeps the dense list's lead."""
    dense_first, text_first = _ids(2)
    dense = [(dense_first, 0.9), (text_first, 0.8)]
    lexical = [text_first, dense_first]
    reads = weighted_rrf(dense, lexical, weights_for_encoder(FusionWeights(), encoder_reads_question=True))
    cannot = weighted_rrf(dense, lexical, weights_for_encoder(FusionWeights(), encoder_reads_question=False))
    assert [c.chunk_id for c in reads] == [dense_first, text_first]
    assert [c.chunk_id for c in cannot] == [text_first, dense_first]


def test_the_bundled_encoder_reads_english_only_and_its_cache_says_so() -> None:
    english_only = CachingEmbedder(LocalOnnxEmbedder.__new__(LocalOnnxEmbedder))
    assert reads_language(english_only, "en") and reads_language(english_only, "en-GB")
    assert not reads_language(english_only, "ur")
    assert reads_language(FakeEmbedder(), "ur"), "an encoder that does not say reads every language"


def test_a_chunk_holding_the_questions_rare_words_together_joins_the_top_of_the_results() -> None:
    """A table row naming two of the question's rare words, which neither the encoder nor the full text's
    ranking over all the words puts near the top, counts as much as the encoder's own best; only the
    first few such chunks count."""
    dense = [(chunk_id, 0.6 - i / 100) for i, chunk_id in enumerate(_ids(40))]
    lexical = [chunk_id for chunk_id, _ in dense[20:]]
    row, second, third, fourth = _ids(4)
    fused = weighted_rrf(dense, lexical, FusionWeights(), [row, second, third, fourth])
    order = [c.chunk_id for c in fused]
    assert order.index(row) < 3
    assert fourth not in order
    assert order[:3] != [c.chunk_id for c in weighted_rrf(dense, lexical, FusionWeights())][:3]
