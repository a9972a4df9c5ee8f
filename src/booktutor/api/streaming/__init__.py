"""Agent runs over AG-UI: background runs (`manager`), their event log for reconnecting
(`event_log`), cancelling abandoned runs (`disconnect`) and SSE responses (`sse`)."""

from booktutor.api.streaming.event_log import event_id, parse_last_event_id
from booktutor.api.streaming.manager import RunManager
from booktutor.api.streaming.runs import DoubleTextingPolicy, RunInfo, RunSource, RunState
from booktutor.api.streaming.sse import encode_event, sse_response, wants_event_stream, with_dependency_headers

__all__ = [
    "DoubleTextingPolicy",
    "RunInfo",
    "RunManager",
    "RunSource",
    "RunState",
    "encode_event",
    "event_id",
    "parse_last_event_id",
    "sse_response",
    "wants_event_stream",
    "with_dependency_headers",
]
