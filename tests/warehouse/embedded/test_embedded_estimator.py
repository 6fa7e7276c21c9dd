from __future__ import annotations

from datetime import datetime

import pytest

from hcc_operators.core.models import CompressionType as C
from hcc_operators.warehouse.embedded import datagen
from hcc_operators.warehouse.embedded.estimator import measure
from hcc_operators.warehouse.embedded.storage_format import encode_rows, encode_value

HCC_ORDER = (C.QUERY_LOW, C.QUERY_HIGH, C.ARCHIVE_LOW, C.ARCHIVE_HIGH)


def _encoded(profile: str, seed: int = 3, rows: int = 2000):
    generated = datagen.sample_rows(profile, seed, rows, datetime(2025, 3, 1), datetime(2025, 4, 1))
    return encode_rows(generated, datagen.profile(profile).columns)


@pytest.mark.parametrize("profile", ["sales", "ledger", "event_log", "sensor", "audit"])
def test_hcc_ratios_rise_from_query_low_to_archive_high(profile):
    rows = _encoded(profile)
    ratios = [measure(rows, ctype).ratio for ctype in HCC_ORDER]
    assert ratios == sorted(ratios) and len(set(ratios)) == 4, ratios
    assert measure(rows, C.ADVANCED).ratio < ratios[0]
    assert all(r > 1.0 for r in ratios)


def test_ratios_differ_by_data_shape():
    by_profile = {p: measure(_encoded(p), C.QUERY_HIGH).ratio for p in datagen.PROFILES}
    assert len({round(r, 2) for r in by_profile.values()}) == len(by_profile)
    # Free-text logs compress worse than low-cardinality ledger facts.
    assert by_profile["event_log"] < by_profile["ledger"]


def test_random_bytes_barely_compress_and_repeated_values_compress_a_lot():
    import random

    rng = random.Random(1)
    noise = [(bytes(rng.getrandbits(8) for _ in range(60)),) for _ in range(500)]
    repeated = [(b"SHIPPED-EUR-WEB-STORE-" * 3,) for _ in range(500)]
    assert measure(noise, C.ARCHIVE_HIGH).ratio < 1.2
    assert measure(repeated, C.QUERY_LOW).ratio > 10
    assert measure(repeated, C.ADVANCED).ratio > 5


def test_sample_rows_are_deterministic_and_seed_dependent():
    a = datagen.sample_rows("sales", 11, 50, datetime(2024, 1, 1), datetime(2024, 2, 1))
    b = datagen.sample_rows("sales", 11, 50, datetime(2024, 1, 1), datetime(2024, 2, 1))
    c = datagen.sample_rows("sales", 12, 50, datetime(2024, 1, 1), datetime(2024, 2, 1))
    assert a == b and a != c
    assert all(datetime(2024, 1, 1) <= r[0] < datetime(2024, 2, 1) for r in a)


def test_oracle_encodings_have_oracle_sizes():
    assert len(encode_value(datetime(2024, 2, 1), "DATE")) == 7
    assert len(encode_value(datetime(2024, 2, 1, 0, 0, 0, 5000), "TIMESTAMP")) == 11
    assert encode_value(1, "NUMBER") == b"\xc1\x02"
    assert encode_value(0, "NUMBER") == b"\x80"
    assert encode_value(None, "VARCHAR2") is None


def test_unknown_profile_is_named():
    with pytest.raises(ValueError, match="unknown data profile 'nope'"):
        datagen.profile("nope")


def test_all_rows_is_accepted_as_oracle_accepts_it(warehouse):
    # -1 is DBMS_COMPRESSION.COMP_RATIO_ALLROWS: advisor.yaml and `hcc estimate` offer it, so
    # the simulation must take it too (it samples what it simulates).
    from hcc_operators.core.errors import ConfigError
    from hcc_operators.core.models import CompressionType

    segments = warehouse.list_segments(["SALES"])
    seg = next(s for s in segments if s.bytes and s.compression.value == "NONE")
    everything = warehouse.estimate_ratio(seg.ref, CompressionType.QUERY_HIGH, sample_rows=-1)
    assert everything > 1.0
    for bad in (0, -2, 2**31, 10**20):
        with pytest.raises(ConfigError, match="sample_rows must be"):
            warehouse.estimate_ratio(seg.ref, CompressionType.QUERY_HIGH, sample_rows=bad)
    with pytest.raises(ConfigError, match="sample_rows must be"):
        warehouse.compression_sample(seg.ref, sample_rows=-1)
