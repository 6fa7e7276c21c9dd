"""Licensed options are used only when the connection declares them (LIC-01..05)."""

from __future__ import annotations

import pytest

from hcc_operators.core.errors import ConfigError, PolicyError
from hcc_operators.core.licences import Licences, check_level, decide_online, from_extras
from hcc_operators.core.models import CompressionType as C

NONE, ACO = Licences(), Licences(advanced_compression=True)


def test_extras_declare_licences_strictly():
    assert from_extras({}, "c") == NONE
    assert from_extras({"hcc_advanced_compression": True, "hcc_awr_licensed": "true"}, "c") == (
        Licences(True, True)
    )
    assert from_extras({"hcc_diagnostics_pack": "false"}, "c", default=Licences(True, True)) == (
        Licences(True, False)
    )
    with pytest.raises(ConfigError, match="connection c: hcc_advanced_compression: .*'yes'"):
        from_extras({"hcc_advanced_compression": "yes"}, "c")


@pytest.mark.parametrize(
    ("requested", "target", "current", "licences", "online", "noted"),
    [
        (None, C.QUERY_HIGH, C.NONE, ACO, True, False),
        (None, C.QUERY_HIGH, C.NONE, NONE, False, True),
        (False, C.QUERY_HIGH, C.NONE, NONE, False, False),
        (None, None, C.NONE, NONE, True, False),  # uncompressed stays uncompressed: no option
        (None, None, C.ARCHIVE_HIGH, NONE, False, True),  # moving a compressed segment
        (True, C.QUERY_HIGH, C.NONE, ACO, True, False),
    ],
)
def test_online_auto(requested, target, current, licences, online, noted):
    decided, note = decide_online(requested, target, current, licences)
    assert decided is online and (note is not None) is noted


def test_online_true_without_the_option_is_refused_and_advanced_needs_it():
    with pytest.raises(PolicyError, match="Advanced Compression Option"):
        decide_online(True, C.QUERY_HIGH, C.NONE, NONE)
    with pytest.raises(PolicyError, match="LIC-03"):
        check_level(C.ADVANCED, NONE)
    check_level(C.ADVANCED, ACO)
    check_level(C.ARCHIVE_HIGH, NONE)  # HCC is storage, not a licence key (LIC-06)
