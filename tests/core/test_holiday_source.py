"""holiday_source answers like the holidays package, and from its cache without importing it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import holidays
import pytest

from hcc_operators.core import holiday_source

PLUGINS = Path(__file__).resolve().parents[2] / "plugins"


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    """A private cache directory, and no answers carried over from earlier tests."""
    folder = tmp_path / "cache"
    monkeypatch.setenv(holiday_source.CACHE_DIR_ENV, str(folder))
    holiday_source._facts.cache_clear()
    yield folder
    holiday_source._facts.cache_clear()


def cache_file(folder: Path) -> Path:
    (path,) = folder.glob("holidays-*.json")
    return path


def test_answers_match_the_holidays_package(cache_dir):
    assert holiday_source.check_country(" de ") == "DE"
    assert set(holiday_source.country_codes()) == set(holidays.list_supported_countries())
    assert holiday_source.check_subdivision("DE", "by") == "BY"
    assert holiday_source.resolve_language("DE", None) == "en_US"
    assert holiday_source.supported_languages("DE") == tuple(
        type(holidays.country_holidays("DE")).supported_languages
    )
    years = range(2024, 2030)
    expected = holidays.country_holidays("DE", subdiv="BY", language="en_US", years=list(years))
    assert holiday_source.holiday_names("DE", "BY", "en_US", years) == {
        name for day in expected for name in expected.get_list(day)
    }
    table = holiday_source.country_holidays("DE", "BY", "en_US")
    for day in (date(2026, 12, 25), date(2026, 1, 6), date(2026, 7, 1), date(2027, 11, 1)):
        assert (day in table) == (day in expected)
        assert table.get_list(day) == expected.get_list(day)
    assert datetime(2026, 12, 25, 23, 0) in table  # datetimes count by their date


def test_an_observed_holiday_moved_across_new_year_is_found_whatever_was_looked_up_first(
    cache_dir,
):
    # US New Year's Day 2022 fell on a Saturday and was observed on Friday 2021-12-31.
    observed = date(2021, 12, 31)
    expected = holidays.country_holidays("US", language="en_US", years=[2021, 2022])
    assert observed in expected
    table = holiday_source.country_holidays("US", None, None)
    assert table.get_list(observed) == expected.get_list(observed)


def test_unknown_values_are_refused_with_the_known_ones(cache_dir):
    with pytest.raises(ValueError, match=r"'XX' is not a country code .* 0\.\d+"):
        holiday_source.check_country("XX")
    with pytest.raises(ValueError, match="did you mean"):
        holiday_source.check_country("DEX")
    with pytest.raises(ValueError, match="known: BB, BE"):
        holiday_source.check_subdivision("DE", "ZZ")
    with pytest.raises(ValueError, match="available: de, en_US"):
        holiday_source.resolve_language("DE", "xx")


def test_answers_are_cached_on_disk_and_read_back(cache_dir):
    names = holiday_source.holiday_names("DE", None, "en_US", range(2025, 2027))
    assert "Christmas Day" in names
    answers = json.loads(cache_file(cache_dir).read_text())["answers"]
    assert "countries" not in answers  # only what was asked for
    assert sorted(answers["names|DE||en_US|2025|2027"]) == sorted(names)

    holiday_source._facts.cache_clear()
    assert holiday_source.holiday_names("DE", None, "en_US", range(2025, 2027)) == names


def test_a_warm_cache_answers_without_importing_the_holidays_package(cache_dir):
    ask = (
        "from datetime import date\n"
        "from hcc_operators.core import holiday_source as h\n"
        "h.check_country('DE'); h.check_subdivision('DE', 'BY')\n"
        "names = h.holiday_names('DE', 'BY', None, range(2025, 2028))\n"
        "table = h.country_holidays('DE', 'BY', None)\n"
        "print(sorted(names), table.get_list(date(2026, 1, 6)), date(2026, 3, 3) in table)\n"
    )
    loaded = "import sys\nprint('holidays' in sys.modules)\n"
    env = {**os.environ, "PYTHONPATH": str(PLUGINS), holiday_source.CACHE_DIR_ENV: str(cache_dir)}

    def run(code: str) -> list[str]:
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.splitlines()

    cold = run(ask + loaded)
    warm = run(ask + loaded)
    assert cold[1] == "True" and warm[1] == "False"
    assert warm[0] == cold[0]
    assert "Epiphany" in warm[0]


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        json.dumps({"format": 999, "package": "x", "answers": {"countries": ["ZZ"]}}),
        json.dumps({"format": 1, "package": "elsewhere@1", "answers": {"countries": ["ZZ"]}}),
    ],
)
def test_a_broken_foreign_or_stale_cache_file_is_ignored(cache_dir, content):
    holiday_source.check_country("DE")
    cache_file(cache_dir).write_text(content)
    holiday_source._facts.cache_clear()
    with pytest.raises(ValueError, match="not a country code"):
        holiday_source.check_country("ZZ")
    assert holiday_source.check_country("DE") == "DE"


def test_an_unwritable_cache_directory_only_costs_speed(tmp_path, monkeypatch):
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    monkeypatch.setenv(holiday_source.CACHE_DIR_ENV, str(blocker / "cache"))
    holiday_source._facts.cache_clear()
    try:
        assert holiday_source.check_country("DE") == "DE"
        assert date(2026, 12, 25) in holiday_source.country_holidays("DE", None, None)
    finally:
        holiday_source._facts.cache_clear()
