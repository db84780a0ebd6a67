"""GB/T 2260 codes of Yunnan and its 16 prefecture-level divisions."""

from django.db import migrations

from orgs.migrations._regions import load


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
