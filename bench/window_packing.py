"""Benchmark 3: how much of a maintenance window the ILM executor fills, and overrun.

A simulation with a virtual clock (no sleeping, fully deterministic for its seed):

- Backlog: BACKLOG items in queue order. Sizes are lognormal (median 2 GiB, sigma 1.4: most
  partitions are a few GiB, a long tail reaches hundreds), clipped to [16 MiB, 1 TiB]. Actions
  are a fixed mix (ACTION_MIX). Predicted duration: core.throughput's default rates
  (ThroughputModel with no history), i.e. max(size / rate, 1 s).
- Noise: every item's actual duration is its predicted one times a factor drawn once per item,
  lognormal(0, NOISE_SIGMA) clipped to [NOISE_MIN, NOISE_MAX]: about half the actions run
  longer than predicted, none more than NOISE_MAX times. The same draws serve every strategy.
- N = SLOTS concurrent DDL slots (the hcc_oracle_ddl pool); windows of 8 and 12 hours; WINDOWS
  consecutive nights with the backlog carried over (what ran is gone; what did not waits).
- Bound: slots x window. Fill = busy slot-seconds inside the window / bound (the bytes a window
  processes are proportional to it at a given rate mix); overrun = minutes from the window's
  end to the end of the last DDL, and slot-minutes of DDL running past the end.

Strategies:

- seed (baseline): a run every 2 hours inside the window takes the next 10 items FIFO
  whatever their size and starts each as soon as a slot is free, with no look at the clock.
- ours: core.packing.pack over the backlog with the predicted durations and the whole window
  as budget; the executor then starts items as slots free up, in plan order, and re-checks
  before each start that ``now + predicted x NOISE_MAX`` is within the window (otherwise the
  item waits for the next window and the next one is tried), which rules out overrun for any
  actual duration up to NOISE_MAX x predicted. When no planned item fits a slot that the
  noise freed early, the executor may start an item the plan left over (in queue order) that
  fits by the same rule: what the next slot's pack would choose at that moment.
- ours as configured: what the package ships, run through its own code: the windows and
  slots are core.windows' for include/config/schedule.yaml (the first night from
  CALENDAR_FROM lasting 8 h is the weekday window, 12 h the weekend one, each with its own
  ``every``); each slot's run calls services.ilm_plan's batch_limits (budget: the rest of
  the window, or max_batch_duration when set) and plan_queue (core.selection's order over the
  whole queue, core.packing in DDL_SLOTS lanes with the duration_margin, the default cap of
  1024 actions), and the mapped tasks take the pool's slots in plan order, each re-checked by
  execute_item's fits_before_close (predicted x duration_margin before the close, else it
  stays queued, carried over). As Airflow runs the DAG (max_active_runs=1, catchup off), a
  slot's run starts when the previous batch has ended if that is later than the slot's start;
  finish_batch has released the execution lease by then, so no run is skipped for it.
  Scheduler latency between runs is not modelled.
"""

from __future__ import annotations

import argparse
import heapq
import math
import random
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from bench.common import peak_rss_mb, write_result
from hcc_operators.core.models import ActionKind, CompressionType, ObjectRef
from hcc_operators.core.packing import pack
from hcc_operators.core.schedule_config import HolidaySpec, ScheduleConfig, load_schedule
from hcc_operators.core.selection import QueueItem
from hcc_operators.core.throughput import ThroughputModel
from hcc_operators.core.windows import WindowCalendar
from hcc_operators.services import ilm_plan

SEED = 20260601
BACKLOG = 6000
SLOTS = 4
WINDOWS = 7
WINDOW_HOURS = (8, 12)
GIB = 1024**3
SIZE_MEDIAN = 2 * GIB
SIZE_SIGMA = 1.4
SIZE_MIN, SIZE_MAX = 16 * 1024**2, 1024 * GIB
NOISE_SIGMA = 0.2
NOISE_MIN, NOISE_MAX = 0.6, 1.5
# (weight, action, target level) of the queue: mostly rewrites, some dictionary-only actions.
ACTION_MIX = (
    (40, ActionKind.COMPRESS, CompressionType.QUERY_HIGH),
    (15, ActionKind.COMPRESS, CompressionType.ARCHIVE_HIGH),
    (10, ActionKind.COMPRESS, CompressionType.ADVANCED),
    (15, ActionKind.MOVE, CompressionType.QUERY_HIGH),
    (5, ActionKind.MERGE, None),
    (10, ActionKind.READ_ONLY, None),
    (5, ActionKind.DROP, None),
)
SEED_EVERY_S = 2 * 3600
SEED_PER_RUN = 10
# Where "as configured" looks for a real window of each length in the package's calendar.
CALENDAR_FROM = datetime(2026, 6, 1, tzinfo=UTC)
CALENDAR_SEARCH = 60


