"""Preferences, personalized chapters and translations over HTTP and in chat.

Real Postgres, Qdrant (local mode) and MiniLM; language models are the offline extractive
answerer or a ScriptedModel at the boundary.
"""

from __future__ import annotations

import asyncio
import json
import re

import httpx
import pytest
from ag_ui.core import EventType
from asgi_lifespan import LifespanManager
from tests.integration.test_chat_graph import chat_with, run_turn, text_of

from booktutor.api.app import create_app
from booktutor.markdown.front_matter import split_front_matter
from booktutor.markdown.learner_view import learner_markdown
from booktutor.memory.users import UserRepository
from booktutor.personalize.adapt import filter_audience_blocks
from booktutor.personalize.profile import LearnerProfile
from booktutor.personalize.service import plan_rewrite
from booktutor.providers.extractive_model import ExtractiveModel
from booktutor.providers.fake import ScriptedModel, Turn
from booktutor.translate.service import translation_inputs

pytestmark = pytest.mark.integration
GEARS = "/api/v1/books/mini/chapters/basics-gears"


@pytest.fixture
async def book(ingestor, book_copy):
    await ingestor.ingest(book_copy, book_id="mini", title="Mini")
    return book_copy


async def open_client(services, model):
    app = create_app(services=services, model=model)
    manager = LifespanManager(app)
    await manager.__aenter__()
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
    token = (await http.get("/api/v1/users/me/preferences")).headers["X-Guest-Token"]
    http.headers["X-Guest-Token"] = token
    return manager, http


@pytest.fixture
async def client_for(services, book):
    opened = []

    async def make(model):
        manager, http = await open_client(services, model)
        opened.append((manager, http))
        return http

    yield make
    for manager, http in opened:
        await http.aclose()
        await manager.__aexit__(None, None, None)


def gears_body(book) -> str:
    """The chapter as rewrites and translations receive it: without its quiz block."""
    return learner_markdown(split_front_matter((book / "docs/basics/gears.md").read_text())[1])


def fake_rewrite(protected: str) -> str:
    """A 'rewrite' that keeps every placeholder and Markdown element and adds a sentence."""
    return f"In plain words for you: {protected}"


def fake_urdu(text: str) -> str:
    if text.startswith("{"):
        return json.dumps({k: f"اردو {v}" for k, v in json.loads(text).items()}, ensure_ascii=False)
    return re.sub(r"\b(the|a|gear|ratio|teeth|backlash|is|of)\b", "اردو", text, flags=re.IGNORECASE)


# ---------------------------------------------------------------- preferences


async def test_preferences_crud_validation_and_idempotency(client_for):
    http = await client_for(ExtractiveModel())
    assert (await http.get("/api/v1/users/me/preferences")).json()["experience_level"] is None
    body = {
        "experience_level": "beginner",
        "hardware_background": "professional",
        "goals": ["build a robot arm"],
    }
    first = await http.post("/api/v1/users/me/preferences", json=body, headers={"Idempotency-Key": "p1"})
    again = await http.post("/api/v1/users/me/preferences", json=body, headers={"Idempotency-Key": "p1"})
    assert first.status_code == again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert first.json()["goals"] == ["build a robot arm"]
    language = await http.put("/api/v1/user/language", json={"language": "UR"})
    assert language.json()["preferred_language"] == "ur" and language.json()["experience_level"] == "beginner"
    for bad in (
        {"experience_level": "guru"},
        {"software_background": "lots"},
        {"preferred_language": "urdu!"},
        {"unknown": 1},
        {"goals": ["x"] * 11},
    ):
        response = await http.post("/api/v1/users/me/preferences", json=bad)
        assert response.status_code == 422 and response.json()["error"]["code"] == "validation_error"
    assert (await http.put("/api/v1/user/language", json={"language": ""})).status_code == 422
    stored = (await http.get("/api/v1/users/me/preferences")).json()
    assert stored["hardware_background"] == "professional" and stored["preferred_language"] == "ur"


# ---------------------------------------------------------------- personalized chapters


async def test_offline_adaptation_uses_profile_overrides_and_the_cache(client_for):
    http = await client_for(ExtractiveModel())
    await http.post("/api/v1/users/me/preferences", json={"experience_level": "beginner"})
    first = (await http.get(f"{GEARS}/personalized")).json()
    assert first["mode"] == "adapted" and first["cache"] == "miss" and first["model"] is None
    assert first["profile"]["experience_level"] == "beginner"
    assert "> **Gear ratio**: Driven teeth divided by driving teeth. ([Key terms](#key-terms))" in first["markdown"]
    assert ":::tip[Key ideas]" in first["markdown"] and "```quiz" not in first["markdown"]
    assert "Before you start" not in first["markdown"]  # no earlier chapter defines what it uses
    assert ":::tip[For beginners]" in first["markdown"]
    assert (await http.get(f"{GEARS}/personalized")).json()["cache"] == "hit"
    advanced = (await http.get(f"{GEARS}/personalized", params={"level": "advanced"})).json()
    assert advanced["profile"]["experience_level"] == "advanced" and advanced["cache"] == "miss"
    assert ":::tip[For beginners]" not in advanced["markdown"] and "> **" not in advanced["markdown"]
    assert (await http.get(f"{GEARS}/personalized", params={"level": "guru"})).status_code == 422
    missing = await http.get("/api/v1/books/mini/chapters/nope/personalized")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "chapter_not_found"


