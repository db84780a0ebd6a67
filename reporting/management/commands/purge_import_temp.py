"""Delete Excel uploads, previews and error workbooks older than 24 hours from the private import directory.

Uploads are deleted as soon as they are confirmed, discarded or refused; what remains is the
metadata and error workbook of refused uploads (kept so that the person can download it) and
previews nobody confirmed. Run it once an hour from the host's scheduler, e.g.

    0 * * * *  cd /srv/changai && .venv/bin/python manage.py purge_import_temp
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand

from reporting.excel import storage


class Command(BaseCommand):
    help = "Delete Excel import files older than 24 hours (or --hours)."

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=float, default=24.0, help="age in hours (default 24)")

    def handle(self, *args, hours: float, **options):
        removed = storage.purge(older_than=dt.timedelta(hours=hours))
        self.stdout.write(f"purge_import_temp: {removed} file(s) deleted from {storage.import_dir()}")
