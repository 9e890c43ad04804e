"""The database keeps the receipts' promises, whatever client writes to it.

A receipt is never deleted and its contents never change; the only change allowed is voiding
it once (setting its reversal, reason, who and when). Payments brought from the old books
(PastPayment) and co-funders' payments are never changed or deleted either.
"""

from django.db import migrations

R, P, C = "contributions_receipt", "contributions_pastpayment", "contributions_cocontribution"
FIXED = (
    "fund_id", "fiscal_year", "seq", "date", "member_id", "contribution", "fee", "total",
    "epoch", "paid_through", "money_account_id", "session_id", "entry_id", "received_by_id",
    "idempotency_key", "code",
)  # fmt: skip
VOID = ("void_entry_id", "void_reason", "voided_by_id", "voided_at")

SQLITE_CHANGED = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in FIXED)
SQLITE_REVOID = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in VOID)
SQLITE = [
    f"""CREATE TRIGGER {R}_no_delete BEFORE DELETE ON {R}
        BEGIN SELECT RAISE(ABORT, 'a receipt is never deleted; void it'); END""",
    f"""CREATE TRIGGER {R}_only_void BEFORE UPDATE ON {R}
        WHEN {SQLITE_CHANGED} OR (OLD.void_entry_id IS NOT NULL AND ({SQLITE_REVOID}))
        BEGIN SELECT RAISE(ABORT, 'a receipt cannot be changed, only voided once'); END""",
    *[
        f"""CREATE TRIGGER {t}_no_{op} BEFORE {op.upper()} ON {t}
            BEGIN SELECT RAISE(ABORT, 'recorded payments cannot be changed or deleted'); END"""
        for t in (P, C)
        for op in ("update", "delete")
    ],
]
SQLITE_DROP = [
    f"DROP TRIGGER {R}_no_delete",
    f"DROP TRIGGER {R}_only_void",
    *[f"DROP TRIGGER {t}_no_{op}" for t in (P, C) for op in ("update", "delete")],
]

PG_CHANGED = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in FIXED)
PG_REVOID = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in VOID)
POSTGRES = [
    f"""CREATE FUNCTION contributions_receipt_guard() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP <> 'UPDATE' THEN
           RAISE EXCEPTION 'a receipt is never deleted; void it';
         END IF;
         IF {PG_CHANGED} OR (OLD.void_entry_id IS NOT NULL AND ({PG_REVOID})) THEN
           RAISE EXCEPTION 'a receipt cannot be changed, only voided once';
         END IF;
         RETURN NEW;
       END $$""",
    f"""CREATE TRIGGER {R}_guard BEFORE UPDATE OR DELETE ON {R}
        FOR EACH ROW EXECUTE FUNCTION contributions_receipt_guard()""",
    """CREATE FUNCTION contributions_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'recorded payments cannot be changed or deleted'; END $$""",
    *[
        f"""CREATE TRIGGER {t}_append_only BEFORE UPDATE OR DELETE ON {t}
            FOR EACH ROW EXECUTE FUNCTION contributions_append_only()"""
        for t in (P, C)
    ],
    *[
        f"""CREATE TRIGGER {t}_no_truncate BEFORE TRUNCATE ON {t}
            FOR EACH STATEMENT EXECUTE FUNCTION contributions_append_only()"""
        for t in (R, P, C)
    ],
]
POSTGRES_DROP = [
    *[f"DROP TRIGGER {t}_no_truncate ON {t}" for t in (R, P, C)],
    *[f"DROP TRIGGER {t}_append_only ON {t}" for t in (P, C)],
    "DROP FUNCTION contributions_append_only()",
    f"DROP TRIGGER {R}_guard ON {R}",
    "DROP FUNCTION contributions_receipt_guard()",
]


def _run(statements):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            # No parameters: PostgreSQL's editor would read RAISE's `%` as placeholders.
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("contributions", "0001_initial")]
    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        )
    ]
