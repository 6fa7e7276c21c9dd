"""The current time, with a seam for demos and tests.

HCC_NOW (an ISO-8601 instant with offset) freezes "now" for window decisions so a test can
place a run inside or outside a maintenance window deterministically. Never set it in production.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime


def now() -> datetime:
    frozen = os.environ.get("HCC_NOW")
    if frozen:
        value = datetime.fromisoformat(frozen)
        if value.tzinfo is None:
            raise ValueError(
                f"HCC_NOW={frozen!r} needs a UTC offset, e.g. 2026-03-06T23:00:00+00:00"
            )
        return value.astimezone(UTC)
    return datetime.now(UTC)
