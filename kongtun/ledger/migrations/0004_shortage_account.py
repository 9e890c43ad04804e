"""Funds get the account a collector's cash shortage is owed on (used by collection sessions)."""

from django.db import migrations


def install(apps, schema_editor):
    Fund = apps.get_model("funds", "Fund")
    Account = apps.get_model("ledger", "Account")
    for fund in Fund.objects.all():
        if not Account._base_manager.filter(fund=fund).exists():
            continue  # a fund without books gets the whole chart when its books start
        Account._base_manager.get_or_create(
            fund=fund,
            code="1301",
            defaults={
                "role": "receivable.shortage",
                "type": "asset",
                "name_th": "ลูกหนี้เงินขาดบัญชี",
                "name_en": "Cash shortages owed by collectors",
            },
        )


class Migration(migrations.Migration):
    dependencies = [("ledger", "0003_install_chart")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
