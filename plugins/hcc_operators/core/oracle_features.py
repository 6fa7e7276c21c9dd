"""Which Oracle release introduced each feature the package relies on.

Kept as one table so DDL rendering and the Oracle backend refuse the same things with the same
words, and a DBA can check the whole list against the release notes at a glance.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence

from hcc_operators.core.errors import PolicyError


class Feature(enum.StrEnum):
    HCC = "Hybrid Columnar Compression"
    COMPRESSION_12C_SYNTAX = "ROW STORE / COLUMN STORE compression syntax"
    ONLINE_PARTITION_MOVE = "ALTER TABLE ... MOVE PARTITION ... ONLINE"
    ONLINE_TABLE_MOVE = "ALTER TABLE ... MOVE ONLINE"
    TABLE_MOVE_UPDATE_INDEXES = "ALTER TABLE ... MOVE ... UPDATE INDEXES"
    TABLE_READ_ONLY = "ALTER TABLE ... READ ONLY"
    PARTITION_READ_ONLY = "ALTER TABLE ... MODIFY PARTITION ... READ ONLY"
    ONLINE_MERGE = "ALTER TABLE ... MERGE PARTITIONS ... ONLINE"
    MULTI_PARTITION_MERGE = "ALTER TABLE ... MERGE PARTITIONS of more than two partitions"
    CREATE_TABLE_FOR_EXCHANGE = "CREATE TABLE ... FOR EXCHANGE WITH TABLE"
    LONG_IDENTIFIERS = "identifiers up to 128 bytes"
    HEAT_MAP = "Heat Map (DBA_HEAT_MAP_SEGMENT)"
    ORACLE_MAINTAINED = "DBA_USERS.ORACLE_MAINTAINED"


#: The first release with each feature.
SINCE: dict[Feature, tuple[int, ...]] = {
    Feature.HCC: (11, 2),
    Feature.COMPRESSION_12C_SYNTAX: (12, 1),
    Feature.ONLINE_PARTITION_MOVE: (12, 1),
    Feature.ONLINE_TABLE_MOVE: (12, 2),
    Feature.TABLE_MOVE_UPDATE_INDEXES: (12, 2),
    Feature.TABLE_READ_ONLY: (11, 1),
    Feature.PARTITION_READ_ONLY: (12, 2),
    Feature.ONLINE_MERGE: (18,),
    Feature.MULTI_PARTITION_MERGE: (12, 1),
    Feature.CREATE_TABLE_FOR_EXCHANGE: (12, 2),
    Feature.LONG_IDENTIFIERS: (12, 2),
    Feature.HEAT_MAP: (12, 1),
    Feature.ORACLE_MAINTAINED: (12, 1),
}

#: The oldest release the package supports, everywhere: the DDL builder refuses older ones, the
#: Oracle backend's dictionary queries need it (partition READ_ONLY, VIEW-06) and the pre-flight
#: fails below it. Features of earlier releases stay in SINCE as the record of where they began.
MINIMUM_VERSION: tuple[int, ...] = (12, 2)


def version_text(version: Sequence[int]) -> str:
    return ".".join(str(part) for part in version) or "unknown"


def supports(feature: Feature, version: Sequence[int]) -> bool:
    return tuple(version) >= SINCE[feature]


def require(feature: Feature, version: Sequence[int], *, hint: str = "") -> None:
    """Raise PolicyError naming the feature, the release it needs and the database's release."""
    if supports(feature, version):
        return
    message = (
        f"{feature.value} needs Oracle {version_text(SINCE[feature])} or later; "
        f"this database is {version_text(version)}"
    )
    raise PolicyError(f"{message}; {hint}" if hint else message)
