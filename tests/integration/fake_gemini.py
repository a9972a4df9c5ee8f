"""A local server speaking the Gemini REST API (the version google-genai asks for): `generateContent`,
`streamGenerateContent?alt=sse` and `batchEmbedContents`, with scripted replies; it records
every request it gets."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from booktutor.providers.embeddings import FakeEmbedder

HANG_LIMIT_S = 30.0


@dataclass(frozen=True)
class Reply:
    """One model reply: text (in the chunks it streams in), function calls, or a failure."""

    chunks: tuple[str, ...] = ()
    calls: tuple[dict[str, Any], ...] = ()
    """`functionCall` objects: name, args and (optionally) id."""
    signature: bytes | None = None
    """A thought signature on the first function call, as Gemini 3 sends."""
    status: int | None = None
    hang: bool = False


@dataclass
class GeminiCall:
    model: str
    method: str
    body: dict[str, Any]
    headers: dict[str, str]


@dataclass
class FakeGemini:
    """Replies to `generateContent` and `streamGenerateContent` from their own scripts (the last
    reply repeats); embeddings are hashed bags of words, scaled so that they need normalising."""

    generate: list[Reply] = field(default_factory=list)
    stream: list[Reply] = field(default_factory=list)
    embed_status: int | None = None
    calls: list[GeminiCall] = field(default_factory=list)
    released: asyncio.Event = field(default_factory=asyncio.Event)
    url: str = ""

    def of(self, method: str) -> list[GeminiCall]:
        return [call for call in self.calls if call.method == method]

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/{version}/models/{name:path}", self._handle, methods=["POST"])])

    async def _handle(self, request: Request) -> Response:
        model, _, method = request.path_params["name"].partition(":")
        body = await request.json()
        self.calls.append(GeminiCall(model, method, body, dict(request.headers)))
        if method == "batchEmbedContents":
            return await self._embed(body)
        script = self.stream if method == "streamGenerateContent" else self.generate
        reply = script.pop(0) if len(script) > 1 else script[0]
        if reply.status is not None:
            return _error(reply.status)
        if method == "streamGenerateContent":
            return StreamingResponse(self._sse(model, reply), media_type="text/event-stream")
        if reply.hang:
            await self._hang()
        return JSONResponse(_response(model, [*_text_parts("".join(reply.chunks)), *_call_parts(reply)], final=True))

    async def _sse(self, model: str, reply: Reply) -> AsyncIterator[str]:
        if reply.hang:
            await self._hang()
        pieces = [_text_parts(chunk) for chunk in reply.chunks] + ([_call_parts(reply)] if reply.calls else [])
        for number, parts in enumerate(pieces, start=1):
            yield f"data: {json.dumps(_response(model, parts, final=number == len(pieces)))}\n\n"

    async def _hang(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.released.wait(), HANG_LIMIT_S)

    async def _embed(self, body: dict[str, Any]) -> Response:
        if self.embed_status is not None:
            return _error(self.embed_status)
        requests = body["requests"]
        dimension = requests[0]["outputDimensionality"]
        texts = [" ".join(part["text"] for part in r["content"]["parts"]) for r in requests]
        vectors = await FakeEmbedder(dimension).embed_documents(texts)
        return JSONResponse({"embeddings": [{"values": [3.0 * x for x in vector]} for vector in vectors]})


def _text_parts(text: str) -> list[dict[str, Any]]:
    return [{"text": text}] if text else []


def _call_parts(reply: Reply) -> list[dict[str, Any]]:
    parts: list[dict[str, Any]] = [{"functionCall": call} for call in reply.calls]
    if parts and reply.signature is not None:
        parts[0]["thoughtSignature"] = base64.b64encode(reply.signature).decode()
    return parts


def _response(model: str, parts: list[dict[str, Any]], *, final: bool) -> dict[str, Any]:
    candidate: dict[str, Any] = {"content": {"role": "model", "parts": parts}, "index": 0}
    data: dict[str, Any] = {"candidates": [candidate], "modelVersion": model, "responseId": "fake-response"}
    if final:
        candidate["finishReason"] = "STOP"
        data["usageMetadata"] = {"promptTokenCount": 12, "candidatesTokenCount": 5, "totalTokenCount": 17}
    return data


def _error(status: int) -> Response:
    names = {400: "INVALID_ARGUMENT", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE"}
    error = {"code": status, "message": f"fake failure {status}", "status": names.get(status, "UNKNOWN")}
    return JSONResponse({"error": error}, status_code=status)
