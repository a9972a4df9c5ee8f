"""Personalization on a book written in another author's style, over HTTP on real Postgres.

The fixture book (tests/fixtures/warehouse_course) uses MDX imports and JSX components,
admonitions with plain titles (`:::tip Real-World Analogy`), a "Check Your Understanding"
section with answers, `<details>` solutions, a quiz page with an answer key, no key-terms
section and no audience blocks. Models are the offline extractive answerer or a ScriptedModel.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager

from booktutor.api.app import create_app
from booktutor.markdown.front_matter import split_front_matter
from booktutor.markdown.learner_view import learner_markdown
from booktutor.personalize.adapt import filter_audience_blocks
from booktutor.personalize.profile import LearnerProfile
from booktutor.personalize.report import leaks
from booktutor.personalize.service import plan_rewrite
from booktutor.providers.extractive_model import ExtractiveModel
from booktutor.providers.fake import ScriptedModel, Turn

pytestmark = pytest.mark.integration
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "warehouse_course"
BOOK = "/api/v1/books/wh/chapters"
CHAPTERS = ["intro", "navigation/wheel-odometry", "navigation/lidar-mapping", "navigation/path-planning"]
PROFILES = [  # every addition at least once, within the generation rate limit (20 a minute)
    {"level": "beginner", "software_background": "professional", "hardware_background": "professional"},
    {"level": "intermediate"},
    {"level": "advanced", "software_background": "some", "hardware_background": "some"},
]
LEAKS = [
    "**Answer:**",
    "Show answer",
    "Answer Key",
    "Check Your Understanding",
    "7,200 readings",  # a solution in <details>
    "import Tabs",
    "import {",
    "<PersonalizeButton",
    "<Tabs",
    "<Figure",
    "<CourseBanner",
    "style={{",
    "False. Odometry errors",
]


@pytest.fixture
async def book(ingestor):
    await ingestor.ingest(FIXTURE, book_id="wh", title="Warehouse robots")


@pytest.fixture
async def app_for(services, book):
    opened = []

    async def make(model):
        app = create_app(services=services, model=model)
        manager = LifespanManager(app)
        await manager.__aenter__()
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
        opened.append((manager, http))
        return http

    yield make
    for manager, http in opened:
        await http.aclose()
        await manager.__aexit__(None, None, None)


async def chapter_keys(http: httpx.AsyncClient) -> dict[str, str]:
    listing = (await http.get("/api/v1/books/wh/chapters")).json()["chapters"]
    return {c["doc_path"].rsplit(".", 1)[0]: c["id"] for c in listing}


async def personalized(http: httpx.AsyncClient, key: str, **params: str) -> dict:
    response = await http.get(f"{BOOK}/{key}/personalized", params=params)
    assert response.status_code == 200, response.text
    return response.json()


# ---------------------------------------------------------------- the first-time guest


async def test_a_first_time_guest_saving_preferences_gets_a_token_and_a_personalized_chapter(app_for):
    http = await app_for(ExtractiveModel())
    saved = await http.post(
        "/api/v1/users/me/preferences", json={"experience_level": "beginner"}, headers={"Idempotency-Key": "first"}
    )
    assert saved.status_code == 200 and saved.json()["experience_level"] == "beginner"
    token = saved.headers.get("X-Guest-Token")
    assert token and "booktutor_guest" in saved.headers.get("set-cookie", "")
    # the cookie alone (as a browser sends it) finds the same guest, whose profile applies
    keys = await chapter_keys(http)
    body = await personalized(http, keys["navigation/lidar-mapping"])
    assert body["profile"]["experience_level"] == "beginner" and ":::tip[Key ideas]" in body["markdown"]
    replay = await http.post(
        "/api/v1/users/me/preferences",
        json={"experience_level": "beginner"},
        headers={"Idempotency-Key": "first", "X-Guest-Token": token},
    )
    assert replay.headers["Idempotent-Replayed"] == "true" and replay.json() == saved.json()

    fresh = await app_for(ExtractiveModel())
    language = await fresh.put("/api/v1/user/language", json={"language": "ur"})
    assert language.status_code == 200 and language.headers.get("X-Guest-Token")
    stored = await fresh.get(
        "/api/v1/users/me/preferences", headers={"X-Guest-Token": language.headers["X-Guest-Token"]}
    )
    assert stored.json()["preferred_language"] == "ur"

    streaming = await app_for(ExtractiveModel())
    stream = await streaming.get(
        f"{BOOK}/{keys['navigation/lidar-mapping']}/personalized", headers={"Accept": "text/event-stream"}
    )
    assert stream.headers.get("X-Guest-Token")


# ---------------------------------------------------------------- offline adaptation


async def test_every_profile_changes_the_chapter_from_the_chapter_itself(app_for):
    http = await app_for(ExtractiveModel())
    keys = await chapter_keys(http)
    lidar = keys["navigation/lidar-mapping"]
    plain = learner_markdown(split_front_matter((FIXTURE / "docs/navigation/lidar-mapping.mdx").read_text())[1])

    beginner = (await personalized(http, lidar, level="beginner"))["markdown"]
    assert ":::note[Before you start]" in beginner
    before = beginner.split(":::note[Before you start]")[1].split(":::")[0]
    assert "[Chapter 1: Wheel Odometry](/docs/navigation/wheel-odometry)" in before
    assert "odometry" in before.lower() and "drift" in before.lower() and "quiz" not in before.lower()
    assert "> **Odometry**: Odometry is the estimate of a robot's position" in beginner  # defined at first use
    assert beginner.index("> **Odometry**") < beginner.index("## How a Lidar Sees")
    ideas = re.findall(r":::tip\[Key ideas\]\n(.*?)\n:::", beginner, re.DOTALL)
    assert len(ideas) >= 2 and "(#occupancy-grids)" in "".join(ideas)
    for box in ideas:  # quoted from the section itself
        for item in box.splitlines():
            sentence = re.sub(r" \(\[[^\]]+\]\(#[^)]+\)\)$", "", item[2:])
            assert sentence.replace("**", "") in plain.replace("**", "")

    advanced = (await personalized(http, lidar, level="advanced"))["markdown"]
    assert advanced != plain and advanced.index(":::info[Summary]") < advanced.index("## How a Lidar Sees")
    assert "> **" not in advanced and "Key ideas" not in advanced

    path = keys["navigation/path-planning"]
    advanced_path = (await personalized(http, path, level="advanced"))["markdown"]
    assert advanced_path.index(":::info[Summary]") < advanced_path.index("## Searching the Grid")
    assert "## Summary" not in advanced_path  # the chapter's own summary, moved first
    odometry = keys["navigation/wheel-odometry"]
    folded = (await personalized(http, odometry, level="advanced"))["markdown"]
    assert "<details>\n<summary>Real-World Analogy (for beginners)</summary>" in folded

    software = (await personalized(http, lidar, software_background="professional"))["markdown"]
    assert ":::info[For software readers]" in software and "`update_cell`" in software
    assert ":::tip For Software Engineers" in software
    hardware = (await personalized(http, lidar, hardware_background="professional"))["markdown"]
    assert ":::info[For hardware readers]" in hardware and "12 m" in hardware


async def test_nothing_leaks_from_any_chapter_in_any_view(app_for):
    http = await app_for(ExtractiveModel())
    keys = await chapter_keys(http)
    assert "checks/module-1-quiz" in keys
    views = {}
    for key in keys.values():
        for index, profile in enumerate(PROFILES):
            text = views[key, index] = (await personalized(http, key, **profile))["markdown"]
            for leak in LEAKS:
                assert leak not in text, (key, profile, leak)
            assert leaks(text) == [], (key, profile)
    quiz_page = views[keys["checks/module-1-quiz"], 0]
    assert "320,000" not in quiz_page and "1. c" not in quiz_page and "# Module 1 Quiz" in quiz_page
    urdu = (await http.get(f"{BOOK}/{keys['navigation/wheel-odometry']}/translated/ur")).json()
    assert urdu["source"] == "human" and "جواب" not in urdu["markdown"] and "import {" not in urdu["markdown"]
    assert ":::tip مثال" in urdu["markdown"]


async def test_demo_site_renders_boxes_and_folds_and_never_quizzes_or_jsx(app_for, services):
    services.settings.site_book_id = "wh"
    http = await app_for(ExtractiveModel())
    page = await http.get("/docs/navigation/wheel-odometry")
    assert page.status_code == 200
    html = page.text
    assert (
        '<div class="admonition admonition-tip" role="note"><p class="admonition-title">Real-World Analogy</p>' in html
    )
    for leak in ["**Answer:**", "Show answer", "Check Your Understanding", "import {", "&lt;PersonalizeButton"]:
        assert leak not in html
    keys = await chapter_keys(http)
    advanced = await personalized(http, keys["navigation/wheel-odometry"], level="advanced")
    rendered = (await http.post("/site/render", json={"markdown": advanced["markdown"]})).json()["html"]
    assert '<details class="fold"><summary>Real-World Analogy (for beginners)</summary>' in rendered
    assert '<div class="admonition admonition-info" role="note"><p class="admonition-title">Summary</p>' in rendered
    assert ":::" not in rendered
    urdu_page = await http.get("/ur/docs/navigation/wheel-odometry")
    assert "جواب" not in urdu_page.text and "admonition-tip" in urdu_page.text


# ---------------------------------------------------------------- rewrites by a model


def rewrite_plans(profile: LearnerProfile) -> list[str]:
    body = learner_markdown(split_front_matter((FIXTURE / "docs/navigation/lidar-mapping.mdx").read_text())[1])
    return plan_rewrite(filter_audience_blocks(body, profile))


async def test_rewrites_that_add_facts_or_drop_content_fall_back_to_the_adaptation(app_for):
    plans = rewrite_plans(LearnerProfile(level="beginner"))
    invented = f"{plans[1]}\n\nThe first one was sold by Siemens in 1987."
    dropped = "Lidar."
    turns = [
        Turn(text=f"Put simply: {plans[0]}"),
        Turn(text=invented),
        Turn(text=invented),
        Turn(text=dropped),
        Turn(text=dropped),
        *[Turn(text=f"Put simply: {p}") for p in plans[3:]],
    ]
    model = ScriptedModel(turns, model_name="scripted-writer")
    http = await app_for(model)
    keys = await chapter_keys(http)
    body = await personalized(http, keys["navigation/lidar-mapping"], level="beginner")
    assert body["mode"] == "rewritten"
    assert body["adapted_sections"] == ["## How a Lidar Sees", "## Occupancy Grids"]
    assert "Siemens" not in body["markdown"] and "1987" not in body["markdown"]
    retry = json.dumps(model.calls[2].input)
    assert "new name Siemens" in retry and "new number 1987" in retry
    assert "content dropped" in json.dumps(model.calls[4].input)
    code = "def update_cell(p_old, hit, p_hit=0.7, p_miss=0.4):\n    p = p_hit if hit else p_miss\n"
    assert code in body["markdown"]
    assert len(model.calls) == len(turns)
