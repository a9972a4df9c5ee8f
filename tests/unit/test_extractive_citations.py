"""Which pages an offline answer cites: the page that says it best, even when it says it in code, and no
weakly related page's sentence beside it."""

from __future__ import annotations

import re
from typing import Any

from tests.unit.extractive_support import answer
from tests.unit.extractive_support import hit as section_hit

from booktutor.extractive import ComposedAnswer

FLOCKING = '''## A flocking swarm

```python
class FlockingRobot:
    def steer(self, neighbours: list):
        """
        Steer with the three flocking rules of the swarm:
        - Separation: keep a distance from the nearest neighbours
        - Alignment: turn toward the average heading of the neighbours
        - Cohesion: move toward the average position of the neighbours
        """
        return separation(neighbours) + alignment(neighbours) + cohesion(neighbours)
```
'''
TEAMS = """## Teams of people and robots

- **Role Distribution:** a supervisor assigns the robots their tasks
- **Role Distribution:** a leader robot is followed by the others
"""
SERVICES = """## Services

A service answers one request with one response, and the caller waits until it comes.
A long task behind a service blocks its caller, which cannot follow the progress or cancel it.
"""
BALANCE_OPENING = """# Balance

We begin with stiff position control and finish with the balance concepts every humanoid needs: the centre
of mass, the zero moment point and the capture point where a pushed robot must step to stop.
"""
CAPTURE = """## The capture point

The capture point is the spot on the ground where a pushed robot must step to come to a complete stop.
A robot whose centre of mass moves faster must step farther ahead to stop.
If the capture point lies inside the support polygon, the robot stops without taking a step.
"""
GAINS = """## Tuning the flocking gains

The swarm follows three rules, separation, alignment and cohesion, each weighted by a gain.
A larger separation gain spreads the robots out; a larger cohesion gain keeps the swarm tight.
"""
RISK = '''## Risk assessment

Engineers fill it in before deployment.

```python
class Hazard:
    def risk_level(self) -> str:
        """Risk level of a hazard from its risk score (severity times probability)."""
        score = self.severity * self.probability
        if score <= 4:
            return "LOW"
        if score <= 9:
            return "MEDIUM"
        return "HIGH"
```
'''
EXPLORATION = """## Safe exploration

A robot that explores without limits is a hazard to the people around it.
Learning on a real robot needs a safety check before every action.
"""
ACTION_PATTERN = """## Action pattern

Like services, actions have a goal and a result, and send feedback.
"""
ACTION_BASICS = """## Actions

Like services, actions have a goal and a result.
Actions suit long tasks such as navigation.
"""


def hit(n: int, text: str, heading: str, doc: str, title: str = "Book") -> dict[str, Any]:
    return section_hit(n, text, heading, doc=doc, title=title)


def cited_docs(composed: ComposedAnswer, results: list[dict[str, Any]]) -> set[str]:
    numbers = {int(n) for n in re.findall(r"\[(\d+)\]", composed.text)}
    return {r["doc_path"] for r in results if r["n"] in numbers}


async def test_a_page_that_says_it_only_in_code_is_answered_with_its_code(embedder: Any) -> None:
    results = [hit(1, FLOCKING, "A flocking swarm", "future/swarms.md"), hit(2, TEAMS, "Teams", "hri/teams.md")]
    composed = await answer("What rules do the robots follow in the flocking swarm?", results, embedder)
    assert not composed.abstained
    assert "Separation: keep a distance" in composed.text and "Cohesion" in composed.text
    assert "Role Distribution" not in composed.text  # the weakly related page's list is not quoted
    assert cited_docs(composed, results) == {"future/swarms.md"}


async def test_prose_from_the_page_that_holds_the_code_is_still_quoted(embedder: Any) -> None:
    results = [
        hit(1, FLOCKING, "A flocking swarm", "future/swarms.md"),
        hit(2, GAINS, "Tuning the flocking gains", "future/swarms.md"),
        hit(3, TEAMS, "Teams", "hri/teams.md"),
    ]
    composed = await answer("What rules do the robots follow in the flocking swarm?", results, embedder)
    assert "separation, alignment and cohesion" in composed.text
    assert "Role Distribution" not in composed.text
    assert cited_docs(composed, results) == {"future/swarms.md"}


async def test_a_why_question_is_answered_in_prose_beside_the_code(embedder: Any) -> None:
    results = [
        hit(1, FLOCKING, "A flocking swarm", "future/swarms.md"),
        hit(2, SERVICES, "Services", "ros/services.md"),
    ]
    composed = await answer("Why does the flocking swarm not use a service for each robot?", results, embedder)
    assert not body_is_only_code(composed)


async def test_a_chapter_opening_that_only_repeats_the_answer_is_not_cited(embedder: Any) -> None:
    """The opening under the page's title heading (anchored at the title) introduces the chapter; once the
    answer has begun, it is quoted only if it adds a word of the question."""
    results = [
        hit(1, CAPTURE, "The capture point", "motion/balance.md", title="Balance"),
        hit(2, BALANCE_OPENING, "Balance", "motion/balance.md", title="Balance"),
    ]
    composed = await answer("Where must a pushed robot step to stop?", results, embedder)
    assert "capture point is the spot on the ground" in composed.text
    assert "We begin with stiff position control" not in composed.text
    assert "[2]" not in composed.text


async def test_prose_of_another_page_is_not_quoted_beside_code_that_answers_far_better(embedder: Any) -> None:
    """The risk levels are stated only in the page's code; another page's prose that merely mentions a
    hazard matches far less well than that code, so it is not quoted (nor cited) beside it."""
    results = [
        hit(1, RISK, "Risk assessment", "safety/risk.md"),
        hit(2, EXPLORATION, "Safe exploration", "learning/explore.md"),
    ]
    composed = await answer(
        "In the risk assessment, what risk level does a hazard with a medium score get?", results, embedder
    )
    assert 'return "MEDIUM"' in composed.text
    assert "explores without limits" not in composed.text
    assert cited_docs(composed, results) == {"safety/risk.md"}


async def test_a_page_whose_sentence_another_page_says_in_full_leaves_no_filler_behind(embedder: Any) -> None:
    """The second page joined on a sentence that the first page's line says in full; once that sentence is
    left out as a repeat, the second page has nothing nearly as relevant left to cite."""
    results = [
        hit(1, ACTION_PATTERN, "Action pattern", "ros/patterns.md"),
        hit(2, ACTION_BASICS, "Actions", "ros/basics.md"),
    ]
    composed = await answer("How are actions like services?", results, embedder)
    assert "actions have a goal and a result, and send feedback" in composed.text
    assert "Actions suit long tasks" not in composed.text
    assert cited_docs(composed, results) == {"ros/patterns.md"}


def body_is_only_code(composed: ComposedAnswer) -> bool:
    return composed.text.startswith("From the book [")
