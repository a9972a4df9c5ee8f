"""A run's event log resumed at any point gives a stream that is valid AG-UI on its own."""

from __future__ import annotations

from ag_ui.core import (
    AssistantMessage,
    BaseEvent,
    MessagesSnapshotEvent,
    RunFinishedEvent,
    RunStartedEvent,
    StepFinishedEvent,
    StepStartedEvent,
    TextMessageContentEvent,
    TextMessageEndEvent,
    TextMessageStartEvent,
    ToolCallArgsEvent,
    ToolCallEndEvent,
    ToolCallResultEvent,
    ToolCallStartEvent,
    UserMessage,
)

from booktutor.api.streaming.event_log import EventLog

IDS = {"thread_id": "t-1", "run_id": "r-1"}
HISTORY = [
    UserMessage(id="u-0", content="What is a gear?"),
    AssistantMessage(id="a-0", content="A toothed wheel."),
    UserMessage(id="u-1", content="And backlash?"),
]


def run_events() -> list[BaseEvent]:
    return [
        RunStartedEvent(**IDS),  # 1
        MessagesSnapshotEvent(messages=HISTORY),  # 2
        StepStartedEvent(step_name="answer"),  # 3
        TextMessageStartEvent(message_id="m-1", role="assistant"),  # 4
        ToolCallStartEvent(tool_call_id="c-1", tool_call_name="search_book", parent_message_id="m-1"),  # 5
        ToolCallArgsEvent(tool_call_id="c-1", delta='{"query": '),  # 6
        ToolCallArgsEvent(tool_call_id="c-1", delta='"backlash"}'),  # 7
        ToolCallEndEvent(tool_call_id="c-1"),  # 8
        ToolCallResultEvent(message_id="tr-1", tool_call_id="c-1", content="[1] Backlash is play."),  # 9
        TextMessageContentEvent(message_id="m-1", delta="Backlash is "),  # 10
        TextMessageContentEvent(message_id="m-1", delta="the play "),  # 11
        TextMessageContentEvent(message_id="m-1", delta="between teeth."),  # 12
        TextMessageEndEvent(message_id="m-1"),  # 13
        StepFinishedEvent(step_name="answer"),  # 14
        RunFinishedEvent(**IDS),  # 15
    ]


def logged(max_events: int = 100) -> EventLog:
    log = EventLog(max_events)
    for event in run_events():
        log.append(event)
    return log


def dumped(events: list[tuple[int, BaseEvent]]) -> list[tuple[int, dict]]:
    return [(seq, event.model_dump(by_alias=True, exclude_none=True)) for seq, event in events]


def test_from_the_start_or_after_the_end_nothing_is_added():
    log = logged()
    assert log.resumption(0, "t-1", "r-1") == []
    assert log.resumption(15, "t-1", "r-1") == []


def test_inside_a_text_message_the_run_the_conversation_and_the_open_scopes_come_first():
    resumed = dumped(logged().resumption(11, "t-1", "r-1"))
    assert [seq for seq, _ in resumed] == [11, 11, 11, 11]
    assert [data["type"] for _, data in resumed] == [
        "RUN_STARTED",
        "MESSAGES_SNAPSHOT",
        "STEP_STARTED",
        "TEXT_MESSAGE_START",
    ]
    assert resumed[0][1] == {"type": "RUN_STARTED", "threadId": "t-1", "runId": "r-1"}
    assert resumed[3][1] == {"type": "TEXT_MESSAGE_START", "messageId": "m-1", "role": "assistant"}
    messages = resumed[1][1]["messages"]
    assert [m["id"] for m in messages] == ["u-0", "a-0", "u-1", "m-1", "tr-1"]
    # The answer so far (to seq 11) with its tool call; the tail continues the same message.
    assert messages[3] == {
        "id": "m-1",
        "role": "assistant",
        "content": "Backlash is the play ",
        "toolCalls": [
            {"id": "c-1", "type": "function", "function": {"name": "search_book", "arguments": '{"query": "backlash"}'}}
        ],
    }
    assert messages[4] == {"id": "tr-1", "role": "tool", "content": "[1] Backlash is play.", "toolCallId": "c-1"}


def test_inside_a_tool_call_it_is_reopened_too():
    resumed = logged().resumption(6, "t-1", "r-1")
    assert [event.type.value for _, event in resumed][2:] == ["STEP_STARTED", "TEXT_MESSAGE_START", "TOOL_CALL_START"]


def test_events_the_cap_dropped_still_count():
    log = logged(max_events=4)  # keeps seq 12..15
    resumed = dumped(log.resumption(0, "t-1", "r-1"))
    assert [seq for seq, _ in resumed] == [11, 11, 11, 11]
    assert [data["type"] for _, data in resumed][2:] == ["STEP_STARTED", "TEXT_MESSAGE_START"]
    assert resumed[1][1]["messages"][3]["content"] == "Backlash is the play "
    assert [seq for seq, _ in dumped(log.resumption(13, "t-1", "r-1"))] == [13, 13, 13]  # run, snapshot, step


def test_a_run_that_sent_no_snapshot_is_resumed_without_one():
    log = EventLog(100)
    for event in (RunStartedEvent(**IDS), TextMessageStartEvent(message_id="m-1", role="assistant")):
        log.append(event)
    assert [event.type.value for _, event in log.resumption(2, "t-1", "r-1")] == ["RUN_STARTED", "TEXT_MESSAGE_START"]
