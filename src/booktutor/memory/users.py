"""Users: every request gets an identity; without an account it is an anonymous guest."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from booktutor.memory.models import User


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
