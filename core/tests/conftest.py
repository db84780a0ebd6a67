import pytest


@pytest.fixture(autouse=True)
def _job_progress_dir(settings, tmp_path):
    # Job progress goes to a file cache shared by processes (settings.CACHES["jobs"]): one per test.
    settings.CACHES = {
        **settings.CACHES,
        "jobs": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "job-progress"),
        },
    }
