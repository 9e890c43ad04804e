"""The database itself keeps the books' promises, whatever client writes to it.

Posted entries and their lines are never updated or deleted; a line must belong to the same
fund as its entry and its account; and on PostgreSQL every entry must balance when the
transaction commits (SQLite has no deferred triggers: there `entry_post` and
`verify_ledger` check the balance).
"""

from django.db import migrations

E, L, A = "ledger_journalentry", "ledger_journalline", "ledger_account"

SQLITE = [
    *[
        f"""CREATE TRIGGER {t}_no_{op} BEFORE {op.upper()} ON {t}
            BEGIN SELECT RAISE(ABORT, 'posted book entries cannot be changed; reverse them'); END"""
        for t in (E, L)
        for op in ("update", "delete")
    ],
    f"""CREATE TRIGGER {L}_same_fund BEFORE INSERT ON {L}
        WHEN NEW.fund_id <> (SELECT fund_id FROM {E} WHERE id = NEW.entry_id)
          OR NEW.fund_id <> (SELECT fund_id FROM {A} WHERE id = NEW.account_id)
        BEGIN SELECT RAISE(ABORT, 'a book line must belong to the fund of its entry and account'); END""",
]
SQLITE_DROP = [
    *[f"DROP TRIGGER {t}_no_{op}" for t in (E, L) for op in ("update", "delete")],
    f"DROP TRIGGER {L}_same_fund",
]

POSTGRES = [
    """CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'posted book entries cannot be changed; reverse them'; END $$""",
    *[
        f"""CREATE TRIGGER {t}_append_only BEFORE UPDATE OR DELETE ON {t}
            FOR EACH ROW EXECUTE FUNCTION ledger_append_only()"""
        for t in (E, L)
    ],
    *[
        f"""CREATE TRIGGER {t}_no_truncate BEFORE TRUNCATE ON {t}
            FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only()"""
        for t in (E, L)
    ],
    f"""CREATE FUNCTION ledger_line_same_fund() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF NEW.fund_id <> (SELECT fund_id FROM {E} WHERE id = NEW.entry_id)
            OR NEW.fund_id <> (SELECT fund_id FROM {A} WHERE id = NEW.account_id) THEN
           RAISE EXCEPTION 'a book line must belong to the fund of its entry and account';
         END IF;
         RETURN NEW;
       END $$""",
    f"""CREATE TRIGGER {L}_same_fund BEFORE INSERT ON {L}
        FOR EACH ROW EXECUTE FUNCTION ledger_line_same_fund()""",
    f"""CREATE FUNCTION ledger_entry_balances() RETURNS trigger LANGUAGE plpgsql AS $$
       DECLARE residual bigint;
       BEGIN
         SELECT COALESCE(SUM(amount), 0) INTO residual FROM {L} WHERE entry_id = NEW.entry_id;
         IF residual <> 0 THEN
           RAISE EXCEPTION 'book entry % does not balance (off by % satang)', NEW.entry_id, residual;
         END IF;
         RETURN NULL;
       END $$""",
    f"""CREATE CONSTRAINT TRIGGER {L}_balanced AFTER INSERT ON {L}
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_entry_balances()""",
]
POSTGRES_DROP = [
    f"DROP TRIGGER {L}_balanced ON {L}",
    "DROP FUNCTION ledger_entry_balances()",
    f"DROP TRIGGER {L}_same_fund ON {L}",
    "DROP FUNCTION ledger_line_same_fund()",
    *[f"DROP TRIGGER {t}_no_truncate ON {t}" for t in (E, L)],
    *[f"DROP TRIGGER {t}_append_only ON {t}" for t in (E, L)],
    "DROP FUNCTION ledger_append_only()",
]


def _run(statements):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            # No parameters: PostgreSQL's editor would read RAISE's `%` as placeholders.
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]
    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        )
    ]
