"""The database refuses to edit a member-view row, whatever the client; deleting stays possible
for the retention job."""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER audit_memberview_no_update BEFORE UPDATE ON audit_memberview
       BEGIN SELECT RAISE(ABORT, 'member views are never edited'); END""",
]
SQLITE_DROP = ["DROP TRIGGER audit_memberview_no_update"]

POSTGRES = [
    """CREATE FUNCTION audit_memberview_no_update() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'member views are never edited'; END $$""",
    """CREATE TRIGGER audit_memberview_no_update BEFORE UPDATE ON audit_memberview
       FOR EACH ROW EXECUTE FUNCTION audit_memberview_no_update()""",
]
POSTGRES_DROP = [
    "DROP TRIGGER audit_memberview_no_update ON audit_memberview",
    "DROP FUNCTION audit_memberview_no_update()",
]


def _run(statements):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_member_view")]
    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        )
    ]
