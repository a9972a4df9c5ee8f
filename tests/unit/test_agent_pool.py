"""Each run borrows an Agent object no other run in flight holds; later runs reuse the objects."""

from __future__ import annotations

from agents import Agent

from booktutor.graph.agent_pool import AgentPool


def _agent() -> Agent[None]:
    return Agent(name="answer", instructions="Answer from the book.")


def test_runs_in_flight_hold_agents_of_their_own_with_the_same_configuration():
    pool = AgentPool(_agent())
    with pool.lend() as first, pool.lend() as second:
        assert first is not second
        assert (second.name, second.instructions, second.tools) == (first.name, first.instructions, first.tools)


def test_a_finished_run_hands_its_agent_to_the_next():
    pool = AgentPool(_agent())
    with pool.lend() as first, pool.lend() as second:
        lent = {id(first), id(second)}
    with pool.lend() as again, pool.lend() as also:
        assert {id(again), id(also)} == lent


def test_only_max_idle_agents_are_kept_after_a_burst():
    pool = AgentPool(_agent(), max_idle=1)
    with pool.lend() as first, pool.lend() as second:
        lent = {id(first), id(second)}
    with pool.lend() as kept, pool.lend() as fresh:
        assert id(kept) in lent and id(fresh) not in lent
