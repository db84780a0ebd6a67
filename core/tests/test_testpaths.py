"""`make test` runs every app's tests: pytest's testpaths name every installed app of the project."""

import tomllib
from pathlib import Path

from django.apps import apps
from django.conf import settings


def test_every_project_app_with_tests_is_in_testpaths():
    root = Path(settings.BASE_DIR)
    config = tomllib.loads((root / "pyproject.toml").read_text())
    testpaths = set(config["tool"]["pytest"]["ini_options"]["testpaths"])
    apps_with_tests = {
        config.name
        for config in apps.get_app_configs()
        if Path(config.path).parent == root and (Path(config.path) / "tests").is_dir()
    }
    assert apps_with_tests - testpaths == set()
