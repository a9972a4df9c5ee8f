"""Every SQLAlchemy model module, imported so that `Base.metadata` knows all tables (Alembic)."""

from booktutor.memory import (
    account_models,  # noqa: F401
    feedback_models,  # noqa: F401
    idempotency_models,  # noqa: F401
    personalization_models,  # noqa: F401
    tutoring_models,  # noqa: F401
)
from booktutor.memory.models import Base

__all__ = ["Base"]
