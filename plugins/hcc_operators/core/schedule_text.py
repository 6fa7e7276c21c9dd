"""A maintenance schedule in words, for the Airflow UI and the dashboard."""

from __future__ import annotations

from hcc_operators.core.schedule_config import (
    ScheduleConfig,
    Treatment,
    Weekday,
    format_duration,
)

_ABBREVIATIONS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_TREATMENT_WORDS = {
    Treatment.BLACKOUT: "blackout",
    Treatment.WEEKEND: "weekend",
    Treatment.IGNORE: "normal days",
}


def day_ranges(days: set[int]) -> str:
    """{5, 6} -> 'Sat-Sun', {6, 0, 1, 2, 3} -> 'Sun-Thu', {0, 2} -> 'Mon, Wed' (Monday is 0)."""
    if len(days) == 7:
        return "daily"
    if not days:
        return "never"
    # Start each run at a day whose predecessor is missing, so a run may wrap past Sunday.
    runs = []
    for first in sorted(d for d in days if (d - 1) % 7 not in days):
        last = first
        while (last + 1) % 7 in days:
            last = (last + 1) % 7
        runs.append(
            _ABBREVIATIONS[first]
            if first == last
            else f"{_ABBREVIATIONS[first]}-{_ABBREVIATIONS[last]}"
        )
    return ", ".join(runs)


def summarize(config: ScheduleConfig) -> str:
    """One line: 'Mon-Fri 22:00-06:00 every 2h, Sat-Sun 20:00-08:00 every 4h, Europe/Berlin,
    DE holidays as blackout'."""
    weekend_days = {d.index for d in config.weekend.days}
    weekday = config.weekday.describe() if config.weekday.enabled else "no window"
    parts = [f"{day_ranges(_weekdays(config))} {weekday}"]
    if weekend_days:
        window = config.weekend.describe() if config.weekend.enabled else "no window"
        parts.append(f"{day_ranges(weekend_days)} {window}")
    parts.append(config.timezone)
    parts.append(_holidays_short(config))
    return ", ".join(parts)


def describe(config: ScheduleConfig) -> str:
    """A few sentences spelling out every rule that decides when work may run."""
    weekend = config.weekend
    weekend_days = {d.index for d in weekend.days}
    weekday = _window_words(config.weekday.describe()) if config.weekday.enabled else "no window"
    sentences = [
        f"Maintenance windows in {config.timezone}: {day_ranges(_weekdays(config))} {weekday}"
    ]
    if weekend_days and weekend.enabled:
        sentences[-1] += f"; {day_ranges(weekend_days)} {_window_words(weekend.describe())}."
    elif weekend_days:
        sentences[-1] += f"; no window on {day_ranges(weekend_days)}."
    else:
        sentences[-1] += "."
    sentences.append(_holidays_long(config))
    sentences.append(
        "A window belongs to the day it opens on; runs start on the local clock and the last "
        f"run of a window ends at its close. {_batch_words(config)}"
    )
    return " ".join(s for s in sentences if s)


def _batch_words(config: ScheduleConfig) -> str:
    reach = (
        "up to the window's close"
        if config.max_batch_duration is None
        else f"at most {format_duration(config.max_batch_duration)}, within the window"
    )
    return (
        f"A batch plans work {reach}; a run whose slot opens while the previous batch still "
        "runs starts when it ends. An action starts only if its predicted duration "
        f"x {config.duration_margin:g} ends before the close."
    )


def _weekdays(config: ScheduleConfig) -> set[int]:
    return {d.index for d in Weekday} - {d.index for d in config.weekend.days}


def _window_words(text: str) -> str:
    hours, _, every = text.partition(" every ")
    return f"{hours}, a run every {every}"


def _holidays_short(config: ScheduleConfig) -> str:
    spec = config.holidays
    if spec.country is None and not spec.extra_dates:
        return "no holidays"
    text = (
        f"{_region(config)} holidays as {_TREATMENT_WORDS[spec.treatment]}"
        if spec.country
        else f"{_count(len(spec.extra_dates), 'closing day')} as {_TREATMENT_WORDS[spec.treatment]}"
    )
    if spec.country and spec.extra_dates:
        text += f" + {_count(len(spec.extra_dates), 'extra date')}"
    exceptions = len(spec.by_name) + len(spec.by_date)
    if exceptions:
        text += f" ({_count(exceptions, 'exception')})"
    return text


def _holidays_long(config: ScheduleConfig) -> str:
    spec = config.holidays
    if spec.country is None and not spec.extra_dates:
        return "Holidays are not considered."
    meaning = {
        Treatment.BLACKOUT: "blackout days (no window opens)",
        Treatment.WEEKEND: "weekend days (weekend window)",
        Treatment.IGNORE: "normal days",
    }[spec.treatment]
    subjects = []
    if spec.country:
        subjects.append(f"public holidays of {_region(config)}")
    if spec.extra_dates:
        subjects.append(_count(len(spec.extra_dates), "extra closing day"))
    subject = " and ".join(subjects)
    text = f"{subject[0].upper()}{subject[1:]} are {meaning}"
    exceptions = [
        f"{name} as {_TREATMENT_WORDS[treatment]}" for name, treatment in spec.by_name.items()
    ] + [f"{day.isoformat()} as {_TREATMENT_WORDS[t]}" for day, t in sorted(spec.by_date.items())]
    if exceptions:
        text += f", except {', '.join(exceptions)}"
    return text + "."


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _region(config: ScheduleConfig) -> str:
    spec = config.holidays
    return f"{spec.country}-{spec.subdivision}" if spec.subdivision else f"{spec.country}"
