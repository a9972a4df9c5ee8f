"""The benchmarks' client for streamed responses: aiohttp by default, httpx to compare with earlier runs.

The client runs on the same two cores as the server and Postgres, so its own CPU counts against the
servers it measures. In a burst of 50 engine runs httpx used ~6 ms of CPU per stream and wrote the last
requests hundreds of ms after the burst began (its trace hooks showed it); aiohttp used ~1.2 ms. Both
servers of a comparison are measured with the same client, and results record which one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Literal, Protocol

import aiohttp
import httpx

ClientKind = Literal["aiohttp", "httpx"]
CLIENT_KINDS: tuple[ClientKind, ...] = ("aiohttp", "httpx")
CLIENT_ERRORS = (aiohttp.ClientError, httpx.HTTPError, TimeoutError)
MAX_LINE_BYTES = 2**20  # a state snapshot with many citations is one SSE line
TOTAL_TIMEOUT_S = 300.0


class StreamingClient(Protocol):
    def post_lines(self, path: str, body: dict) -> AbstractAsyncContextManager[tuple[int, AsyncIterator[str]]]:
        """POST `body` as JSON; yields the status and the response's lines (without line ends)."""
        ...


class AiohttpClient:
    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session

    @asynccontextmanager
    async def post_lines(self, path: str, body: dict) -> AsyncIterator[tuple[int, AsyncIterator[str]]]:
        async with self.session.post(path, json=body) as response:
            yield response.status, _decoded(response.content)


class HttpxClient:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    @asynccontextmanager
    async def post_lines(self, path: str, body: dict) -> AsyncIterator[tuple[int, AsyncIterator[str]]]:
        async with self.client.stream("POST", path, json=body) as response:
            yield response.status_code, response.aiter_lines()


async def _decoded(content: aiohttp.StreamReader) -> AsyncIterator[str]:
    async for raw in content:
        yield raw.decode().rstrip("\r\n")


@asynccontextmanager
async def streaming_client(
    base: str, streams: int, headers: dict | None = None, kind: ClientKind = "aiohttp"
) -> AsyncIterator[StreamingClient]:
    """A client for `streams` concurrent streams to `base`, each on its own connection."""
    if kind == "httpx":
        limits = httpx.Limits(max_connections=streams + 16, max_keepalive_connections=streams + 16)
        timeout = httpx.Timeout(120.0, connect=30.0, pool=TOTAL_TIMEOUT_S)
        async with httpx.AsyncClient(base_url=base, limits=limits, headers=headers or {}, timeout=timeout) as client:
            yield HttpxClient(client)
        return
    connector = aiohttp.TCPConnector(limit=streams + 16)
    async with aiohttp.ClientSession(
        base_url=base,
        connector=connector,
        headers=headers or {},
        timeout=aiohttp.ClientTimeout(total=TOTAL_TIMEOUT_S, sock_connect=30.0),
        read_bufsize=MAX_LINE_BYTES,
    ) as session:
        yield AiohttpClient(session)
