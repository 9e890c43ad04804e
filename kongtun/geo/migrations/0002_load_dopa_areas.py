from django.db import migrations


def load(apps, schema_editor):
    from kongtun.geo.loading import load_areas

    load_areas(apps.get_model("geo", "Province"), apps.get_model("geo", "Amphoe"), apps.get_model("geo", "Tambon"))


class Migration(migrations.Migration):
    dependencies = [("geo", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
