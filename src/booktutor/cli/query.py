"""Question commands: `search` and `ask`, in this process or through the running server (cli/remote.py)."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from booktutor.cli.app import app
from booktutor.cli.common import cli_settings, console, out, require_book_id, require_text, run_async, with_services
from booktutor.cli.remote import CLI_USER_FILE, remote_ask, remote_search, server_for


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="What to look for")],
    book_id: Annotated[str | None, typer.Option("--book-id")] = None,
    k: Annotated[int, typer.Option("-k", min=1, max=50)] = 5,
    lang: Annotated[str | None, typer.Option("--lang")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the hits as JSON")] = False,
) -> None:
    """Hybrid search over the ingested books (through the running server when it holds the data dir)."""
    from booktutor.api.schemas import SearchResponse
    from booktutor.retrieval.search import SearchQuery

    require_text(query, "query")
    settings = cli_settings()
    if (url := server_for(settings)) is not None:
        params = {"q": query, "book_id": book_id, "k": k, "lang": lang}
        response = SearchResponse.model_validate(remote_search(url, params))
    else:

        async def run(services):
            await require_book_id(services, book_id)
            await services.check_index()
            return await services.searcher.search(SearchQuery(text=query, k=k, book_id=book_id, language=lang))

        result = run_async(with_services(settings, run))
        response = SearchResponse(
            query=query,
            book_id=book_id,
            language=lang,
            degraded=result.degraded,
            reranked=result.reranked,
            hits=result.hits,
        )
    if as_json:
        sys.stdout.write(response.model_dump_json(indent=2) + "\n")
        return
    if response.degraded:
        console.print("[yellow]vector store unavailable: full-text results only[/]")
    for rank, hit in enumerate(response.hits, start=1):
        out.print(f"[bold]{rank}.[/] {hit.chapter_title} › {hit.heading}  [dim]{hit.doc_path} {hit.score:.4f}[/]")
        out.print(f"   {hit.anchor_url}\n   {hit.snippet}")


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="Your question about the book")],
    book_id: Annotated[str | None, typer.Option("--book-id")] = None,
    thread_id: Annotated[str | None, typer.Option("--thread", help="Continue this conversation")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer and citations as JSON")] = False,
) -> None:
    """Ask the tutor one question; the answer streams with its citations (same graph as the API; through
    the running server when it holds the data dir)."""
    require_text(question, "question")
    settings = cli_settings()
    if (url := server_for(settings)) is not None:
        body = {"question": question, "book_id": book_id, "thread_id": thread_id}
        result = remote_ask(url, settings, {k: v for k, v in body.items() if v is not None})
        if not as_json:
            out.print(result["answer"], markup=False, highlight=False)
    else:
        result = run_async(with_services(settings, lambda s: _ask(s, question, book_id, thread_id, as_json)))
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
        return
    for citation in result["citations"]:
        out.print(
            f"[dim][{citation['n']}] {citation['chapter_title']} › {citation['heading']} {citation['anchor_url']}[/]"
        )
    console.print(f"[dim]thread {result['thread_id']} · route {result['route']}[/]")
    if result.get("degraded"):
        console.print("[yellow]the vector index was unavailable: the answer used full-text search only[/]")
    if result.get("error"):
        raise typer.Exit(1)


async def _ask(services, question: str, book_id: str | None, thread_id: str | None, as_json: bool) -> dict:
    import uuid

    from ag_ui.core import RunAgentInput, RunErrorEvent, StateSnapshotEvent, TextMessageContentEvent, UserMessage

    from booktutor.graph.factory import build_chat_service

    await require_book_id(services, book_id)
    chat = await build_chat_service(services)
    try:
        user = await _cli_user(services)
        request = RunAgentInput(
            thread_id=thread_id or f"cli-{uuid.uuid4().hex[:12]}",
            run_id=f"run-{uuid.uuid4().hex[:12]}",
            messages=[UserMessage(id=f"msg-{uuid.uuid4().hex}", role="user", content=question)],
            forwarded_props={"book_id": book_id} if book_id else {},
        )
        await chat.prepare(request, user)
        result: dict = {
            "thread_id": request.thread_id,
            "run_id": request.run_id,
            "answer": "",
            "citations": [],
            "abstained": False,
            "route": None,
            "degraded": False,
        }
        async for event in chat.stream(request, user):
            if isinstance(event, TextMessageContentEvent):
                result["answer"] += event.delta
                if not as_json:
                    out.print(event.delta, end="", markup=False, highlight=False)
            elif isinstance(event, StateSnapshotEvent):
                result.update({k: event.snapshot.get(k) for k in ("route", "citations", "abstained")})
                result["degraded"] = bool(event.snapshot.get("degraded"))
            elif isinstance(event, RunErrorEvent):
                result["error"] = {"code": event.code, "message": event.message}
        if not as_json:
            out.print()
        return result
    finally:
        await chat.close()


async def _cli_user(services):
    """The terminal's own guest identity, kept in the data dir so `--thread` finds its history."""
    import uuid

    from booktutor.memory.users import UserRepository

    path = services.settings.data_dir / CLI_USER_FILE
    async with services.db.session() as session, session.begin():
        users = UserRepository(session)
        if path.exists():
            user = await users.get(uuid.UUID(path.read_text().strip()))
            if user:
                return user
        user = await users.create_guest()
    path.write_text(str(user.id))
    return user
