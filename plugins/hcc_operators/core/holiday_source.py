"""Access to the ``holidays`` package: which countries exist and their holidays by date.

The holiday names depend on the language, and the package picks its default from the LANG
environment variable: the scheduler and a worker could disagree on "Christmas Day" versus
"Erster Weihnachtstag". The language is therefore always passed explicitly (US English when the
country offers it, else the country's own default), so per-name overrides match everywhere.

Parse-time cost. schedule.yaml is validated whenever a DAG file is parsed, and the validation
asks this module about the country, its subdivisions and languages, holiday names over several
years and the holidays of single dates. Importing ``holidays`` alone allocates tens of thousands
of objects (its lunar calendar tables), enough to set off a full garbage collection of the
parsing process, and listing the countries imports every country module. So:

* ``holidays`` is imported only when an answer is not known yet;
* every answer (country codes, one country's subdivisions and languages, holiday names over a
  range of years, one year's holidays by date) is kept per process and in a small JSON file
  (``HCC_CACHE_DIR``, else ``$XDG_CACHE_HOME/hcc_operators``, else ``~/.cache/hcc_operators``),
  one per installed ``holidays`` version, so the next parse reads the same answers back without
  importing the package. The answers are pure functions of the package version and the question,
  and an unreadable, foreign or stale file is ignored; an unwritable directory only costs speed.
* holiday tables are expanded one year at a time, on the first lookup of a date in that year.
"""

from __future__ import annotations

import difflib
import importlib.metadata
import importlib.util
import json
import logging
import os
import tempfile
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import holidays

PREFERRED_LANGUAGE = "en_US"
CACHE_DIR_ENV = "HCC_CACHE_DIR"
#: Bump when the layout of the cache file changes.
_CACHE_FORMAT = 1

log = logging.getLogger(__name__)


def _holidays():
    import holidays

    return holidays


# -- the answers, cached ---------------------------------------------------------------------


def package_version() -> str:
    return _facts().version or _holidays().__version__


def country_codes() -> tuple[str, ...]:
    """Every country code (ISO alpha-2, alpha-3 and aliases) the holidays package accepts."""
    return tuple(_cached("countries", _compute_country_codes))


def check_country(country: str) -> str:
    code = country.strip().upper()
    codes = country_codes()
    if code not in codes:
        hint = _did_you_mean(code, codes)
        raise ValueError(
            f"{country!r} is not a country code known to the holidays package "
            f"{package_version()}{hint}; use an ISO 3166 code such as DE, GB or US"
        )
    return code


def check_subdivision(country: str, subdivision: str) -> str:
    subdivisions = _country_info(country)["subdivisions"]
    wanted = subdivision.strip()
    for known in subdivisions:
        if known.upper() == wanted.upper():
            return known
    listed = ", ".join(subdivisions) if subdivisions else "none"
    raise ValueError(
        f"{subdivision!r} is not a subdivision of {country} known to the holidays package; "
        f"known: {listed}"
    )


def supported_languages(country: str) -> tuple[str, ...]:
    return tuple(_country_info(country)["languages"])


def resolve_language(country: str, language: str | None) -> str | None:
    languages = supported_languages(country)
    if language is None:
        if PREFERRED_LANGUAGE in languages:
            return PREFERRED_LANGUAGE
        return _country_info(country)["default_language"]
    if language not in languages:
        listed = ", ".join(languages) if languages else "none"
        raise ValueError(
            f"{country} holidays are not available in {language!r}; available: {listed}"
        )
    return language


def country_holidays(country: str, subdivision: str | None, language: str | None) -> HolidayTable:
    """A lazily expanding holiday table; each year is computed (or read back) on first lookup."""
    return HolidayTable(country, subdivision, resolve_language(country, language))


def holiday_names(
    country: str, subdivision: str | None, language: str | None, years: range
) -> set[str]:
    language = resolve_language(country, language)
    key = f"names|{country}|{subdivision or ''}|{language or ''}|{years.start}|{years.stop}"
    if years.step != 1:
        return set(_compute_holiday_names(country, subdivision, language, list(years)))
    return set(
        _cached(key, lambda: _compute_holiday_names(country, subdivision, language, list(years)))
    )