async def test_reingest_that_changes_the_chapter_invalidates_the_cache(client_for, book, ingestor):
    http = await client_for(ExtractiveModel())
    assert (await http.get(f"{GEARS}/personalized")).json()["cache"] == "miss"
    assert (await http.get(f"{GEARS}/personalized")).json()["cache"] == "hit"
    path = book / "docs/basics/gears.md"
    path.write_text(path.read_text().replace("standard gearbox", "standard gearbox (new edition)"))
    await ingestor.ingest(book, book_id="mini", title="Mini")
    fresh = (await http.get(f"{GEARS}/personalized")).json()
    assert fresh["cache"] == "miss" and "new edition" in fresh["markdown"]


async def test_llm_rewrite_is_checked_section_by_section_and_broken_sections_fall_back(client_for, book):
    plans = plan_rewrite(filter_audience_blocks(gears_body(book), LearnerProfile(level="beginner")))
    broken = plans[1].replace("⟦", "").replace("⟧", "")  # drops the placeholders, so it is rejected
    turns = [
        Turn(text=fake_rewrite(plans[0])),
        Turn(text=broken),
        Turn(text=broken),
        *[Turn(text=fake_rewrite(p)) for p in plans[2:]],
    ]
    model = ScriptedModel(turns, model_name="scripted-writer")
    http = await client_for(model)
    body = (await http.get(f"{GEARS}/personalized", params={"level": "beginner"})).json()
    assert body["mode"] == "rewritten" and body["model"] == "scripted-writer"
    assert body["adapted_sections"] == ["## Gear ratio"]
    assert body["markdown"].count("In plain words for you") == len(plans) - 1
    assert (
        "def output_speed(motor_rpm: float, ratio: float) -> float:\n    return motor_rpm / ratio" in body["markdown"]
    )
    assert "| GX-40 | 4:1 | 92% |" in body["markdown"]
    assert len(model.calls) == len(turns)


async def test_concurrent_identical_requests_compute_once_and_stream_as_ag_ui(client_for, book):
    plans = plan_rewrite(gears_body(book))
    model = ScriptedModel([Turn(text=fake_rewrite(p)) for p in plans], model_name="w")
    http = await client_for(model)
    results = await asyncio.gather(*[http.get(f"{GEARS}/personalized") for _ in range(3)])
    statuses = sorted(r.json()["cache"] for r in results)
    assert statuses.count("miss") == 1 and set(statuses) <= {"miss", "shared", "hit"}
    assert len(model.calls) == len(plans)
    streamed = await http.get(f"{GEARS}/personalized", headers={"Accept": "text/event-stream"})
    assert streamed.headers["content-type"].startswith("text/event-stream")
    events = [json.loads(line[5:]) for line in streamed.text.splitlines() if line.startswith("data:")]
    types = [e["type"] for e in events]
    assert types[:2] == ["RUN_STARTED", "TEXT_MESSAGE_START"] and types[-2:] == [
        "CUSTOM",
        "RUN_FINISHED",
    ]
    text = "".join(e["delta"] for e in events if e["type"] == "TEXT_MESSAGE_CONTENT")
    assert text == results[0].json()["markdown"] and types.count("TEXT_MESSAGE_CONTENT") >= 3
    assert events[-1]["result"]["cache"] == "hit" and events[-1]["result"]["mode"] == "rewritten"


# ---------------------------------------------------------------- translation


async def test_stored_human_translation_offline_and_unavailable_otherwise(client_for):
    http = await client_for(ExtractiveModel())
    human = await http.get("/api/v1/books/mini/chapters/intro/translated/ur")
    body = human.json()
    assert body["source"] == "human" and body["dir"] == "rtl" and body["title"] == "ورکشاپ روبوٹ"
    assert human.headers["Content-Language"] == "ur" and "حفاظتی اصول" in body["markdown"]
    unavailable = await http.get(f"{GEARS}/translated/ur")
    assert unavailable.status_code == 503
    assert unavailable.json()["error"]["code"] == "translation_unavailable"
    assert "language model" in unavailable.json()["error"]["message"]
    streamed = await http.get(f"{GEARS}/translated/ur", headers={"Accept": "text/event-stream"})
    assert streamed.status_code == 503
    text = await http.post("/api/v1/translate", json={"text": "Hello", "target_language": "ur"})
    assert text.status_code == 503 and text.json()["error"]["code"] == "translation_unavailable"
    languages = (await http.get("/api/v1/languages")).json()
    assert languages["machine_translation"] is False
    assert languages["books"] == [{"book_id": "mini", "default_language": "en", "human": ["ur"], "machine": []}]


