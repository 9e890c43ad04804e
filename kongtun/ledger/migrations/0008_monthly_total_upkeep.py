"""Every posted line adds itself to its month's total, in the same statement, whatever writes it.

A trigger rather than application code: the demo loader and any future bulk path insert lines
without the posting service, and the totals must still equal the books (verify_ledger checks).
Lines are never updated or deleted (0002), so inserts are the only change to follow.
"""

from django.db import migrations

L, T = "ledger_journalline", "ledger_monthlytotal"
UPSERT = f"""INSERT INTO {T} (fund_id, account_id, source, period, amount, lines)
    VALUES (NEW.fund_id, NEW.account_id, NEW.source, {{period}}, NEW.amount, 1)
    ON CONFLICT (fund_id, account_id, source, period)
    DO UPDATE SET amount = {T}.amount + excluded.amount, lines = {T}.lines + 1"""

SQLITE = [
    # Dates are ISO text on SQLite: the month is characters 1-4 and 6-7.
    f"""CREATE TRIGGER {L}_monthly_total AFTER INSERT ON {L}
        BEGIN {UPSERT.format(period="CAST(substr(NEW.date, 1, 4) || substr(NEW.date, 6, 2) AS INTEGER)")};
        END"""
]
SQLITE_DROP = [f"DROP TRIGGER {L}_monthly_total"]

POSTGRES = [
    f"""CREATE FUNCTION ledger_monthly_total() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         {UPSERT.format(period="(EXTRACT(YEAR FROM NEW.date) * 100 + EXTRACT(MONTH FROM NEW.date))::integer")};
         RETURN NULL;
       END $$""",
    f"""CREATE TRIGGER {L}_monthly_total AFTER INSERT ON {L}
        FOR EACH ROW EXECUTE FUNCTION ledger_monthly_total()""",
]
POSTGRES_DROP = [f"DROP TRIGGER {L}_monthly_total ON {L}", "DROP FUNCTION ledger_monthly_total()"]


def _run(statements):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql, params=None)

    return run


def _rebuild(apps, schema_editor):
    """Totals for the lines posted before this migration."""
    vendor = schema_editor.connection.vendor
    period = (
        "CAST(substr(date, 1, 4) || substr(date, 6, 2) AS INTEGER)"
        if vendor == "sqlite"
        else "(EXTRACT(YEAR FROM date) * 100 + EXTRACT(MONTH FROM date))::integer"
    )
    schema_editor.execute(
        f"""INSERT INTO {T} (fund_id, account_id, source, period, amount, lines)
            SELECT fund_id, account_id, source, {period}, SUM(amount), COUNT(*)
            FROM {L} GROUP BY fund_id, account_id, source, {period}""",
        params=None,
    )


class Migration(migrations.Migration):
    dependencies = [("ledger", "0007_monthly_totals")]
    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        ),
        migrations.RunPython(_rebuild, migrations.RunPython.noop),
    ]
