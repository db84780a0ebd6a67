from django.db import migrations

from sites.migrations._indicators import load


class Migration(migrations.Migration):
    dependencies = [("sites", "0001_initial"), ("analytics", "0002_indicators")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
