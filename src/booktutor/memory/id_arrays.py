"""Conditions on many values as one array parameter, in statements built once."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, Text, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.orm import InstrumentedAttribute


def uuid_among(column: InstrumentedAttribute[uuid.UUID], name: str) -> ColumnElement[bool]:
    """``column = ANY(:name::uuid[])``: one statement text whatever the number of ids. An ``IN`` list renders
    a placeholder per id, so each count is another statement to build, cache and prepare."""
    return column == any_(bindparam(name, type_=ARRAY(UUID(as_uuid=True))))


def text_among(column: InstrumentedAttribute[str], name: str) -> ColumnElement[bool]:
    """``column = ANY(:name::text[])``, as `uuid_among`."""
    return column == any_(bindparam(name, type_=ARRAY(Text())))
