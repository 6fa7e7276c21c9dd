"""One rule for instants crossing the warehouse boundary, and for instants people type.

Oracle DATE/TIMESTAMP columns carry no zone, so a backend may return naive datetimes. The
package reads them as UTC (run the database in UTC, or its DBTIMEZONE offset is ignored), and
everything past the boundary is aware, because comparing naive and aware datetimes raises.

An instant typed by a person (``hcc plan --at``, ``HCC_NOW``) must lie in SUPPORTED_RANGE: the
window calendar looks a day and more around it, and 9999-12-31 plus a day is beyond what
Python's dates hold.
"""

from __future__ import annotations

from datetime import UTC, datetime

from hcc_operators.core.errors import ConfigError

#: Instants a person may ask about: [from, until). Far beyond any maintenance plan, well inside
#: what date arithmetic and the holiday tables handle.
SUPPORTED_RANGE = (datetime(1970, 1, 1, tzinfo=UTC), datetime(2200, 1, 1, tzinfo=UTC))


def parse_instant(text: str, *, source: str) -> datetime:
    """An ISO-8601 instant with a UTC offset, within SUPPORTED_RANGE, as UTC.

    ConfigError naming ``source`` (an option or an environment variable) otherwise.
    """
    try:
        value = datetime.fromisoformat(text.strip())
    except (ValueError, TypeError, AttributeError):
        raise ConfigError(
            f"{text!r} is not an ISO-8601 instant such as 2026-03-06T23:00:00+00:00",
            source=source,
        ) from None
    if value.tzinfo is None or value.utcoffset() is None:
        raise ConfigError(
            f"{text!r} needs a UTC offset, e.g. 2026-03-06T23:00:00+00:00", source=source
        )
    # Before converting: astimezone itself overflows at the edges of the calendar.
    start, end = SUPPORTED_RANGE
    naive_utc = value.replace(tzinfo=None)
    offset = value.utcoffset()
    if not (start.replace(tzinfo=None) + offset <= naive_utc < end.replace(tzinfo=None) + offset):
        raise ConfigError(
            f"{text!r} is outside the supported range {start.date()} to {end.date()}",
            source=source,
        )
    return value.astimezone(UTC)


def as_utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
