from django.db import migrations

from training.migrations._indicators import load


class Migration(migrations.Migration):
    dependencies = [("training", "0001_initial"), ("analytics", "0002_indicators")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
