"""An Urdu question on a book with Urdu pages, through the real graph with the offline answerer.

Translated pages keep technical terms in English ("IMU", "gyroscope") inside Urdu sentences. An Urdu
question that names such a term is answered from the Urdu sentence that uses it, cited to the Urdu
page; one that shares no word with the book still abstains in Urdu. Real Postgres, Qdrant Edge and
MiniLM over pages written here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.integration.conftest import build_test_services
from tests.integration.offline_answers import ask_offline

from booktutor.ingest.pipeline import Ingestor
from booktutor.memory.database import raw_connection
from booktutor.retrieval import lexeme_stats
from booktutor.retrieval.lexical import LexicalSearch
from booktutor.tools.book import search_book_results
from booktutor.tools.context import ToolContext

pytestmark = pytest.mark.integration

ENGLISH = """---
title: Sensors
---

# Sensors

Sensors tell the robot about its own body and about the world around it.

## Inertial measurement units

An IMU combines accelerometers and gyroscopes to estimate how the body is tilted and how fast it turns.
"""

URDU = """---
title: سینسر
---

# سینسر

سینسر روبوٹ کو اس کے اپنے جسم اور اردگرد کی دنیا کے بارے میں بتاتے ہیں۔

## IMU

IMU میں accelerometer اور gyroscope ہوتے ہیں جو جسم کا جھکاؤ اور گھومنے کی رفتار ناپتے ہیں۔
"""


@pytest.fixture
def services(test_settings, clean_db, edge_store, local_embedder):
    return build_test_services(test_settings, clean_db, edge_store, local_embedder)


@pytest.fixture
async def book(services, tmp_path: Path) -> Path:
    root = tmp_path / "book"
    (root / "docs").mkdir(parents=True)
    urdu = root / "i18n" / "ur" / "docusaurus-plugin-content-docs" / "current"
    urdu.mkdir(parents=True)
    (root / "docs" / "sensors.md").write_text(ENGLISH, encoding="utf-8")
    (urdu / "sensors.md").write_text(URDU, encoding="utf-8")
    await Ingestor(services.db, services.store, services.embedder).ingest(root, book_id="sensors")
    return root


async def test_an_urdu_question_naming_an_english_term_is_answered_from_the_urdu_page(services, book, guest):
    text, state = await ask_offline(services, guest, "IMU کا کردار کیا ہے؟", book_id="sensors")

    assert state["abstained"] is False, text
    assert text.startswith("IMU میں accelerometer اور gyroscope ہوتے ہیں"), text
    assert state["citations"] and all("/ur/" in c["anchor_url"] for c in state["citations"]), state["citations"]


async def test_an_urdu_question_sharing_no_word_with_the_book_abstains_in_urdu(services, book, guest):
    text, state = await ask_offline(services, guest, "کوانٹم کمپیوٹر کیسے کام کرتا ہے؟", book_id="sensors")

    assert state["abstained"] is True, text
    assert text.startswith("کتاب میں اس سوال کا جواب نہیں ہے۔"), text


async def _result_languages(services, question: str, book_id: str, language: str = "en") -> list[str]:
    ctx = ToolContext(services=services, user_id=None, book_id=book_id, language=language)
    return [r["language"] for r in (await search_book_results(ctx, question))["results"]]


async def test_a_question_searches_the_pages_in_its_own_language(services, book):
    # The Urdu page says what the English one says: it would only take a place among the results.
    assert set(await _result_languages(services, "How does an IMU estimate tilt?", "sensors")) == {"en"}
    assert set(await _result_languages(services, "IMU جھکاؤ کیسے ناپتا ہے؟", "sensors")) == {"ur"}
    assert set(await _result_languages(services, "How does an IMU estimate tilt?", "sensors", "ur")) == {"en"}


async def test_a_question_in_a_language_the_book_lacks_searches_the_whole_book(services, tmp_path: Path):
    root = tmp_path / "english_only"
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "sensors.md").write_text(ENGLISH, encoding="utf-8")
    await Ingestor(services.db, services.store, services.embedder).ingest(root, book_id="english-only")

    assert set(await _result_languages(services, "IMU جھکاؤ کیسے ناپتا ہے؟", "english-only")) == {"en"}


SIZE = "ایک بڑا ہیومنائیڈ تقریباً 1.7 میٹر اونچا ہوتا ہے اور اس کا وزن 60 کلوگرام ہوتا ہے۔"
FILLER = (
    "روبوٹ کا ایک بازو ہوتا ہے اور اس کا ایک ہاتھ ہوتا ہے۔ روبوٹ کا ایک سر ہوتا ہے اور اس کا ایک کیمرہ ہوتا ہے۔ "
    "روبوٹ کا ایک پہیہ ہوتا ہے اور اس کا ایک موٹر ہوتا ہے۔ روبوٹ کا ایک بٹن ہوتا ہے اور اس کا ایک تار ہوتا ہے۔"
)
URDU_PAGES = {
    "size.md": f"---\ntitle: جسامت\n---\n\n# جسامت\n\n## قد اور وزن\n\n{SIZE}\n",
    **{
        f"{name}.md": f"---\ntitle: {title}\n---\n\n# {title}\n\n## {title} کا خاکہ\n\n{FILLER}\n"
        for name, title in (("arms", "بازو"), ("head", "سر"), ("wheels", "پہیے"), ("buttons", "بٹن"), ("wires", "تار"))
    },
}


@pytest.fixture
async def urdu_book(services, tmp_path: Path) -> Path:
    """Urdu pages whose function words and 'روبوٹ' are everywhere; one page holds the size words."""
    root = tmp_path / "urdu-book"
    urdu = root / "i18n" / "ur" / "docusaurus-plugin-content-docs" / "current"
    urdu.mkdir(parents=True)
    (root / "docs").mkdir()
    for name, text in URDU_PAGES.items():
        (root / "docs" / name).write_text(
            f"---\ntitle: {name[:-3]}\n---\n\n# {name[:-3].title()}\n\nSee the Urdu page.\n"
        )
        (urdu / name).write_text(text, encoding="utf-8")
    await Ingestor(services.db, services.store, services.embedder).ingest(root, book_id="urdu-sizes")
    return root


QUESTION_SIZE = "ایک ہیومنائیڈ روبوٹ کتنا اونچا ہوتا ہے اور اس کا وزن کتنا ہوتا ہے؟"


async def test_full_text_ranks_an_urdu_questions_own_words_above_urdus_function_words(services, urdu_book):
    """Postgres has no Urdu stop words: ranked, 'of', 'and', 'is' and 'robot', in every page, would put the
    pages that repeat them most first; the page that has the question's own words (height, weight) leads."""
    lexeme_stats.forget()
    async with raw_connection(services.db) as conn:
        hits = await LexicalSearch(conn).search(QUESTION_SIZE, limit=10, book_id="urdu-sizes", language="ur")
        pages = {row[0]: row[1] for row in await conn.fetch(_PAGE_OF_CHUNK)}
    assert [pages[hit.chunk_id] for hit in hits][:1] == ["size.md"], [pages[hit.chunk_id] for hit in hits]


async def test_an_urdu_question_is_answered_from_the_page_with_its_own_words(services, urdu_book, guest):
    ctx = ToolContext(services=services, user_id=None, book_id="urdu-sizes")
    payload = await search_book_results(ctx, QUESTION_SIZE)
    assert payload["results"][0]["doc_path"] == "size.md", [r["doc_path"] for r in payload["results"]]

    text, _state = await ask_offline(services, guest, QUESTION_SIZE, book_id="urdu-sizes")
    assert text.startswith(SIZE), text


_PAGE_OF_CHUNK = "SELECT ch.id, d.source_path FROM chunks ch JOIN documents d ON d.id = ch.document_id"
