from django.db import migrations

from studios.migrations._indicators import load


class Migration(migrations.Migration):
    dependencies = [("studios", "0001_initial"), ("analytics", "0002_indicators")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
