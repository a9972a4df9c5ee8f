"""Built-in accounts: register, log in, rotate refresh tokens (with reuse detection), log out,
adopt a guest's threads, delete everything a user owns."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Table, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from booktutor.auth.passwords import hash_password, needs_rehash, verify_password
from booktutor.auth.tokens import digest, issue_access_token, new_refresh_token
from booktutor.config import Settings
from booktutor.errors import EmailTaken, InvalidCredentials, InvalidToken, RefreshTokenReused
from booktutor.memory.account_models import Credential, RefreshToken
from booktutor.memory.models import User
from booktutor.memory.registry import Base


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    user: User


def normalise_email(email: str) -> str:
    return email.strip().lower()


class AccountService:
    def __init__(self, session: AsyncSession, settings: Settings, secret: str) -> None:
        self.session, self.settings, self.secret = session, settings, secret

    async def register(self, email: str, password: str, display_name: str | None, guest: User | None) -> TokenPair:
        email = normalise_email(email)
        if await self.session.scalar(select(User.id).where(User.email == email)) is not None:
            raise EmailTaken("An account with this email already exists.")
        role = "admin" if email in {normalise_email(e) for e in self.settings.admin_emails} else "learner"
        user = User(id=uuid.uuid4(), kind="account", role=role, email=email, display_name=display_name)
        self.session.add(user)
        await self.session.flush()
        self.session.add(Credential(user_id=user.id, password_hash=await hash_password(password)))
        if guest is not None:
            await self.adopt_guest(guest, user)
        return await self._issue(user, family_id=uuid.uuid4())

    async def login(self, email: str, password: str, guest: User | None) -> TokenPair:
        user = await self.session.scalar(select(User).where(User.email == normalise_email(email)))
        credential = await self.session.get(Credential, user.id) if user else None
        if not await verify_password(credential.password_hash if credential else None, password):
            raise InvalidCredentials("The email or password is not correct.")
        assert user is not None and credential is not None
        if needs_rehash(credential.password_hash):
            credential.password_hash = await hash_password(password)
        if guest is not None and guest.id != user.id:
            await self.adopt_guest(guest, user)
        return await self._issue(user, family_id=uuid.uuid4())

    async def refresh(self, token: str) -> TokenPair:
        """Rotate: the presented token is spent and a new one of the same family returned.

        A spent or revoked token coming back means it was copied: the family is revoked."""
        stored = await self.session.scalar(
            select(RefreshToken).where(RefreshToken.token_hash == digest(token)).with_for_update()
        )
        now = datetime.now(UTC)
        if stored is None or stored.expires_at <= now:
            raise InvalidToken("The refresh token is not valid.")
        if stored.used_at is not None or stored.revoked_at is not None:
            await self.revoke_family(stored.family_id)
            raise RefreshTokenReused(
                "This refresh token was already used; the session has been revoked.",
                details={"user_id": str(stored.user_id)},
            )
        stored.used_at = now
        user = await self.session.get(User, stored.user_id)
        if user is None:
            raise InvalidToken("The refresh token is not valid.")
        return await self._issue(user, family_id=stored.family_id)

    async def logout(self, token: str) -> None:
        stored = await self.session.scalar(select(RefreshToken).where(RefreshToken.token_hash == digest(token)))
        if stored is not None:
            await self.revoke_family(stored.family_id)

    async def revoke_family(self, family_id: uuid.UUID) -> None:
        await self.session.execute(
            update(RefreshToken)
            .where(
                RefreshToken.family_id == family_id,
                RefreshToken.revoked_at.is_(None),
            )
            .values(revoked_at=datetime.now(UTC))
        )

    async def adopt_guest(self, guest: User, user: User) -> None:
        """Signing up keeps what was done as a guest: every row with an `owner_id` (threads with
        their messages, runs, quizzes …) moves to the account; the guest is then deleted."""
        if guest.kind != "guest":
            return
        for table in _owned_tables():
            await self.session.execute(update(table).where(table.c.owner_id == guest.id).values(owner_id=user.id))
        await self.session.execute(delete(User).where(User.id == guest.id))

    async def delete_user(self, user: User) -> None:
        """Every table that holds a user's data references users ON DELETE CASCADE."""
        await self.session.execute(delete(User).where(User.id == user.id))

    async def _issue(self, user: User, family_id: uuid.UUID) -> TokenPair:
        refresh = new_refresh_token()
        self.session.add(
            RefreshToken(
                user_id=user.id,
                family_id=family_id,
                token_hash=digest(refresh),
                expires_at=datetime.now(UTC) + timedelta(days=self.settings.refresh_token_days),
            )
        )
        lifetime = timedelta(minutes=self.settings.access_token_minutes)
        access = issue_access_token(user.id, user.role, self.secret, lifetime)
        return TokenPair(access, refresh, int(lifetime.total_seconds()), user)


def _owned_tables() -> list[Table]:
    """Tables whose `owner_id` references users and is not part of the key (so moving cannot clash)."""
    return [
        table
        for table in Base.metadata.sorted_tables
        if "owner_id" in table.c
        and not table.c.owner_id.primary_key
        and any(fk.column.table.name == "users" for fk in table.c.owner_id.foreign_keys)
    ]
