"""SSE event JSON: the text delta written directly is byte for byte what pydantic writes."""

from __future__ import annotations

import pytest
from ag_ui.core import TextMessageContentEvent

from booktutor.api.run_relay import event_json
from booktutor.api.streaming.sse import encode_event

DELTAS = [
    "plain ",
    'quotes " and \\ backslash',
    "lines\nand\ttabs\r\b\f",
    "controls \x00\x01\x1f\x7f",
    "é ß ü ۔ اردو 数学 😀 \u2028\u2029",
    "",
]


def _pydantic(event: TextMessageContentEvent) -> str:
    return event.model_dump_json(by_alias=True, exclude_none=True)


@pytest.mark.parametrize("delta", DELTAS)
def test_a_text_delta_is_written_as_pydantic_writes_it(delta: str) -> None:
    event = TextMessageContentEvent(message_id='msg-"1"', delta=delta)
    assert event_json(event) == _pydantic(event)


def test_every_character_is_escaped_as_pydantic_escapes_it() -> None:
    text = "".join(chr(c) for c in range(0x3000) if not 0xD800 <= c <= 0xDFFF)
    event = TextMessageContentEvent(message_id="m", delta=text)
    assert event_json(event) == _pydantic(event)


def test_a_delta_with_a_timestamp_or_extra_fields_keeps_them() -> None:
    for event in (
        TextMessageContentEvent(message_id="m", delta="x", timestamp=5),
        TextMessageContentEvent(message_id="m", delta="x", raw_event={"a": 1}),
        TextMessageContentEvent(message_id="m", delta="x", extra_field=1),
    ):
        assert event_json(event) == _pydantic(event)


def test_an_sse_message_is_id_and_data() -> None:
    event = TextMessageContentEvent(message_id="m", delta="hi")
    assert encode_event("run-1", 3, event) == f"id: run-1:3\ndata: {_pydantic(event)}\n\n".encode()
