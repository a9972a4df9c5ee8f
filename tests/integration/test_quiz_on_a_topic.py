""" "Quiz me on <topic>" asks about the topic: when the chapter the search ranks first holds the topic only in
code (no question of it names the topic), the quiz starts on another chapter the search found whose questions
do. Over HTTP, real Postgres, Qdrant Edge, MiniLM and the offline tutor, on pages written here."""

from __future__ import annotations

import uuid

import pytest
from tests.integration.http_helpers import guest_client
from tests.integration.offline_answers import ingest_pages
from tests.integration.test_tutoring_any_book import _chat

from booktutor.errors import ChapterNotFound
from booktutor.graph.quiz_target import quiz_target
from booktutor.graph.state import RunDeps
from booktutor.providers.extractive_model import ExtractiveModel
from booktutor.retrieval.search import SearchQuery

pytestmark = pytest.mark.integration

PLANNING = """# Motion planning

## Planning a path

Motion planning finds a path for the arm from its start pose to its goal pose around every obstacle.
A planner samples poses, keeps those without collisions and joins them into a path.

## Reach solver

The reach solver, in code:

```python
class ReachSolver:
    \"\"\"Reach solver: joint angles that put the hand on a target.\"\"\"

    def solve(self, target):
        return self.iterate(target)
```

## Velocity limits

Every joint of the arm has a velocity limit that the planner respects when it times a path.
"""
ARMS = """# Arm basics

## Arm kinematics

How the joints relate to where the hand ends up:

### Forward reach
- Given joint angles, compute where the hand is
- Runs once per control cycle

### Reach solver
- Given a hand target, compute the joint angles
- Iterates until the hand error is small

### Joint encoders
- Measure each joint's angle for the controller
- Count ticks on a disc
"""


@pytest.fixture
async def http(services, tmp_path):
    await ingest_pages(services, tmp_path, {"planning.md": PLANNING, "arms.md": ARMS}, book_id="workshop")
    async with guest_client(services, model=ExtractiveModel(embedder=services.embedder)) as client:
        yield client


async def test_a_topic_quiz_starts_where_a_question_names_the_topic(http, services):
    found = await services.searcher.search(SearchQuery(text="reach solver", k=8, book_id="workshop"))
    assert found.hits[0].doc_path == "planning.md"  # the search ranks the code-only chapter first
    reply, _ = await _chat(http, "quiz me on the reach solver", "t-topic")
    assert reply.startswith("Let's practise! Question 1 of"), reply
    first_question = reply.split("\n")[0]
    assert "Given a hand target, compute the joint angles" in first_question, reply


COURSE = {
    "welcome.md": "# Welcome\n\n## How the course runs\n\nLesson 2.1 and Lesson 2.2 each end with an activity. "
    "Read Lesson 2.2 after Lesson 2.1: Lesson 2.2 builds on the broker from Lesson 2.1.\n",
    "unit-2/lesson-2-1-brokers.md": "# Lesson 2.1 — Brokers\n\nA broker forwards each message to its subscribers.\n",
    "unit-2/lesson-2-2-acks.md": "# Lesson 2.2 — Acknowledgements\n\nAn acknowledgement says a message arrived.\n",
    "unit-3/lesson-3-1-power.md": "# Lesson 3.1 — Power\n\nSleep saves power between readings.\n",
}


async def test_a_quiz_on_a_numbered_part_starts_on_its_page(services, tmp_path):
    """ "Quiz me on Lesson 2.2" is the page numbered 2.2 (by its path or title), not the page that names it most
    often; "unit 3" its one page; "unit 2" names two pages, so no one page by number."""
    await ingest_pages(services, tmp_path, COURSE, book_id="workshop")
    deps = RunDeps(services=services, agents={}, router=None)  # type: ignore[arg-type]
    lesson = await quiz_target(deps, uuid.uuid4(), "workshop", "Quiz me on Lesson 2.2", None)
    unit = await quiz_target(deps, uuid.uuid4(), "workshop", "quiz me on unit 3", None)
    assert (lesson.chapter, unit.chapter) == ("unit-2-lesson-2-2-acks", "unit-3-lesson-3-1-power")
    assert (await quiz_target(deps, uuid.uuid4(), "workshop", "quiz me on unit 2", None)).topic == "unit 2"


async def test_a_quiz_on_a_dotted_chapter_number_is_on_that_lesson_not_the_whole_chapter(services, tmp_path):
    """ "Quiz me on chapter 2.1" of a course that numbers its lessons 2.1, 2.2: Lesson 2.1, not the book's second
    chapter; "chapter 2.3", which the course does not have, is said not to be there."""
    await ingest_pages(services, tmp_path, COURSE, book_id="workshop")
    deps = RunDeps(services=services, agents={}, router=None)  # type: ignore[arg-type]
    lesson = await quiz_target(deps, uuid.uuid4(), "workshop", "Quiz me on chapter 2.1", None)
    assert lesson.chapter == "unit-2-lesson-2-1-brokers", lesson
    with pytest.raises(ChapterNotFound, match="chapter 2.3"):
        await quiz_target(deps, uuid.uuid4(), "workshop", "Quiz me on chapter 2.3", None)
