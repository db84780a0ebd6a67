from django.db import migrations


def load(apps, schema_editor):
    from analytics.indicators import load as load_indicators

    load_indicators(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("analytics", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