@dataclass(frozen=True)
class Item:
    index: int
    size_bytes: int
    action: ActionKind
    level: CompressionType | None
    predicted_s: float
    actual_s: float


def backlog(n: int = BACKLOG, seed: int = SEED) -> list[Item]:
    rng = random.Random(seed)
    model = ThroughputModel(())
    weights = [w for w, _, _ in ACTION_MIX]
    items = []
    for index in range(n):
        size = int(
            min(max(rng.lognormvariate(math.log(SIZE_MEDIAN), SIZE_SIGMA), SIZE_MIN), SIZE_MAX)
        )
        _, action, level = rng.choices(ACTION_MIX, weights=weights)[0]
        predicted = model.predict_seconds(action, level, size)
        noise = min(max(rng.lognormvariate(0.0, NOISE_SIGMA), NOISE_MIN), NOISE_MAX)
        items.append(Item(index, size, action, level, predicted, predicted * noise))
    return items


@dataclass
class Run:
    """What ran in one window: (item, start, finish) in seconds from the window's open."""

    window_s: float
    ran: list[tuple[Item, float, float]]

    def figures(self) -> dict:
        w = self.window_s
        busy_inside = sum(max(0.0, min(f, w) - min(s, w)) for _, s, f in self.ran)
        past = sum(max(0.0, f - max(s, w)) for _, s, f in self.ran)
        last = max((f for _, _, f in self.ran), default=0.0)
        # Below a millisecond is floating-point noise, not DDL running late.
        overrun = round(max(0.0, last - w), 3)
        inside_bytes = sum(
            it.size_bytes * (max(0.0, min(f, w) - s) / (f - s) if f > s else 1.0)
            for it, s, f in self.ran
        )
        return {
            "fill": busy_inside / (SLOTS * w),
            "overrun_min": overrun / 60,
            "slot_min_past_end": past / 60,
            "items": len(self.ran),
            "gib_in_window": inside_bytes / GIB,
        }


def _list_schedule(free_at: list[float], item: Item, ready_s: float) -> tuple[float, float]:
    """Start ``item`` on the earliest-free slot, no earlier than ``ready_s``."""
    slot_free = heapq.heappop(free_at)
    start = max(slot_free, ready_s)
    finish = start + item.actual_s
    heapq.heappush(free_at, finish)
    return start, finish


def seed_fifo(queue: list[Item], window_s: float) -> tuple[Run, list[Item]]:
    free_at = [0.0] * SLOTS
    ran = []
    position = 0
    run_at = 0.0
    while run_at < window_s and position < len(queue):
        for item in queue[position : position + SEED_PER_RUN]:
            start, finish = _list_schedule(free_at, item, run_at)
            ran.append((item, start, finish))
        position += SEED_PER_RUN
        run_at += SEED_EVERY_S
    return Run(window_s, ran), queue[position:]


def ours(queue: list[Item], window_s: float) -> tuple[Run, list[Item]]:
    plan = pack(queue, seconds_of=lambda it: it.predicted_s, window_left_s=window_s, slots=SLOTS)
    # The plan's items first, in plan order; then what the plan left over, in queue order,
    # for a slot that the noise has freed early (what the next batch's pack would pick then).
    candidates = [p.item for p in plan.chosen] + [lo.item for lo in plan.left_over]
    free_at = [0.0] * SLOTS
    ran = []
    started: set[int] = set()
    while candidates:
        now = heapq.heappop(free_at)
        chosen = next(
            (i for i, it in enumerate(candidates) if now + it.predicted_s * NOISE_MAX <= window_s),
            None,
        )
        if chosen is None:
            break  # nothing fits any more: the other slots free up later still
        item = candidates.pop(chosen)
        ran.append((item, now, now + item.actual_s))
        started.add(item.index)
        heapq.heappush(free_at, now + item.actual_s)
    return Run(window_s, ran), [it for it in queue if it.index not in started]


def configured_window(window_s: float, schedule: ScheduleConfig | None = None):
    """A real window of the package's schedule.yaml lasting ``window_s``, with its calendar.

    The first window from CALENDAR_FROM whose length matches (the 8 h weekday night, the 12 h
    weekend night as shipped); when the schedule has none, the weekday window reshaped to that
    length, which keeps its open time and ``every``.
    """
    schedule = schedule or load_schedule()
    length = timedelta(seconds=window_s)
    calendar = WindowCalendar(schedule)
    window = calendar.next_window(CALENDAR_FROM)
    for _ in range(CALENDAR_SEARCH):
        if window.duration == length:
            return calendar, window
        window = calendar.next_window(window.start)
    close = (datetime.combine(date.min, schedule.weekday.open) + length).time()
    reshaped = schedule.model_copy(
        update={
            "weekday": schedule.weekday.model_copy(update={"close": close}),
            "weekend": schedule.weekend.model_copy(update={"enabled": False}),
            "holidays": HolidaySpec(),
        }
    )
    calendar = WindowCalendar(reshaped)
    window = calendar.next_window(CALENDAR_FROM)
    if window.duration != length:
        raise ValueError(f"cannot build a {window_s / 3600:g} h window from the schedule")
    return calendar, window


