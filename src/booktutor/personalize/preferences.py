"""Stored learner preferences (one row per user, guests included)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from booktutor.memory.personalization_models import UserPreferences
from booktutor.personalize.profile import LearnerProfile, PreferencesOut

_FIELDS = (
    "software_background",
    "hardware_background",
    "experience_level",
    "goals",
    "preferred_language",
)


class PreferencesRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, user_id: uuid.UUID) -> PreferencesOut:
        row = await self.session.get(UserPreferences, user_id, populate_existing=True)
        if row is None:
            return PreferencesOut()
        return PreferencesOut(**{name: getattr(row, name) for name in _FIELDS})

    async def update(self, user_id: uuid.UUID, changes: dict[str, Any]) -> PreferencesOut:
        """Set the given fields (others keep their value); creates the row on first write."""
        values = {k: v for k, v in changes.items() if k in _FIELDS}
        if values.get("goals") is None and "goals" in values:
            values["goals"] = []
        if "preferred_language" in values and values["preferred_language"]:
            values["preferred_language"] = values["preferred_language"].lower()
        stmt = pg_insert(UserPreferences).values(user_id=user_id, **{"goals": [], **values})
        stmt = stmt.on_conflict_do_update(
            index_elements=[UserPreferences.user_id], set_={**values, "updated_at": func.now()}
        )
        await self.session.execute(stmt)
        return await self.get(user_id)

    async def profile(self, user_id: uuid.UUID | None) -> LearnerProfile:
        if user_id is None:
            return LearnerProfile()
        return LearnerProfile.from_mapping((await self.get(user_id)).model_dump())
