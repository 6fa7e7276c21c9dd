"""One rule for instants crossing the warehouse boundary.

Oracle DATE/TIMESTAMP columns carry no zone, so a backend may return naive datetimes. The
package reads them as UTC (run the database in UTC, or its DBTIMEZONE offset is ignored), and
everything past the boundary is aware, because comparing naive and aware datetimes raises.
"""

from __future__ import annotations

from datetime import UTC, datetime


def as_utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