def ours_as_configured(
    queue: list[Item], window_s: float, schedule: ScheduleConfig | None = None
) -> tuple[Run, list[Item]]:
    """The package's own planning and re-check (services.ilm_plan) on the package's
    schedule.yaml, with Airflow's run creation for the DAG (module doc)."""
    calendar, window = configured_window(window_s, schedule)
    config = calendar.config
    enqueued = window.start - timedelta(days=1)
    by_index = {it.index: it for it in queue}
    waiting = list(queue)
    carried: set[int] = set()
    ran: list[tuple[Item, float, float]] = []
    batch_end = 0.0
    for slot in calendar.slots(window):
        # max_active_runs=1: the slot's run starts when the previous batch has ended (Airflow
        # creates it then; catchup=False never drops the slot that is running now). The
        # execution lease is released by finish_batch before that, so it never skips a run.
        at = max((slot.start - window.start).total_seconds(), batch_end)
        now = window.start + timedelta(seconds=at)
        limits = ilm_plan.batch_limits(config, calendar, now, force=False)
        if limits.window_left_s <= 0:
            break  # plan_batch: no window open, SKIPPED
        items = [
            QueueItem(
                it.index,
                "bench",
                100,
                enqueued + timedelta(seconds=it.index),
                it.size_bytes,
                it.action,
                ObjectRef("BENCH", f"T{it.index}", "P1"),
                interrupted=it.index in carried,
            )
            for it in waiting
        ]
        _, plan = ilm_plan.plan_queue(
            items,
            now=now,
            seconds_of=lambda q: by_index[q.queue_id].predicted_s,
            limits=limits,
            max_operations=None,
            slots=ilm_plan.DDL_SLOTS,
        )
        # The mapped tasks take the hcc_oracle_ddl pool's slots in map-index (plan) order.
        free_at = [at] * ilm_plan.DDL_SLOTS
        done: set[int] = set()
        for placement in plan.chosen:
            item = by_index[placement.item.queue_id]
            start = heapq.heappop(free_at)
            left = calendar.remaining(window.start + timedelta(seconds=start)).total_seconds()
            if not ilm_plan.fits_before_close(item.predicted_s, left, config.duration_margin):
                carried.add(item.index)  # execute_item: DEFERRED, stays PENDING, carried over
                heapq.heappush(free_at, start)
                continue
            finish = start + item.actual_s
            heapq.heappush(free_at, finish)
            ran.append((item, start, finish))
            done.add(item.index)
        batch_end = max([at] + [f for it, _, f in ran if it.index in done])
        waiting = [it for it in waiting if it.index not in done]
    return Run(window_s, ran), waiting


STRATEGIES = {"seed_fifo": seed_fifo, "ours": ours, "ours_as_configured": ours_as_configured}


def simulate(strategy, window_hours: int, items: list[Item]) -> dict:
    queue = list(items)
    nights = []
    for _ in range(WINDOWS):
        run, queue = strategy(queue, window_hours * 3600.0)
        nights.append(run.figures())
    return {
        "fill_mean": sum(n["fill"] for n in nights) / len(nights),
        "fill_min": min(n["fill"] for n in nights),
        "overrun_max_min": max(n["overrun_min"] for n in nights),
        "slot_min_past_end_total": sum(n["slot_min_past_end"] for n in nights),
        "items_per_window": sum(n["items"] for n in nights) / len(nights),
        "gib_per_window": sum(n["gib_in_window"] for n in nights) / len(nights),
        "nights": nights,
    }


def run() -> dict:
    items = backlog()
    sizes = sorted(it.size_bytes for it in items)
    result: dict = {
        "backlog": {
            "items": len(items),
            "median_gib": sizes[len(sizes) // 2] / GIB,
            "p99_gib": sizes[int(len(sizes) * 0.99)] / GIB,
            "max_gib": sizes[-1] / GIB,
            "predicted_slot_hours": sum(it.predicted_s for it in items) / 3600,
            "actual_over_predicted": sum(it.actual_s for it in items)
            / sum(it.predicted_s for it in items),
        },
        "slots": SLOTS,
        "windows": WINDOWS,
        "noise": {"sigma": NOISE_SIGMA, "min": NOISE_MIN, "max": NOISE_MAX},
        "by_window": {},
    }
    for hours in WINDOW_HOURS:
        result["by_window"][str(hours)] = {
            name: simulate(strategy, hours, items) for name, strategy in STRATEGIES.items()
        }
    result["peak_rss_mb"] = peak_rss_mb()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    write_result(args.out, run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
