"""The one wording of a batch's outcome (DAG run note, dashboard, finish_batch's message)."""

from __future__ import annotations

from hcc_operators.core.batch_outcome import (
    NOTE_LIMIT,
    FailedItem,
    describe_batch,
    describe_failures,
)

REASON = (
    "no maintenance window is open at 2026-03-11T11:00:00+00:00; the queue waits for the next "
    "window at 2026-03-11T21:00:00+00:00 (use force=true for an emergency run)"
)


def test_a_skipped_batch_says_nothing_ran_and_why():
    assert describe_batch(7, "SKIPPED", planned=0, reason=REASON) == (
        f"HCC batch 7 SKIPPED, nothing ran: {REASON}"
    )


def test_an_interrupted_batch_counts_what_ran_and_what_waits():
    text = describe_batch(
        8, "INTERRUPTED", planned=10, succeeded=7, skipped=1, failed=0, left_pending=4
    )
    assert text == (
        "HCC batch 8 INTERRUPTED: 10 planned; 7 succeeded, 1 skipped (already done), 0 failed; "
        "4 wait for a later window."
    )


def test_failed_partitions_are_named_with_map_index_and_one_copy_of_the_code():
    items = [
        FailedItem("S.T:P1", "COMPRESS", 3, "ORA-00054", "ORA-00054: resource busy"),
        FailedItem("S.T:P2", "MOVE", 5, "ORA-01688", "unable to extend"),
        FailedItem("S.T:P3", "DROP", None, None, None),
    ]
    assert describe_failures(items) == (
        "S.T:P1 -> COMPRESS (map index 3): ORA-00054: resource busy; "
        "S.T:P2 -> MOVE (map index 5): ORA-01688 unable to extend; "
        "S.T:P3 -> DROP (no map index): no error recorded"
    )
    assert describe_failures(items, limit=1).endswith("; and 2 more")


def test_a_note_fits_airflows_note_column():
    items = [FailedItem(f"S.T:P{i}", "COMPRESS", i, "ORA-00054", "x" * 300) for i in range(20)]
    text = describe_batch(9, "COMPLETED", planned=20, failed=20, failed_items=items)
    assert len(text) <= NOTE_LIMIT and text.endswith("…")
    assert "(map index 0)" in text
