"""Why a policy does or does not apply to a partition.

The checks that yield them, in the order they are made, are declared once in
core.eligibility.checks (``EVALUATION_ORDER`` there): the first failing check is the reason
recorded, whichever evaluator (pure, set-based SQL, ``hcc explain``) made the decision.
"""

from __future__ import annotations

import enum


class Reason(enum.StrEnum):
    ELIGIBLE = "ELIGIBLE"
    POLICY_DISABLED = "POLICY_DISABLED"
    TOO_YOUNG = "TOO_YOUNG"
    TOO_SMALL = "TOO_SMALL"
    TEMPERATURE_MISMATCH = "TEMPERATURE_MISMATCH"
    NO_SPACE_PRESSURE = "NO_SPACE_PRESSURE"
    ALREADY_IN_TARGET_STATE = "ALREADY_IN_TARGET_STATE"
    COMPRESSION_NOT_HIGHER = "COMPRESSION_NOT_HIGHER"
    DESTRUCTIVE_NOT_ALLOWED = "DESTRUCTIVE_NOT_ALLOWED"
    NEWEST_PARTITION = "NEWEST_PARTITION"
    HOT_PARTITION = "HOT_PARTITION"
    NO_MERGE_TARGET = "NO_MERGE_TARGET"
    INSUFFICIENT_SPACE_IN_TARGET = "INSUFFICIENT_SPACE_IN_TARGET"
    CUSTOM_PREDICATE_FALSE = "CUSTOM_PREDICATE_FALSE"
    RECENTLY_ACCESSED = "RECENTLY_ACCESSED"
    RECENTLY_MODIFIED = "RECENTLY_MODIFIED"
    UNSUPPORTED_LAYOUT = "UNSUPPORTED_LAYOUT"

    @property
    def text(self) -> str:
        return _TEXT[self]

    @property
    def code(self) -> int:
        """The small integer stored per evaluation detail (millions of rows per run)."""
        return CODES[self]

    @classmethod
    def from_code(cls, code: int) -> Reason:
        try:
            return _BY_CODE[code]
        except KeyError:
            raise ValueError(f"unknown reason code {code!r}") from None


_TEXT = {
    Reason.ELIGIBLE: "all conditions met",
    Reason.POLICY_DISABLED: "the policy is disabled",
    Reason.TOO_YOUNG: "the partition is younger than the policy's minimum age",
    Reason.TOO_SMALL: "the partition is smaller than the policy's minimum size",
    Reason.TEMPERATURE_MISMATCH: "the partition's temperature is not one the policy targets",
    Reason.NO_SPACE_PRESSURE: "the source tablespace is below the policy's fullness threshold",
    Reason.ALREADY_IN_TARGET_STATE: "the partition is already in the state the policy produces",
    Reason.COMPRESSION_NOT_HIGHER: "the target compression is not higher than the current one",
    Reason.DESTRUCTIVE_NOT_ALLOWED: "a destructive action needs allow_destructive: true",
    Reason.NEWEST_PARTITION: "the newest partition of a table is never dropped or truncated",
    Reason.HOT_PARTITION: "a HOT partition is never dropped or truncated",
    Reason.NO_MERGE_TARGET: "no other partition of the same period to merge with",
    Reason.INSUFFICIENT_SPACE_IN_TARGET: "the target tablespace lacks free space for the rewrite",
    Reason.CUSTOM_PREDICATE_FALSE: "the policy's custom predicate is false for this partition",
    Reason.RECENTLY_ACCESSED: "the partition was read more recently than the policy allows",
    Reason.RECENTLY_MODIFIED: "the partition was modified more recently than the policy allows",
    Reason.UNSUPPORTED_LAYOUT: "the partition's layout cannot take this action as configured",
}

# Stored in hcc_ilm_eval_details.reason: never renumber, only append.
CODES = {
    Reason.ELIGIBLE: 0,
    Reason.POLICY_DISABLED: 1,
    Reason.TOO_YOUNG: 2,
    Reason.TOO_SMALL: 3,
    Reason.TEMPERATURE_MISMATCH: 4,
    Reason.NO_SPACE_PRESSURE: 5,
    Reason.ALREADY_IN_TARGET_STATE: 6,
    Reason.COMPRESSION_NOT_HIGHER: 7,
    Reason.DESTRUCTIVE_NOT_ALLOWED: 8,
    Reason.NEWEST_PARTITION: 9,
    Reason.HOT_PARTITION: 10,
    Reason.NO_MERGE_TARGET: 11,
    Reason.INSUFFICIENT_SPACE_IN_TARGET: 12,
    Reason.CUSTOM_PREDICATE_FALSE: 13,
    Reason.RECENTLY_ACCESSED: 14,
    Reason.RECENTLY_MODIFIED: 15,
    Reason.UNSUPPORTED_LAYOUT: 16,
}
_BY_CODE = {code: reason for reason, code in CODES.items()}
