"""Planning from the streamed queue gives the plan the whole queue gives, reading less of it."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from hcc_operators.core.actions import dump_params, parse_params
from hcc_operators.core.actions.compress import CompressParams
from hcc_operators.core.actions.move import MoveParams
from hcc_operators.core.actions.read_only import ReadOnlyParams
from hcc_operators.core.packing import BEYOND_MAX_ITEMS
from hcc_operators.core.selection import order_queue
from hcc_operators.core.throughput import ThroughputModel
from hcc_operators.repository.tables import ilm_queue
from hcc_operators.services import ilm_plan, queue_candidates
from hcc_operators.services.ilm_plan import BatchLimits, plan_from_queue, plan_queue
from hcc_operators.services.queue_candidates import as_item, pending_in_order

NOW = datetime(2026, 11, 30, 22, 0, tzinfo=UTC)
GIB = 2**30


def fill_queue(engine, seed: int, n: int = 300) -> None:
    rng = random.Random(seed)
    nights = [NOW - timedelta(days=d, hours=1) for d in (0, 1, 3, 9)]
    rows = []
    for i in range(n):
        level = rng.choice(["QUERY HIGH", "ARCHIVE HIGH"])
        params = rng.choice(
            [
                CompressParams(level=level),
                MoveParams(tablespace="ARCH", compression=level),
                ReadOnlyParams(),
            ]
        )
        rows.append(
            dict(
                policy_name=f"p{i % 5}",
                policy_version=1,
                priority=rng.choice([5, 10, 10, 50]),
                owner="S",
                table_name=f"T{rng.randrange(8)}",
                # a few partitions are queued by two policies: one action per object per batch
                partition_name=f"P{rng.randrange(n * 3 // 4)}",
                action=params.kind.value,
                action_params=dump_params(params),
                size_bytes=int(rng.lognormvariate(0, 1.5) * GIB),
                age_days=rng.choice([None, 30, 400, 4000]),
                status=rng.choice(["PENDING"] * 9 + ["SUCCESS"]),
                attempts=0,
                carried_over=rng.random() < 0.05,
                enqueued_at=rng.choice(nights),
                updated_at=NOW,
            )
        )
    with engine.begin() as conn:
        conn.execute(insert(ilm_queue), rows)


def test_rows_stream_in_core_selection_order(sqlite_engine):
    fill_queue(sqlite_engine, seed=5)
    with sqlite_engine.connect() as conn:
        streamed = [r.queue_id for r in pending_in_order(conn, NOW)]
        everything = [
            as_item(r)
            for r in conn.execute(select(ilm_queue).where(ilm_queue.c.status == "PENDING"))
        ]
    assert streamed == [i.queue_id for i in order_queue(everything, now=NOW)]
    assert len(streamed) > 200


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize(
    ("window_s", "cap", "lookahead"),
    [
        (1.0, None, 10**6),  # nothing fits: stops after the first chunk
        (6 * 3600, None, 10**6),  # a night: the whole queue is read for filler
        (6 * 3600, 20, 10**6),  # the cap: stops once 20 are chosen
        (6 * 3600, None, 21),  # the look-ahead: stops after 21 rows
        (10**7, None, 10**6),  # everything fits
    ],
    ids=["nothing-fits", "night", "capped", "lookahead", "everything"],
)
def test_streamed_plan_is_the_whole_queue_plan_for_what_it_read(
    sqlite_engine, monkeypatch, seed, window_s, cap, lookahead
):
    fill_queue(sqlite_engine, seed=seed)
    monkeypatch.setattr(ilm_plan, "CHUNK_ITEMS", 7)
    monkeypatch.setattr(ilm_plan, "LOOKAHEAD_ROWS", lookahead)
    model = ThroughputModel([])
    limits = BatchLimits(float(window_s), None, 1.5)
    with sqlite_engine.connect() as conn:
        rows = {
            r.queue_id: r
            for r in conn.execute(select(ilm_queue).where(ilm_queue.c.status == "PENDING"))
        }

        def seconds(item):
            level = parse_params(rows[item.queue_id].action_params).target_compression()
            return model.predict_seconds(item.action, level, item.size_bytes)

        _, whole = plan_queue(
            [as_item(r) for r in rows.values()],
            now=NOW,
            seconds_of=seconds,
            limits=limits,
            max_operations=cap,
        )
        read: list[int] = []
        original = queue_candidates.pending_in_order

        def counting(*args, **kwargs):
            for row in original(*args, **kwargs):
                read.append(row.queue_id)
                yield row

        monkeypatch.setattr(ilm_plan, "pending_in_order", counting)
        streamed, _, waiting, _ = plan_from_queue(conn, NOW, model, limits, cap)

    seen = set(read)
    placed = [(p.item.queue_id, p.slot, p.start_s, p.finish_s) for p in whole.chosen]
    # Packing is prefix-stable: what the stream placed is what the whole queue places among
    # the rows read, and only the look-ahead can leave out filler from further down.
    assert [(p.item.queue_id, p.slot, p.start_s, p.finish_s) for p in streamed.chosen] == [
        p for p in placed if p[0] in seen
    ]
    if lookahead > len(rows):
        assert len(streamed.chosen) == len(whole.chosen)
    unread = len(rows) - len(read)
    dropped = len(read) - len(streamed.chosen) - len(streamed.left_over)  # 2nd action per object
    assert waiting == (
        sum(lo.reason != BEYOND_MAX_ITEMS for lo in streamed.left_over)
        + (0 if cap and len(streamed.chosen) == cap else unread)
    )
    if window_s == 1.0:
        assert len(read) == 7 and streamed.chosen == ()
    if lookahead == 21:
        assert len(read) == 21
    if cap:
        assert len(streamed.chosen) == cap and unread > 0
    if window_s == 10**7:
        assert unread == 0 and waiting == 0 and dropped >= 0
