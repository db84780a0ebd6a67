from django.db import migrations

from talent.migrations._indicators import load


class Migration(migrations.Migration):
    dependencies = [("talent", "0002_rounds_and_retention"), ("analytics", "0002_indicators")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
