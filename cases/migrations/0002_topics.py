"""The topics cases are tagged with (cases/migrations/_topics.py, frozen)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from cases.migrations._topics import load

    load(apps)


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
