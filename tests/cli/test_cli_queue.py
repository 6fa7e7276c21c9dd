"""`hcc queue` and `hcc policies`: changes recorded with --by/--reason, clear errors, exit 1."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, insert, select

from hcc_operators.repository.tables import ilm_policies, ilm_queue, queue_changes

T = datetime(2026, 3, 6, 22, 0, tzinfo=UTC)


def add_item(dsn, status="PENDING", partition="P1", priority=20) -> int:
    engine = create_engine(dsn)
    with engine.begin() as conn:
        return conn.execute(
            insert(ilm_queue).values(
                policy_name="compress_old",
                policy_version=1,
                priority=priority,
                owner="SALES",
                table_name="ORDERS",
                partition_name=partition,
                action="COMPRESS",
                size_bytes=2**30,
                status=status,
                attempts=0,
                carried_over=False,
                enqueued_at=T,
                updated_at=T,
            )
        ).inserted_primary_key[0]


def status_of(dsn, queue_id):
    with create_engine(dsn).connect() as conn:
        return conn.execute(
            select(ilm_queue.c.status, ilm_queue.c.priority).where(ilm_queue.c.queue_id == queue_id)
        ).one()


def test_hold_release_priority_and_history(hcc, demo_dsn):
    qid = add_item(demo_dsn)
    code, out, err = hcc(
        "queue", "hold", str(qid), "--dsn", demo_dsn, "--by", "alice", "--reason", "freeze"
    )
    assert (code, err) == (0, "")
    assert out == f"queue item {qid}: status PENDING -> HELD (hold by alice: freeze)\n"
    assert tuple(status_of(demo_dsn, qid)) == ("HELD", 20)

    code, out, _ = hcc("queue", "priority", str(qid), "5", "--dsn", demo_dsn, "--by", "bob")
    assert code == 0 and out == f"queue item {qid}: priority 20 -> 5 (priority by bob)\n"
    assert hcc("queue", "release", str(qid), "--dsn", demo_dsn, "--by", "alice")[0] == 0

    code, out, _ = hcc("queue", "history", str(qid), "--dsn", demo_dsn, "--json")
    assert code == 0
    assert [
        (c["command"], c["old_value"], c["new_value"], c["changed_by"], c["changed_via"])
        for c in json.loads(out)
    ] == [
        ("hold", "PENDING", "HELD", "alice", "cli"),
        ("priority", "20", "5", "bob", "cli"),
        ("release", "HELD", "PENDING", "alice", "cli"),
    ]
    code, out, _ = hcc("queue", "history", str(qid), "--dsn", demo_dsn)
    assert code == 0 and "freeze" in out and out.count("cli") == 3


def test_the_default_acting_user_is_the_os_user(hcc, demo_dsn, monkeypatch):
    import getpass

    monkeypatch.setattr(getpass, "getuser", lambda: "oracle")
    qid = add_item(demo_dsn)
    assert hcc("queue", "cancel", str(qid), "--dsn", demo_dsn)[0] == 0
    with create_engine(demo_dsn).connect() as conn:
        assert conn.scalar(select(queue_changes.c.changed_by)) == "oracle"


def test_no_os_user_and_no_by_is_a_clear_error(hcc, demo_dsn, monkeypatch):
    import getpass

    def nobody():
        raise KeyError("getpwuid(): uid not found: 1000")

    monkeypatch.setattr(getpass, "getuser", nobody)
    qid = add_item(demo_dsn)
    code, _, err = hcc("queue", "hold", str(qid), "--dsn", demo_dsn)
    assert code == 1
    assert err == "hcc: error: cannot tell who you are: name yourself with --by USER\n"
    assert status_of(demo_dsn, qid).status == "PENDING"


@pytest.mark.parametrize(
    ("status", "command", "message"),
    [
        ("RUNNING", "cancel", "cannot cancel queue item {qid}: it is RUNNING, and cancel "),
        ("PENDING", "release", "cannot release queue item {qid}: it is PENDING, and release "),
        ("SUCCESS", "requeue", "cannot requeue queue item {qid}: it is SUCCESS"),
    ],
)
def test_illegal_transitions_exit_1_with_the_reason(hcc, demo_dsn, status, command, message):
    qid = add_item(demo_dsn, status=status)
    code, out, err = hcc("queue", command, str(qid), "--dsn", demo_dsn, "--by", "a")
    assert code == 1 and out == ""
    assert err.startswith("hcc: error: " + message.format(qid=qid))
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("queue", "priority", "1", "1001"), "priority must be between 0 and 1000"),
        (("queue", "priority", "1", "high"), "priority must be a whole number"),
        (("queue", "hold", "abc"), "'abc' is not a queue item id"),
        (("queue", "hold", "0"), "'0' is not a queue item id"),
        (("queue", "pause", "1"), "invalid choice: 'pause'"),
        (("queue", "list", "--status", "DONE"), "invalid choice: 'DONE'"),
    ],
)
def test_bad_arguments_exit_1_naming_the_problem(hcc, demo_dsn, argv, message):
    code, _, err = hcc(*argv, "--dsn", demo_dsn)
    assert code == 1
    assert message in err and "Traceback" not in err


def test_an_unknown_item_and_a_too_long_reason(hcc, demo_dsn):
    code, _, err = hcc("queue", "hold", "999", "--dsn", demo_dsn, "--by", "a")
    assert (code, err) == (1, "hcc: error: queue item 999 not found\n")
    qid = add_item(demo_dsn)
    code, _, err = hcc(
        "queue", "hold", str(qid), "--dsn", demo_dsn, "--by", "a", "--reason", "x" * 2001
    )
    assert (code, err) == (1, "hcc: error: --reason: reason is longer than 2000 characters\n")


def test_list_shows_held_items_and_filters_by_status(hcc, demo_dsn):
    held = add_item(demo_dsn, partition="P1")
    add_item(demo_dsn, partition="P2")
    hcc("queue", "hold", str(held), "--dsn", demo_dsn, "--by", "a")
    code, out, _ = hcc("queue", "list", "--status", "held", "--dsn", demo_dsn, "--json")
    assert code == 0
    data = json.loads(out)
    assert data["total"] == 1 and [i["queue_id"] for i in data["items"]] == [held]
    code, out, _ = hcc("queue", "list", "--dsn", demo_dsn)
    assert code == 0 and "2 of 2 queue item(s)" in out and "SALES.ORDERS:P2" in out


def test_policies_sync_records_the_author_and_history_shows_it(hcc, demo_dsn, config_copy):
    args = ("--dsn", demo_dsn, "--config-dir", str(config_copy), "--by", "alice")
    code, out, _ = hcc("policies", "sync", *args, "--reason", "first import")
    assert code == 0 and "version 1 recorded, made by alice" in out
    assert hcc("policies", "sync", *args)[1] == (
        "policies.yaml matches the stored versions: nothing recorded\n"
    )
    policies = config_copy / "policies.yaml"
    text = policies.read_text()
    assert "priority: 60" in text
    policies.write_text(text.replace("priority: 60", "priority: 61", 1))
    code, out, _ = hcc("policies", "sync", *args[:-1], "bob", "--reason", "lower priority")
    assert code == 0
    (changed,) = out.splitlines()
    name = changed.split(":")[0]
    assert changed == f"{name}: version 2 recorded, made by bob"

    code, out, _ = hcc("policies", "history", name, "--dsn", demo_dsn, "--json")
    history = json.loads(out)
    assert [
        (v["version"], v["created_by"], v["change_reason"], v["superseded_by"]) for v in history
    ] == [
        (2, "bob", "lower priority", None),
        (1, "alice", "first import", "bob"),
    ]
    with create_engine(demo_dsn).connect() as conn:
        assert conn.scalar(select(ilm_policies.c.created_via).limit(1)) == "cli"
    code, _, err = hcc("policies", "history", "nope", "--dsn", demo_dsn)
    assert (code, err) == (1, "hcc: error: policy 'nope' has no stored version\n")
