"""Funds get the account that help to non-members in need is paid from (used by claims)."""

from django.db import migrations


def install(apps, schema_editor):
    Fund = apps.get_model("funds", "Fund")
    Account = apps.get_model("ledger", "Account")
    for fund in Fund.objects.all():
        if not Account._base_manager.filter(fund=fund).exists():
            continue  # a fund without books gets the whole chart when its books start
        Account._base_manager.get_or_create(
            fund=fund,
            code="5115",
            defaults={
                "role": "welfare.non_members",
                "type": "expense",
                "name_th": "สวัสดิการผู้ด้อยโอกาสที่ไม่ใช่สมาชิก",
                "name_en": "Help to non-members in need",
            },
        )


class Migration(migrations.Migration):
    dependencies = [("ledger", "0005_voucher_member")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
