"""The per-run ONLINE/PARALLEL overrides: strict parsing and what they change."""

from __future__ import annotations

import pytest

from hcc_operators.core.errors import ConfigError
from hcc_operators.core.models import Action, ActionKind, CompressionType, ObjectRef
from hcc_operators.core.rewrite_options import OnlineChoice, RewriteOptions

REF = ObjectRef("SALES", "ORDERS", "P_2024_01")
MOVE = Action(ActionKind.MOVE, REF, tablespace="COLD", online=None, parallel=2)
READ_ONLY = Action(ActionKind.READ_ONLY, REF)


@pytest.mark.parametrize(
    ("online", "parallel", "expected"),
    [
        (None, None, RewriteOptions()),
        ("", "", RewriteOptions()),
        ("policy", None, RewriteOptions()),
        ("Offline", None, RewriteOptions(OnlineChoice.OFFLINE)),
        ("auto", 16, RewriteOptions(OnlineChoice.AUTO, 16)),
        ("online", 1, RewriteOptions(OnlineChoice.ONLINE, 1)),
    ],
)
def test_rendered_param_values_parse(online, parallel, expected):
    assert RewriteOptions.parse(online, parallel) == expected


@pytest.mark.parametrize(
    ("online", "parallel", "names"),
    [
        ("sometimes", None, "Param online"),
        (True, None, "Param online"),
        (None, 0, "Param parallel"),
        (None, 257, "Param parallel"),
        (None, "8", "Param parallel"),
        (None, True, "Param parallel"),
        (None, 2.5, "Param parallel"),
    ],
)
def test_anything_else_is_refused_naming_the_param(online, parallel, names):
    with pytest.raises(ConfigError, match=names):
        RewriteOptions.parse(online, parallel)


def test_the_defaults_leave_the_policys_choices():
    assert RewriteOptions().apply(MOVE) == MOVE
    assert RewriteOptions().describe() == "as the policies say"


@pytest.mark.parametrize(
    ("choice", "online"),
    [(OnlineChoice.ONLINE, True), (OnlineChoice.OFFLINE, False), (OnlineChoice.AUTO, None)],
)
def test_online_and_parallel_replace_the_policys(choice, online):
    changed = RewriteOptions(choice, 8).apply(MOVE)
    assert changed.online is online and changed.parallel == 8
    assert changed.tablespace == "COLD" and changed.kind is ActionKind.MOVE


def test_parallel_alone_keeps_the_policys_online():
    changed = RewriteOptions(parallel=4).apply(MOVE)
    assert changed.online is None and changed.parallel == 4


def test_actions_that_rewrite_no_segment_are_untouched():
    assert RewriteOptions(OnlineChoice.OFFLINE, 8).apply(READ_ONLY) == READ_ONLY
    compress = Action(ActionKind.COMPRESS, REF, compression=CompressionType.QUERY_HIGH)
    assert RewriteOptions(OnlineChoice.OFFLINE).apply(compress).online is False
