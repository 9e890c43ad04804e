"""The audit trail is append-only and tamper-evident: tests tamper with the table directly."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django_scopes import scopes_disabled

from kongtun.audit.models import AuditEntry
from kongtun.audit.verify import verify_audit
from kongtun.conftest import member_data
from kongtun.members.services import member_register, member_update

TABLE = AuditEntry._meta.db_table


@pytest.fixture
def trail(in_fund, users):
    """Five registrations and an edit: six entries on the fund's chain."""
    members = [
        member_register(fund=in_fund, actor=users["treasurer"], data=member_data(i))
        for i in range(1, 6)
    ]
    data = member_data(1, first_name="แก้ไขแล้ว")
    member_update(member=members[0], actor=users["chair"], data=data)
    with scopes_disabled():
        return list(AuditEntry.objects.filter(fund=in_fund).order_by("seq"))


def _drop_triggers() -> None:
    """An attacker with direct database access can remove the triggers; the chain still tells."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER audit_entry_no_update")
            cursor.execute("DROP TRIGGER audit_entry_no_delete")
        else:
            # Django's foreign keys are deferred; PostgreSQL will not alter a table with
            # deferred checks still pending in the transaction.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")


def _sql(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_it_records_who_what_before_and_after(trail, users):
    edit = trail[-1]
    assert edit.action == "members.member.changed"
    assert edit.actor_id == users["chair"].pk
    assert edit.payload["before"] == {"first_name": "ทดสอบ1"}
    assert edit.payload["after"] == {"first_name": "แก้ไขแล้ว", "national_id_changed": False}
    assert [e.seq for e in trail] == [1, 2, 3, 4, 5, 6]
    assert verify_audit() == []


def test_it_keeps_national_ids_out_of_the_trail(trail):
    ids = [member_data(i).national_id for i in range(1, 6)]
    for entry in trail:
        assert not any(n in entry.data for n in ids)


@pytest.mark.parametrize(
    "sql",
    [f"UPDATE {TABLE} SET action = 'x'", f"DELETE FROM {TABLE}"],
    ids=["update", "delete"],
)
def test_the_database_refuses_to_change_entries(trail, sql):
    with pytest.raises(DatabaseError), transaction.atomic():
        _sql(sql, [])
    with scopes_disabled():
        assert AuditEntry.objects.count() == len(trail)


def test_the_orm_cannot_edit_an_entry_either(trail):
    entry = trail[0]
    entry.action = "members.member.nothing"
    with pytest.raises(DatabaseError), transaction.atomic():
        entry.save()


def test_it_detects_an_edited_entry(trail):
    _drop_triggers()
    target = trail[2]
    tampered = json.loads(target.data)
    tampered["after"]["first_name"] = "คนอื่น"
    _sql(f"UPDATE {TABLE} SET data = %s WHERE id = %s", [json.dumps(tampered), target.pk])
    problems = verify_audit()
    assert [(p.seq, p.message) for p in problems] == [
        (target.seq, "content changed after it was written")
    ]


def test_it_detects_an_edited_actor(trail, users):
    _drop_triggers()
    _sql(f"UPDATE {TABLE} SET actor_id = %s WHERE id = %s", [users["nobody"].pk, trail[1].pk])
    assert [p.seq for p in verify_audit()] == [trail[1].seq]


def test_it_detects_a_deleted_entry(trail):
    _drop_triggers()
    _sql(f"DELETE FROM {TABLE} WHERE id = %s", [trail[2].pk])
    messages = [str(p) for p in verify_audit()]
    assert any("#4" in m and "missing" in m for m in messages), messages


def test_it_detects_reordered_entries(trail):
    _drop_triggers()
    a, b = trail[1], trail[3]
    _sql(f"UPDATE {TABLE} SET seq = %s WHERE id = %s", [999, a.pk])
    _sql(f"UPDATE {TABLE} SET seq = %s WHERE id = %s", [a.seq, b.pk])
    _sql(f"UPDATE {TABLE} SET seq = %s WHERE id = %s", [b.seq, a.pk])
    problems = verify_audit()
    assert {p.seq for p in problems} >= {a.seq, b.seq}


def test_it_detects_a_truncated_tail(trail):
    _drop_triggers()
    _sql(f"DELETE FROM {TABLE} WHERE id = %s", [trail[-1].pk])
    problems = verify_audit()
    assert len(problems) == 1 and "head says #6" in str(problems[0])


def test_verify_audit_command_fails_and_names_the_entry(trail, capsys):
    call_command("verify_audit")
    assert "intact" in capsys.readouterr().out
    _drop_triggers()
    _sql(f"UPDATE {TABLE} SET action = %s WHERE id = %s", ["members.member.hidden", trail[0].pk])
    with pytest.raises(CommandError):
        call_command("verify_audit")
    assert f"fund:{trail[0].fund_id} #1" in capsys.readouterr().err
