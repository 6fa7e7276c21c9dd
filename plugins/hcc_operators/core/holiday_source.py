"""Access to the ``holidays`` package: which countries exist and their holidays by date.

The holiday names depend on the language, and the package picks its default from the LANG
environment variable: the scheduler and a worker could disagree on "Christmas Day" versus
"Erster Weihnachtstag". The language is therefore always passed explicitly (US English when the
country offers it, else the country's own default), so per-name overrides match everywhere.
"""

from __future__ import annotations

import difflib
from functools import cache

import holidays

PREFERRED_LANGUAGE = "en_US"


@cache
def supported_countries() -> dict[str, tuple[str, ...]]:
    """Country code -> subdivision codes, as the installed holidays package knows them."""
    return {code: tuple(subs) for code, subs in holidays.list_supported_countries().items()}


def check_country(country: str) -> str:
    code = country.strip().upper()
    if code not in supported_countries():
        hint = _did_you_mean(code, supported_countries())
        raise ValueError(
            f"{country!r} is not a country code known to the holidays package "
            f"{holidays.__version__}{hint}; use an ISO 3166 code such as DE, GB or US"
        )
    return code


def check_subdivision(country: str, subdivision: str) -> str:
    subdivisions = supported_countries()[country]
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
    return tuple(_country_class(country).supported_languages)


def resolve_language(country: str, language: str | None) -> str | None:
    languages = supported_languages(country)
    if language is None:
        if PREFERRED_LANGUAGE in languages:
            return PREFERRED_LANGUAGE
        return _country_class(country).default_language
    if language not in languages:
        listed = ", ".join(languages) if languages else "none"
        raise ValueError(f"{country} holidays are not available in {language!r}; available: {listed}")
    return language


def country_holidays(
    country: str, subdivision: str | None, language: str | None
) -> holidays.HolidayBase:
    """A lazily expanding holiday table; years are computed on first lookup."""
    return holidays.country_holidays(
        country, subdiv=subdivision, language=resolve_language(country, language)
    )


def holiday_names(
    country: str, subdivision: str | None, language: str | None, years: range
) -> set[str]:
    table = holidays.country_holidays(
        country,
        subdiv=subdivision,
        language=resolve_language(country, language),
        years=list(years),
    )
    return {name for day in table for name in table.get_list(day)}


def _country_class(country: str) -> type[holidays.HolidayBase]:
    return type(holidays.country_holidays(country, years=[]))


def _did_you_mean(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=3)
    return f" (did you mean {', '.join(close)}?)" if close else ""
