import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "changai.settings")
application = get_wsgi_application()

# A production start without collected static files would answer 500 on every page: refuse it with the fix.
from core.checks import ensure_static_collected  # noqa: E402 - needs the settings loaded above

ensure_static_collected()
