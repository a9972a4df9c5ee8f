"""The learner's preferences: background, level, goals and preferred language."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from booktutor.api.deps import CurrentUser, IdempotencyDep, ServicesDep
from booktutor.personalize.preferences import PreferencesRepository
from booktutor.personalize.profile import LanguageCode, PreferencesIn, PreferencesOut

router = APIRouter(tags=["preferences"])


class LanguageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    language: LanguageCode


@router.get("/users/me/preferences", response_model=PreferencesOut)
async def get_preferences(user: CurrentUser, services: ServicesDep) -> PreferencesOut:
    """The caller's learner profile: background, level, goals and language."""
    async with services.db.session() as session:
        return await PreferencesRepository(session).get(user.id)


@router.post("/users/me/preferences", response_model=PreferencesOut)
async def update_preferences(
    body: PreferencesIn, user: CurrentUser, services: ServicesDep, idempotency: IdempotencyDep
):
    """Set the fields given in the body; fields left out keep their stored value."""

    async def compute():
        async with services.db.session() as session, session.begin():
            stored = await PreferencesRepository(session).update(user.id, body.model_dump(exclude_unset=True))
        return 200, stored.model_dump()

    return await idempotency.run(compute)


@router.put("/user/language", response_model=PreferencesOut)
async def set_language(body: LanguageIn, user: CurrentUser, services: ServicesDep, idempotency: IdempotencyDep):
    """Set the caller's preferred language."""

    async def compute():
        async with services.db.session() as session, session.begin():
            stored = await PreferencesRepository(session).update(user.id, {"preferred_language": body.language})
        return 200, stored.model_dump()

    return await idempotency.run(compute)
