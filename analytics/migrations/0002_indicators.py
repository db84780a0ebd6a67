from django.db import migrations

from analytics.migrations._indicators import load


class Migration(migrations.Migration):
    dependencies = [("analytics", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
