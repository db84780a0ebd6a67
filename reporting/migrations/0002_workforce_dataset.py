from django.db import migrations

from reporting.migrations._workforce import load


class Migration(migrations.Migration):
    """The first real data set, 产业工人队伍基本情况 (WF_Y) and its quarterly short form (WF_Q), as data."""

    dependencies = [("reporting", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
