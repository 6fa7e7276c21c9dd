"""The current time, with a seam for demos and tests.

HCC_NOW (an ISO-8601 instant with offset) freezes "now" for window decisions so a test can
place a run inside or outside a maintenance window deterministically. Never set it in production.
A malformed or out-of-range HCC_NOW is a ConfigError naming the variable (core.instants).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from hcc_operators.core.instants import parse_instant

NOW_ENV = "HCC_NOW"


def now() -> datetime:
    frozen = os.environ.get(NOW_ENV)
    if frozen:
        return parse_instant(frozen, source=f"environment variable {NOW_ENV}")
    return datetime.now(UTC)
