"""Users: every request gets an identity; without an account it is an anonymous guest."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import delete, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from booktutor.memory.database import rows_affected
from booktutor.memory.models import Thread, User
from booktutor.memory.personalization_models import UserPreferences
from booktutor.memory.tutoring_models import Mastery, Quiz

PRUNE_BATCH = 1000


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def create_guest(self) -> User:
        user = User(id=uuid.uuid4(), kind="guest", role="learner")
        self.session.add(user)
        await self.session.flush()
        return user

    async def get(self, user_id: uuid.UUID) -> User | None:
        return await self.session.get(User, user_id)

    async def set_display_name(self, user: User, display_name: str | None) -> User:
        """`user` (possibly loaded by another session) renamed in this session; the caller commits."""
        user = await self.session.merge(user)
        user.display_name = display_name
        return user

    async def prune_idle_guests(self, older_than: timedelta, batch: int = PRUNE_BATCH) -> int:
        """Delete up to `batch` guests created before now - older_than that have nothing stored: no
        threads, quizzes, mastery or preferences (what is left of them cascades). The caller commits."""
        idle = (
            select(User.id)
            .where(
                User.kind == "guest",
                User.created_at < func.now() - older_than,
                ~exists().where(Thread.owner_id == User.id),
                ~exists().where(Quiz.owner_id == User.id),
                ~exists().where(Mastery.user_id == User.id),
                ~exists().where(UserPreferences.user_id == User.id),
            )
            .limit(batch)
            .with_for_update(skip_locked=True)
        )
        result = await self.session.execute(
            delete(User).where(User.id.in_(idle)).execution_options(synchronize_session=False)
        )
        return rows_affected(result)
