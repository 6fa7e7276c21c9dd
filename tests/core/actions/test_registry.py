"""Every action kind is declared once and completely; what other layers key by kind derives
from the declarations."""

from __future__ import annotations

import typing

import pytest

from hcc_operators.core import ddl
from hcc_operators.core.actions import dump_params, parse_params, policy_kinds, spec, specs
from hcc_operators.core.actions.base import ActionParams, ActionSpec
from hcc_operators.core.models import ActionKind, CompressionType
from hcc_operators.core.policy_config import ACTION_TYPES, Policy
from hcc_operators.core.throughput import default_rate
from tests_support import SAMPLES

#: The fields a kind cannot do without.
REQUIRED = {
    ActionKind.COMPRESS: {"level": "QUERY HIGH"},
    ActionKind.MOVE: {"tablespace": "ARCH"},
    ActionKind.CUSTOM: {"strategy": "rebuild_unusable_indexes"},
}


def test_every_kind_has_exactly_one_spec():
    assert [s.kind for s in specs()] == list(ActionKind)
    for kind in ActionKind:
        assert spec(kind).kind is kind and kind.spec is spec(kind)


@pytest.mark.parametrize("declared", specs(), ids=lambda s: s.kind.value)
def test_every_spec_is_complete(declared: ActionSpec):
    assert declared.description.strip().endswith(".") and len(declared.description) > 40
    assert issubclass(declared.params, ActionParams)
    assert declared.params.kind is declared.kind
    tag = declared.params.model_fields["type"]
    assert typing.get_args(tag.annotation) == (declared.kind.value,)
    assert declared.default_mib_per_s > 0 and default_rate(declared.kind, None) > 0
    assert callable(declared.render)
    if declared.kind is not ActionKind.CUSTOM:
        statements = ddl.render(SAMPLES[declared.kind])
        assert statements and all(
            isinstance(s, ddl.SqlCall) or s.startswith(("ALTER TABLE", "CREATE"))
            for s in statements
        )
    # The tag round-trips through the queue's JSON for every kind.
    params = declared.params.model_validate(REQUIRED.get(declared.kind, {}))
    assert parse_params(dump_params(params)) == params
    for field_name, field in declared.params.model_fields.items():
        if field_name != "type":
            assert field.description, f"{declared.kind}.{field_name} has no description"


def test_policy_kinds_are_the_policy_specs_and_the_policy_model_accepts_them():
    assert policy_kinds() == ACTION_TYPES
    assert set(policy_kinds()) == {s.kind.value for s in specs() if s.policy}
    # Internal kinds are queued by the package only: a policy naming one is refused.
    internal = [s.kind.value for s in specs() if not s.policy]
    assert internal
    for kind in internal:
        with pytest.raises(ValueError, match="type"):
            Policy.model_validate({"name": "p", "tables": ["A.B"], "action": {"type": kind}})


def test_destructive_and_structural_flags():
    assert {s.kind for s in specs() if s.destructive} == {ActionKind.DROP, ActionKind.TRUNCATE}
    assert {s.kind for s in specs() if s.rewrites_segment} == {
        ActionKind.COMPRESS,
        ActionKind.MOVE,
        ActionKind.MERGE,
    }
    assert ActionKind.MERGE.spec.structural and ActionKind.DROP.spec.structural
    assert not ActionKind.COMPRESS.spec.structural


def test_unreadable_results_are_unverifiable_by_declaration():
    assert {s.kind for s in specs() if s.applied is None} == {
        ActionKind.EXCHANGE,
        ActionKind.REBUILD_INDEXES,
        ActionKind.CUSTOM,
    }


def test_queue_params_round_trip_with_defaults_left_out():
    params = parse_params({"type": "MOVE", "tablespace": "arch", "consolidate": "yearly"})
    text = dump_params(params)
    assert text == '{"consolidate":"yearly","tablespace":"ARCH","type":"MOVE"}'
    assert parse_params(text) == params
    # A row written before the tag was stored: the queue's action column supplies it.
    assert parse_params('{"level": "QUERY HIGH"}', "COMPRESS").level is CompressionType.QUERY_HIGH
    with pytest.raises(ValueError):
        parse_params('{"level": "QUERY HIGHEST"}', "COMPRESS")


def test_rebuild_indexes_of_a_composite_partition_goes_subpartition_by_subpartition():
    # IDX-03/IDX-04: MODIFY PARTITION ... REBUILD UNUSABLE LOCAL INDEXES is ORA-14270 there.
    from hcc_operators.core import ddl
    from hcc_operators.core.actions.rebuild_indexes import RebuildIndexesParams
    from hcc_operators.core.models import ObjectRef, SegmentInfo

    ref = ObjectRef("S", "T", "P1")
    table = [
        SegmentInfo(ref, None, CompressionType.NONE, 0, 0, 0, has_subpartitions=True),
        *(
            SegmentInfo(ObjectRef("S", "T", "P1", s), "U", CompressionType.NONE, 1, 1, 1)
            for s in ("P1_EAST", "P1_WEST")
        ),
    ]
    action = RebuildIndexesParams().to_action(ref, table=table)
    assert ddl.render(action) == [
        'ALTER TABLE "S"."T" MODIFY SUBPARTITION "P1_EAST" REBUILD UNUSABLE LOCAL INDEXES',
        'ALTER TABLE "S"."T" MODIFY SUBPARTITION "P1_WEST" REBUILD UNUSABLE LOCAL INDEXES',
    ]
    plain = RebuildIndexesParams().to_action(ObjectRef("S", "T", "P2"), table=table)
    assert ddl.render(plain) == [
        'ALTER TABLE "S"."T" MODIFY PARTITION "P2" REBUILD UNUSABLE LOCAL INDEXES'
    ]
