"""Column types that behave the same on SQLite and Oracle."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.dialects import oracle
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator):
    """Stored as naive UTC, returned as aware UTC.

    SQLite keeps no offset and Oracle's TIMESTAMP WITH TIME ZONE compares awkwardly with binds,
    so every instant is normalised to UTC on the way in and marked UTC on the way out.
    """

    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect):
        # Oracle's DateTime maps to DATE, which drops the fractions of a second durations need.
        if dialect.name == "oracle":
            return dialect.type_descriptor(oracle.TIMESTAMP())
        return dialect.type_descriptor(DateTime())

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} given to a UTC column; pass an aware one")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # SQLite text from a raw INSERT
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
