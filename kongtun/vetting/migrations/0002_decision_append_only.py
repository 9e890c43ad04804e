"""The committee's decisions are final: the database refuses to change or delete one.

A different decision is a new row that supersedes the old (kongtun.vetting.services), so the
old row is never touched and nothing but a plain INSERT ever reaches this table.
"""

from django.db import migrations

T = "vetting_decision"
MESSAGE = "a committee decision is never changed or deleted; record a new one"

SQLITE = [
    f"""CREATE TRIGGER {T}_no_{op} BEFORE {op.upper()} ON {T}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"""
    for op in ("update", "delete")
]
SQLITE_DROP = [f"DROP TRIGGER {T}_no_{op}" for op in ("update", "delete")]

POSTGRES = [
    f"""CREATE FUNCTION vetting_decision_final() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$""",
    f"""CREATE TRIGGER {T}_final BEFORE UPDATE OR DELETE ON {T}
        FOR EACH ROW EXECUTE FUNCTION vetting_decision_final()""",
    f"""CREATE TRIGGER {T}_no_truncate BEFORE TRUNCATE ON {T}
        FOR EACH STATEMENT EXECUTE FUNCTION vetting_decision_final()""",
]
POSTGRES_DROP = [
    f"DROP TRIGGER {T}_no_truncate ON {T}",
    f"DROP TRIGGER {T}_final ON {T}",
    "DROP FUNCTION vetting_decision_final()",
]


def _run(statements):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            # No parameters: PostgreSQL's editor would read RAISE's `%` as placeholders.
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("vetting", "0001_initial")]
    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        )
    ]
