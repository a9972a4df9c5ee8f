"""Every SQLAlchemy model module, imported so that `Base.metadata` knows all tables (Alembic)."""

from booktutor.memory import account_models  # noqa: F401
from booktutor.memory import idempotency_models  # noqa: F401
from booktutor.memory import personalization_models  # noqa: F401
from booktutor.memory import tutoring_models  # noqa: F401
from booktutor.memory.models import Base

__all__ = ["Base"]