async def test_machine_translation_keeps_structure_and_is_cached(client_for, book):
    inputs = translation_inputs(
        gears_body(book),
        {"title": "Gears and torque", "sidebar_position": 1, "tags": ["mechanics"]},
    )
    model = ScriptedModel([Turn(text=fake_urdu(text)) for text in inputs], model_name="mt")
    http = await client_for(model)
    body = (await http.get(f"{GEARS}/translated/ur")).json()
    assert body["source"] == "machine" and body["dir"] == "rtl" and body["cache"] == "miss"
    assert body["front_matter"]["title"] == "اردو Gears and torque" and body["front_matter"]["tags"] == ["mechanics"]
    assert "def output_speed(motor_rpm: float, ratio: float) -> float:" in body["markdown"]
    assert "## اردو اردو {#gear-ratio}" in body["markdown"] and "{#backlash}" in body["markdown"]
    again = (await http.get(f"{GEARS}/translated/ur")).json()
    assert again["cache"] == "hit" and again["markdown"] == body["markdown"]
    assert len(model.calls) == len(inputs)
    languages = (await http.get("/api/v1/languages")).json()
    assert languages["books"][0]["machine"] == ["ur"]
    assert (await http.get(f"{GEARS}/translated/fr")).status_code == 503  # not an enabled machine language


async def test_untranslated_output_is_never_labelled_as_translated(client_for):
    model = ScriptedModel([Turn(text="Still English, not Urdu at all.")], repeat_last=True)
    http = await client_for(model)
    response = await http.get(f"{GEARS}/translated/ur")
    assert response.status_code == 503 and response.json()["error"]["code"] == "translation_unavailable"
    selected = await http.post(
        "/api/v1/translate", json={"text": "Gears trade speed for torque.", "target_language": "ur"}
    )
    assert selected.status_code == 503


async def test_selected_text_translation_protects_code_and_urls(client_for):
    model = ScriptedModel([Turn(text="⟦I0⟧ اردو متن ⟦U1⟧ کے ساتھ")], model_name="mt")
    http = await client_for(model)
    response = await http.post(
        "/api/v1/translate",
        json={
            "text": "`ratio()` returns the value, see [docs](https://example.com/x)",
            "target_language": "ur",
        },
    )
    assert response.status_code == 200, response.text
    assert response.json()["text"] == "`ratio()` اردو متن (https://example.com/x) کے ساتھ"
    assert response.json()["dir"] == "rtl"
    prompt = model.calls[0].input
    assert "https://example.com/x" not in json.dumps(prompt) and "ratio()" not in json.dumps(prompt)


# ---------------------------------------------------------------- chat


async def test_offline_chat_routes_to_personalize_and_translate_agents(services, book):
    async with services.db.session() as session, session.begin():
        guest = await UserRepository(session).create_guest()
    chat = chat_with(services, ExtractiveModel(embedder=services.embedder))
    events, _ = await run_turn(chat, guest, "Explain the gears chapter for a mechanical engineer")
    answer = text_of(events)
    assert "Gears and torque" in answer and "adapted to you by fixed rules" in answer
    assert "hardware background professional" in answer
    snapshot = [e for e in events if e.type == EventType.STATE_SNAPSHOT][-1].snapshot
    assert snapshot["route"] == "personalize" and snapshot["citations"]
    events, _ = await run_turn(chat, guest, "Can I read the workshop robots intro chapter in Urdu?")
    answer = text_of(events)
    assert "stored human translation" in answer and "ورکشاپ" in answer
    events, _ = await run_turn(chat, guest, "Translate the gears chapter into Urdu")
    assert "language model" in text_of(events)


async def test_chat_with_a_model_calls_the_translation_tool(services, book):
    from booktutor.providers.fake import ToolCall

    async with services.db.session() as session, session.begin():
        guest = await UserRepository(session).create_guest()
    model = ScriptedModel(
        [
            Turn(tool_calls=[ToolCall("get_translation", {"chapter": "intro", "language": "ur"})]),
            Turn(text="Here is the stored Urdu translation [1]."),
        ]
    )
    events, _ = await run_turn(chat_with(services, model), guest, "Show me the intro in Urdu")
    assert text_of(events) == "Here is the stored Urdu translation [1]."
    results = [e for e in events if e.type == EventType.TOOL_CALL_RESULT]
    assert json.loads(results[0].content)["source_kind"] == "human"
    assert "get_translation" in model.calls[0].tool_names
