"""Fault tests: a server killed with SIGKILL mid-stream leaves no thread locked.

A real `booktutor serve` process answers with an OpenAI-compatible model server (ours, streaming
slowly); it is killed mid-answer and started again: the run is recovered at once (its process is
gone), the thread takes a new message, and the partial answer is stored as interrupted. Runs of
processes on other hosts are recovered when their lease expires.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import time
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select, text
from tests.integration.live_server import live_server
from tests.integration.serve_process import SLOW, server_env, serving, slow_model_server
from tests.integration.test_chat_http import body
from tests.integration.test_streaming import SseReader

from booktutor.graph.leases import LeaseKeeper
from booktutor.memory.models import Message, Run
from booktutor.memory.run_leases import RunLeaseRepository
from booktutor.memory.threads import ThreadRepository
from booktutor.memory.users import UserRepository

pytestmark = pytest.mark.integration


@pytest.fixture
async def book(ingestor, book_copy) -> None:
    await ingestor.ingest(book_copy, book_id="mini", title="Mini")


@pytest.fixture
async def env(test_settings, tmp_path, book) -> AsyncIterator[dict[str, str]]:
    async with live_server(slow_model_server()) as model_url:
        yield server_env(
            tmp_path / "data",
            database_url=test_settings.database_url or "",
            llm_provider="openai",
            openai_base_url=f"{model_url}/v1",
            run_heartbeat_s="0.3",
            # Long enough that only knowing the process is gone can recover the run in time.
            run_lease_s="600",
        )


async def _partial_saved(services, run_id: str, limit_s: float = 30) -> str:
    started = time.monotonic()
    while time.monotonic() - started < limit_s:
        async with services.db.session() as session:
            partial = await session.scalar(select(Run.partial_answer).where(Run.id == run_id))
        if partial:
            return partial
        await asyncio.sleep(0.1)
    raise AssertionError("the heartbeat never saved the partial answer")


async def test_a_server_killed_mid_stream_leaves_the_thread_usable(services, env, tmp_path):
    async with serving(env, tmp_path) as first, httpx.AsyncClient(base_url=first.url, timeout=30) as http:
        token = (await http.get("/api/v1/threads")).headers["X-Guest-Token"]
        http.headers["X-Guest-Token"] = token
        payload = body(f"Explain gears {SLOW}", thread_id="t-crash", run_id="r-crash")
        async with http.stream("POST", "/api/v1/agent/run", json=payload) as response:
            assert response.status_code == 200
            reader = SseReader(response)
            while (event := await reader.next()) is not None and event.data["type"] != "TEXT_MESSAGE_CONTENT":
                pass
            assert event is not None, "the answer started streaming"
            partial = await _partial_saved(services, "r-crash")
            first.kill()  # SIGKILL: no shutdown code runs

    async with services.db.session() as session:
        assert await session.scalar(select(Run.status).where(Run.id == "r-crash")) == "running"

    async with serving(env, tmp_path) as second, httpx.AsyncClient(base_url=second.url, timeout=60) as http:
        http.headers["X-Guest-Token"] = token
        async with http.stream("POST", "/api/v1/agent/run", json=body("What is a gear?", "t-crash")) as response:
            assert response.status_code == 200, await response.aread()
            events = await SseReader(response).rest()
        assert events[-1].data["type"] == "RUN_FINISHED", [e.data for e in events[-3:]]
        thread = (await http.get("/api/v1/threads/t-crash")).json()
        cancel = await http.post("/api/v1/threads/t-crash/runs/r-crash/cancel")
        assert cancel.status_code == 404  # nothing runs any more

    roles = [(m["role"], m["status"]) for m in thread["messages"]]
    assert roles == [
        ("user", "complete"),
        ("assistant", "interrupted"),
        ("user", "complete"),
        ("assistant", "complete"),
    ]
    interrupted = thread["messages"][1]
    assert interrupted["run_id"] == "r-crash"
    assert interrupted["content"].startswith(partial) and interrupted["content"].startswith("word0 ")
    async with services.db.session() as session:
        run = await session.get(Run, "r-crash")
        assert (run.status, run.error_code) == ("interrupted", "owner_gone")


# ------------------------------------------------------------------ leases seen from another replica


async def _running_run(db, run_id: str, owner_process: str, lease: timedelta, partial: str | None) -> None:
    async with db.session() as session, session.begin():
        user = await UserRepository(session).create_guest()
        threads = ThreadRepository(session)
        await threads.get_or_create_thread(f"t-{run_id}", user.id)
        await threads.add_message(f"t-{run_id}", message_id=f"m-{run_id}", role="user", content="q", run_id=run_id)
        await threads.start_run(run_id, f"t-{run_id}", user.id, owner_process=owner_process, lease=lease)
        await session.execute(text("UPDATE runs SET partial_answer = :p WHERE id = :id"), {"p": partial, "id": run_id})


async def test_runs_of_gone_processes_are_recovered_and_live_ones_kept(clean_db):
    dead = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    await dead.wait()
    host = socket.gethostname()
    await _running_run(clean_db, "expired", "elsewhere:41:abc", timedelta(seconds=-1), "half an ans")
    await _running_run(clean_db, "leased", "elsewhere:42:abc", timedelta(minutes=5), "still going")
    await _running_run(clean_db, "dead-pid", f"{host}:{dead.pid}:abc", timedelta(minutes=5), None)
    await _running_run(clean_db, "restarted", f"{host}:{os.getpid()}:old", timedelta(minutes=5), "before")

    async with clean_db.session() as session, session.begin():
        recovered = await RunLeaseRepository(session).recover_orphans()
    assert sorted(recovered) == ["dead-pid", "expired", "restarted"]

    async with clean_db.session() as session:
        runs = {r.id: r.status for r in await session.scalars(select(Run))}
        answers = {
            m.run_id: (m.status, m.content)
            for m in await session.scalars(select(Message).where(Message.role != "user"))
        }
    assert runs == {
        "expired": "interrupted",
        "leased": "running",
        "dead-pid": "interrupted",
        "restarted": "interrupted",
    }
    assert answers == {"expired": ("interrupted", "half an ans"), "restarted": ("interrupted", "before")}


async def test_only_a_server_recovers_other_processes_runs(clean_db):
    """A chat service outside a server (CLI, evals) keeps its own runs' leases, recovers nobody's and
    stops beating when none of its runs streams."""
    await _running_run(clean_db, "expired", "elsewhere:41:abc", timedelta(seconds=-1), "half an ans")
    keeper = LeaseKeeper(clean_db, lease_s=0.3, heartbeat_s=0.02)
    keeper.track("mine", [])
    await asyncio.sleep(0.2)  # several beats
    keeper.untrack("mine")
    assert keeper._task is not None
    await asyncio.wait_for(keeper._task, 5)  # no run streams here: the heartbeat ends
    async with clean_db.session() as session:
        assert (await session.get(Run, "expired")).status == "running"
    server = LeaseKeeper(clean_db, lease_s=0.3, heartbeat_s=0.02)
    await server.start()
    try:
        async with clean_db.session() as session:
            assert (await session.get(Run, "expired")).status == "interrupted"
    finally:
        await server.close()
        await keeper.close()
