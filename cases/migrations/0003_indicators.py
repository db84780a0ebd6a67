from django.db import migrations

from cases.migrations._indicators import load


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_topics"), ("analytics", "0002_indicators")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
