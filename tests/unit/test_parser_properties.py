"""Property-based tests (hypothesis) of the parsers that read what clients send: event and message
cursors, client ids, quiz answers, request ids. Whatever the input, they answer a bounded value or
their own validation error, never anything else."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from booktutor.api.routes.agent import MAX_ID_CHARS, is_valid_client_id
from booktutor.api.streaming.event_log import MAX_SEQ, parse_last_event_id, parse_seq
from booktutor.auth.audit import storable
from booktutor.errors import InvalidCursor
from booktutor.memory.checkpoint_keys import is_reserved, quiz_checkpoint_id
from booktutor.memory.cursors import MAX_MESSAGE_SEQ, decode_message_cursor, encode_cursor
from booktutor.observability.request_id import MAX_CHARS, bounded_request_id
from booktutor.tutoring.grading import InvalidChoice, choice_index
from booktutor.tutoring.questions import QuizQuestion

digits = st.text(alphabet=st.characters(categories=["Nd", "No"]), min_size=1, max_size=50)
junk = st.text(max_size=300) | digits | st.text(alphabet="0123456789", min_size=1, max_size=5000)


# Run ids are stored ids: HTTP strips header whitespace, so a run id never starts or ends with it.
@given(value=junk, run_id=st.text(max_size=20).map(str.strip))
def test_last_event_ids_parse_to_a_bounded_seq(value: str, run_id: str) -> None:
    seq = parse_last_event_id(value, run_id)
    assert 0 <= seq <= MAX_SEQ
    assert parse_last_event_id(f"{run_id}:{value}", run_id) == (parse_seq(value.strip()) or 0)


@given(seq=st.integers(min_value=0, max_value=MAX_SEQ))
def test_ascii_sequence_numbers_round_trip(seq: int) -> None:
    assert parse_last_event_id(f"run-1:{seq}", "run-1") == seq


def test_unicode_digits_and_huge_numbers_are_not_sequence_numbers() -> None:
    for value in ("²", "१२", "٣", "9" * 4301, "-1", "1e3", " 7 "):
        assert parse_seq(value) is None


@given(cursor=st.text(max_size=200))
def test_message_cursors_decode_to_an_int32_seq_or_a_validation_error(cursor: str) -> None:
    try:
        seq = decode_message_cursor(cursor)
    except InvalidCursor as error:
        assert error.status_code == 422
    else:
        assert 0 <= seq <= MAX_MESSAGE_SEQ


@given(seq=st.integers() | st.floats(allow_nan=False) | st.text(max_size=5) | st.booleans() | st.none())
def test_message_cursor_payloads_beyond_int32_are_refused(seq: object) -> None:
    cursor = encode_cursor({"k": "m", "s": seq})
    if isinstance(seq, int) and not isinstance(seq, bool) and 0 <= seq <= MAX_MESSAGE_SEQ:
        assert decode_message_cursor(cursor) == seq
    else:
        with pytest.raises(InvalidCursor):
            decode_message_cursor(cursor)


MCQ = QuizQuestion(
    id="q",
    kind="mcq",
    style="authored",
    prompt="Which?",
    choices=["one", "two", "three", "four"],
    answer=1,
    doc_path="a.md",
    chapter_title="A",
    heading="A",
    anchor="a",
    anchor_url="/a#a",
)


@given(answer=junk | st.integers(min_value=-(10**30), max_value=10**30))
def test_multiple_choice_answers_name_an_option_or_are_invalid(answer: str | int) -> None:
    try:
        index = choice_index(MCQ, answer)
    except InvalidChoice:
        return
    assert 0 <= index < len(MCQ.choices)


def test_multiple_choice_numbers_are_ascii() -> None:
    assert choice_index(MCQ, "2") == 1 and choice_index(MCQ, "b") == 1 and choice_index(MCQ, 3) == 3
    for answer in ("²", "٢", "9" * 5000):
        with pytest.raises(InvalidChoice):
            choice_index(MCQ, answer)


@given(value=st.text(max_size=500))
def test_client_ids_are_bounded_and_printable(value: str) -> None:
    if is_valid_client_id(value):
        assert 0 < len(value) <= MAX_ID_CHARS and "\x00" not in value


@given(value=st.text(max_size=500))
def test_request_ids_are_kept_when_plain_else_digested(value: str) -> None:
    bounded = bounded_request_id(value)
    assert 0 < len(bounded) <= MAX_CHARS and re.fullmatch(r"[A-Za-z0-9._:@/+=-]+", bounded)
    assert bounded_request_id(value) == bounded
    if re.fullmatch(r"[A-Za-z0-9._:@/+=-]{1,64}", value):
        assert bounded == value


@given(
    details=st.recursive(st.none() | st.booleans() | st.floats() | st.integers() | st.text(), st.lists, max_leaves=8)
)
def test_audit_details_are_always_storable(details: object) -> None:
    stored = storable({"value": details, "path": "/a\x00b"})
    encoded = json.dumps(stored, allow_nan=False)
    assert "\\u0000" not in encoded


@given(thread_id=st.text(max_size=50))
def test_quiz_checkpoints_are_in_the_reserved_namespace(thread_id: str) -> None:
    assert is_reserved(quiz_checkpoint_id(thread_id))
    if not thread_id.lower().startswith("quiz:"):
        assert not is_reserved(thread_id)
