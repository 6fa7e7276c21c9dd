"""What an ILM batch did, in one text: the DAG run's note in Airflow, the dashboard's batch list,
the API's batch, and finish_batch's message all show this same wording.

A batch SKIPPED because no window was open is a green run in Airflow; its reason used to be only
in the task log. This text puts it where a user looks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

#: Airflow keeps a DAG run note in a 1000-character column.
NOTE_LIMIT = 1000
#: Failed partitions named in a note; the rest are counted.
NAMED_FAILURES = 5


@dataclass(frozen=True)
class FailedItem:
    """One partition whose latest attempt in the batch failed."""

    label: str  # OWNER.TABLE:PARTITION
    action: str
    map_index: int | None  # the execute_action instance; clear it to retry
    error_code: str | None
    error_message: str | None

    def describe(self) -> str:
        where = f"map index {self.map_index}" if self.map_index is not None else "no map index"
        message = (self.error_message or "").strip()
        code = self.error_code or ""
        # Oracle messages usually start with their code: show it once.
        error = (
            message
            if code and message.startswith(code)
            else " ".join(p for p in (code, message) if p)
        )
        return f"{self.label} -> {self.action} ({where}): {error or 'no error recorded'}"


def describe_failures(items: Sequence[FailedItem], limit: int | None = None) -> str:
    """'A -> COMPRESS (map index 3): ORA-00054 ...; B -> ...' (and 'N more' past ``limit``)."""
    shown = list(items) if limit is None else list(items)[:limit]
    text = "; ".join(i.describe() for i in shown)
    if len(items) > len(shown):
        text += f"; and {len(items) - len(shown)} more"
    return text


def describe_batch(
    batch_id: int,
    status: str,
    *,
    planned: int | None,
    succeeded: int | None = None,
    skipped: int | None = None,
    failed: int | None = None,
    left_pending: int | None = None,
    reason: str | None = None,
    failed_items: Sequence[FailedItem] = (),
) -> str:
    """One paragraph: the status, what ran, what waits, why, and which partitions failed."""
    head = f"HCC batch {batch_id} {status}"
    if status == "SKIPPED":
        return _fit(f"{head}, nothing ran: {reason or 'no reason recorded'}")
    if status == "RUNNING":
        return _fit(f"{head}: {planned or 0} planned")
    text = (
        f"{head}: {planned or 0} planned; {succeeded or 0} succeeded, {skipped or 0} skipped "
        f"(already done), {failed or 0} failed"
    )
    if left_pending:
        text += f"; {left_pending} wait for a later window"
    text += "."
    if failed_items:
        text += f" Failed: {describe_failures(failed_items, NAMED_FAILURES)}."
    return _fit(text)


def _fit(text: str) -> str:
    return text if len(text) <= NOTE_LIMIT else text[: NOTE_LIMIT - 1] + "…"
