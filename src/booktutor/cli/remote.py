"""`search` and `ask` through the running server when it holds the data dir.

Qdrant Edge lets one process open the vector index. While `booktutor serve` runs on the data dir
it has the index (the embedded PostgreSQL is shared), so another command on the same data dir
would only get full-text results. `serve` writes `server.json` (its pid and URL) in the data dir;
`search` and `ask` then go through its API (`GET /search`, `POST /chatbot/query`) and print the
same output, with the same `--json` shapes. When the index is held by a process that is not a
server they can reach, they say so and answer from full text (`degraded: true`).
"""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from pathlib import Path
from typing import Any

import httpx

from booktutor.cli.common import EXIT_BAD_INPUT, EXIT_FAILURE, console, fail
from booktutor.config import Settings

SERVER_FILE = "server.json"
CLI_USER_FILE = "cli_user"  # the terminal's guest identity, here and through the server
TIMEOUT_S = 300.0


def write_server_file(settings: Settings, host: str, port: int) -> Path:
    """Announce this process as the data dir's server; `remove_server_file` takes it back."""
    connect = "127.0.0.1" if host in {"0.0.0.0", "", "::"} else host  # noqa: S104 (a wildcard: reach it locally)
    url = f"http://[{connect}]:{port}" if ":" in connect else f"http://{connect}:{port}"
    path = settings.data_dir / SERVER_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"pid": os.getpid(), "url": url}), encoding="utf-8")
    return path


def remove_server_file(path: Path) -> None:
    with contextlib.suppress(OSError, ValueError):
        if json.loads(path.read_text(encoding="utf-8")).get("pid") == os.getpid():
            path.unlink()


def running_server(settings: Settings) -> str | None:
    """The URL of the live `booktutor serve` on this data dir, if there is one."""
    try:
        announced = json.loads((settings.data_dir / SERVER_FILE).read_text(encoding="utf-8"))
        pid, url = int(announced["pid"]), str(announced["url"])
        os.kill(pid, 0)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return url


def index_held_elsewhere(settings: Settings) -> bool:
    """The embedded vector index is open in another process (only Qdrant Edge has such a lock)."""
    if settings.qdrant_url:
        return False
    from booktutor.retrieval.qdrant_edge_store import QdrantEdgeStore

    return QdrantEdgeStore(settings.qdrant_edge_dir, settings.qdrant_collection).held_by_another_process()


def server_for(settings: Settings) -> str | None:
    """Where `search`/`ask` should go: the running server when it holds the index, else None (this
    process answers, and says why when it can only use full text)."""
    if not index_held_elsewhere(settings):
        return None
    url = running_server(settings)
    if url is not None:
        console.print(f"[dim]through the running server at {url} (it holds the vector index)[/]")
    else:
        console.print(
            "[yellow]the vector index is open in another process that is not a reachable `booktutor serve`: "
            "full-text results only (stop that process, or set BOOKTUTOR_QDRANT_URL)[/]"
        )
    return url


def remote_search(url: str, params: dict[str, Any]) -> dict[str, Any]:
    query = {k: v for k, v in params.items() if v is not None}
    return _call(url, "GET", "/api/v1/search", None, query)


def remote_ask(url: str, settings: Settings, body: dict[str, Any]) -> dict[str, Any]:
    """`POST /chatbot/query` as the terminal's own guest (the one local `ask` uses, so `--thread` finds
    the conversation either way): its token is signed with the data dir's secret, like the server's."""
    from booktutor.security import issue_guest_token, read_guest_token, server_secret

    secret = server_secret(settings)
    user_file = settings.data_dir / CLI_USER_FILE
    token = None
    with contextlib.suppress(OSError, ValueError):
        token = issue_guest_token(uuid.UUID(user_file.read_text(encoding="utf-8").strip()), secret)
    answer, headers = _call_with_headers(url, "POST", "/api/v1/chatbot/query", body, None, token)
    issued = headers.get("x-guest-token")
    user_id = read_guest_token(issued, secret) if issued else None
    if user_id is not None:  # the server did not know the guest (first use, or it was pruned): keep the new one
        user_file.write_text(str(user_id), encoding="utf-8")
    return answer


def _call(url: str, method: str, path: str, body: Any, params: Any) -> dict[str, Any]:
    return _call_with_headers(url, method, path, body, params, None)[0]


def _call_with_headers(
    url: str, method: str, path: str, body: Any, params: Any, guest_token: str | None
) -> tuple[dict[str, Any], httpx.Headers]:
    headers = {"X-Guest-Token": guest_token} if guest_token else {}
    try:
        response = httpx.request(method, url + path, json=body, params=params, headers=headers, timeout=TIMEOUT_S)
    except httpx.HTTPError as exc:
        raise fail(f"the running server at {url} did not answer: {exc}", EXIT_FAILURE) from None
    if response.status_code >= 400:
        error = _error(response)
        code = EXIT_BAD_INPUT if response.status_code in {400, 404, 422} else EXIT_FAILURE
        raise fail(f"{error.get('message', response.text[:200])} ({error.get('code', response.status_code)})", code)
    data: dict[str, Any] = response.json()
    return data, response.headers


def _error(response: httpx.Response) -> dict[str, Any]:
    try:
        error = response.json().get("error")
    except ValueError:
        return {}
    return error if isinstance(error, dict) else {}
