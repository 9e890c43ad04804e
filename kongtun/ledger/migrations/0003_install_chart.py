"""Funds that existed before the books get the template chart of accounts."""

from django.db import migrations


def install(apps, schema_editor):
    from kongtun.ledger.chart import TEMPLATE

    Fund = apps.get_model("funds", "Fund")
    Account = apps.get_model("ledger", "Account")
    LedgerHead = apps.get_model("ledger", "LedgerHead")
    for fund in Fund.objects.all():
        have = set(Account._base_manager.filter(fund=fund).values_list("code", flat=True))
        Account._base_manager.bulk_create(
            Account(fund=fund, code=a.code, role=a.role, type=a.type, name_th=a.name_th,
                    name_en=a.name_en, source=a.source)
            for a in TEMPLATE
            if a.code not in have
        )
        LedgerHead._base_manager.get_or_create(fund=fund)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_ledger_triggers"), ("funds", "0001_initial")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
