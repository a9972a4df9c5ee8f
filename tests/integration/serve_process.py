"""`booktutor serve` in a process of its own, and an OpenAI-compatible model server that streams
slowly, for fault tests that kill or stop real processes."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse
from tests.integration.live_server import free_port

SLOW = "slowly"  # a question with this word is answered one word every 0.1 s, for a minute


def slow_model_server() -> FastAPI:
    """An OpenAI-compatible Chat Completions server: the router's decision, then streamed words."""
    app = FastAPI()

    @app.post("/v1/chat/completions")
    async def complete(request: Request):  # noqa: ANN202
        payload = await request.json()
        model = payload.get("model", "m")
        if not payload.get("stream"):
            decision = json.dumps({"route": "answer", "reason": "a question about the book"})
            return JSONResponse(
                {
                    "id": "c-route",
                    "object": "chat.completion",
                    "created": 0,
                    "model": model,
                    "choices": [
                        {"index": 0, "message": {"role": "assistant", "content": decision}, "finish_reason": "stop"}
                    ],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                }
            )
        slow = SLOW in json.dumps(payload["messages"][-1])
        words = 600 if slow else 5

        async def chunks() -> AsyncIterator[str]:
            for n in range(words):
                delta = {"role": "assistant", "content": f"word{n} "} if n == 0 else {"content": f"word{n} "}
                yield _chunk(model, delta, None)
                await asyncio.sleep(0.1 if slow else 0)
            yield _chunk(model, {}, "stop")
            yield "data: [DONE]\n\n"

        return StreamingResponse(chunks(), media_type="text/event-stream")

    return app


def _chunk(model: str, delta: dict, finish: str | None) -> str:
    choice = {"index": 0, "delta": delta, "finish_reason": finish}
    data = {"id": "c-answer", "object": "chat.completion.chunk", "created": 0, "model": model, "choices": [choice]}
    return f"data: {json.dumps(data)}\n\n"


class Server:
    """`booktutor serve` in a process of its own."""

    def __init__(self, env: dict[str, str], workdir: Path) -> None:
        self.env, self.workdir = env, workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = workdir / f"serve-{self.port}.log"
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "booktutor.cli", "serve", "--port", str(self.port)],
                env=env,
                cwd=workdir,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    async def ready(self, limit_s: float = 300) -> None:
        """Wait for /health; the limit is generous (a loaded machine can take minutes to import and
        migrate) and only turns a server that never starts into a failure with its log."""
        started = time.monotonic()
        async with httpx.AsyncClient(base_url=self.url, timeout=5) as http:
            while time.monotonic() - started < limit_s:
                assert self.process.poll() is None, self.log.read_text()[-3000:]
                try:
                    if (await http.get("/api/v1/health")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.2)
        raise AssertionError(f"the server did not start: {self.log.read_text()[-3000:]}")

    def kill(self, sig: int = signal.SIGKILL, wait_s: float = 30) -> int:
        """Send `sig` and wait for the process to end; its exit code."""
        os.kill(self.process.pid, sig)
        return self.process.wait(timeout=wait_s)

    def stop(self, wait_s: float = 300) -> None:
        """SIGTERM, and SIGKILL only if it has not ended after `wait_s` (a generous limit: a clean
        shutdown, the embedded database's included, can take minutes on a loaded machine)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=wait_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@asynccontextmanager
async def serving(env: dict[str, str], workdir: Path) -> AsyncIterator[Server]:
    server = Server(env, workdir)
    try:
        await server.ready()
        yield server
    finally:
        await asyncio.to_thread(server.stop)


def server_env(data_dir: Path, **settings: str) -> dict[str, str]:
    """The environment of a `booktutor serve` process: this one's, without its BOOKTUTOR_ settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOOKTUTOR_")}
    env.update(
        {
            "BOOKTUTOR_DATA_DIR": str(data_dir),
            "BOOKTUTOR_EMBEDDING_PROVIDER": "local",
            "BOOKTUTOR_RATE_LIMIT_ENABLED": "false",
            "BOOKTUTOR_JOB_WORKER_IN_PROCESS": "false",
            "BOOKTUTOR_LOG_JSON": "false",
            "HF_HUB_OFFLINE": "1",
        }
    )
    env.update({f"BOOKTUTOR_{name.upper()}": value for name, value in settings.items()})
    return env


def cli(env: dict[str, str], workdir: Path, *args: str) -> str:
    """Run a `booktutor` command to its end; its output."""
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "booktutor.cli", *args],
        env=env,
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return done.stdout


def postgres_processes(pgdata: Path) -> list[int]:
    """Pids of the postgres processes serving `pgdata`."""
    import psutil

    found = []
    for process in psutil.process_iter(["pid", "name", "cmdline"]):
        cmdline = " ".join(process.info["cmdline"] or [])
        if "postgres" in (process.info["name"] or "") and str(pgdata) in cmdline:
            found.append(process.info["pid"])
    return found