class HolidayTable:
    """Holidays of one country/subdivision/language by date, a year at a time.

    Answers ``day in table`` and ``table.get_list(day)`` like the package's own table. A year's
    entries come from the package populating that year and its two neighbours (an observed
    holiday can move across New Year), so the answer for a date never depends on which dates
    were looked up before.
    """

    def __init__(self, country: str, subdivision: str | None, language: str | None):
        self.country = country
        self.subdivision = subdivision
        self.language = language
        self._years: dict[int, dict[date, tuple[str, ...]]] = {}

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and _as_date(day) in self._year(day.year)

    def get_list(self, day: date) -> list[str]:
        return list(self._year(day.year).get(_as_date(day), ()))

    def _year(self, year: int) -> dict[date, tuple[str, ...]]:
        found = self._years.get(year)
        if found is None:
            key = f"year|{self.country}|{self.subdivision or ''}|{self.language or ''}|{year}"
            by_day = _cached(key, lambda: self._compute_year(year))
            found = {date.fromisoformat(d): tuple(names) for d, names in by_day.items()}
            self._years[year] = found
        return found

    def _compute_year(self, year: int) -> dict[str, list[str]]:
        table = _holidays().country_holidays(
            self.country,
            subdiv=self.subdivision,
            language=self.language,
            years=[year - 1, year, year + 1],
        )
        return {day.isoformat(): table.get_list(day) for day in sorted(table) if day.year == year}


# -- computing an answer with the package ----------------------------------------------------


def _compute_country_codes() -> list[str]:
    from holidays.registry import EntityLoader

    return list(EntityLoader.get_country_codes())


def _country_info(country: str) -> dict[str, Any]:
    return _cached(f"country|{country}", lambda: _compute_country_info(country))


def _compute_country_info(country: str) -> dict[str, Any]:
    cls = _country_class(country)
    return {
        "subdivisions": list(cls.subdivisions),
        "languages": list(cls.supported_languages),
        "default_language": cls.default_language,
    }


def _compute_holiday_names(
    country: str, subdivision: str | None, language: str | None, years: list[int]
) -> list[str]:
    table = _holidays().country_holidays(
        country, subdiv=subdivision, language=language, years=years
    )
    return sorted({name for day in table for name in table.get_list(day)})


def _country_class(country: str) -> type[holidays.HolidayBase]:
    return type(_holidays().country_holidays(country, years=[]))


def _did_you_mean(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=3)
    return f" (did you mean {', '.join(close)}?)" if close else ""


def _as_date(day: date) -> date:
    return date(day.year, day.month, day.day) if type(day) is not date else day


# -- the per-process and on-disk cache -------------------------------------------------------


class _Facts:
    """Answers for one installed holidays package, mirrored in one JSON file."""

    def __init__(self) -> None:
        self.version, self.package = _package_identity()
        folder = _cache_dir()
        self.path = folder / f"holidays-{self.version}.json" if self.version and folder else None
        self.answers: dict[str, Any] = self._read()

    def _read(self) -> dict[str, Any]:
        if self.path is None:
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if (
            not isinstance(data, dict)
            or data.get("format") != _CACHE_FORMAT
            or data.get("package") != self.package
            or not isinstance(data.get("answers"), dict)
        ):
            return {}
        return data["answers"]

    def remember(self, key: str, value: Any) -> None:
        self.answers[key] = value
        if self.path is None:
            return
        # Merge with what other processes wrote meanwhile; a lost race only costs a recompute.
        merged = {**self._read(), **self.answers}
        payload = {"format": _CACHE_FORMAT, "package": self.package, "answers": merged}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".holidays-", suffix=".tmp")
            try:
                os.fchmod(fd, 0o644)  # mkstemp's 0600 would hide it from other service users
                with os.fdopen(fd, "w", encoding="utf-8") as out:
                    json.dump(payload, out, sort_keys=True, separators=(",", ":"))
                os.replace(tmp, self.path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as err:
            log.debug("holiday cache %s not written: %s", self.path, err)


@cache
def _facts() -> _Facts:
    return _Facts()


def _cached(key: str, compute):
    facts = _facts()
    if key not in facts.answers:
        facts.remember(key, compute())
    return facts.answers[key]


def _package_identity() -> tuple[str | None, str | None]:
    """(version, where and when installed) of the holidays package, without importing it."""
    try:
        version = importlib.metadata.version("holidays")
        spec = importlib.util.find_spec("holidays")
        origin = spec.origin if spec is not None else None
        stamp = os.stat(origin).st_mtime_ns if origin else None
    except (importlib.metadata.PackageNotFoundError, OSError, ValueError):
        return None, None
    return version, f"{origin}@{stamp}"


def _cache_dir() -> Path | None:
    configured = os.environ.get(CACHE_DIR_ENV)
    if configured:
        return Path(configured)
    try:
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    except RuntimeError:  # no home directory to be found: keep the answers per process only
        return None
    return Path(base) / "hcc_operators"
