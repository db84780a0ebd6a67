"""Passwords at the platform's Argon2id parameters (accounts/hashers.py): from the settings, never below the floor,
and older hashes upgraded at the next sign-in."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.hashers import Argon2PasswordHasher as DjangoArgon2
from django.contrib.auth.hashers import check_password, make_password

from accounts.hashers import Argon2PasswordHasher, floor_problem

PRODUCTION = ["accounts.hashers.Argon2PasswordHasher", "django.contrib.auth.hashers.PBKDF2PasswordHasher"]


@pytest.fixture
def production_hashing(settings):
    settings.PASSWORD_HASHERS = PRODUCTION  # the suite's cheap hasher set aside


def test_the_default_parameters_are_those_the_module_gives(production_hashing):
    assert django_settings.PASSWORD_HASHERS[0] == "accounts.hashers.Argon2PasswordHasher"
    encoded = make_password("Kunming-2026")
    assert encoded.startswith("argon2$argon2id$v=19$m=47104,t=2,p=1$")
    assert check_password("Kunming-2026", encoded) and not check_password("kunming-2026", encoded)


def test_the_parameters_come_from_the_settings(production_hashing, settings):
    settings.ARGON2_TIME_COST, settings.ARGON2_MEMORY_KIB, settings.ARGON2_PARALLELISM = 3, 65_536, 2
    assert "$m=65536,t=3,p=2$" in make_password("Kunming-2026")


def test_a_hash_made_with_djangos_parameters_verifies_and_is_upgraded(production_hashing):
    old = DjangoArgon2().encode("Kunming-2026", DjangoArgon2().salt())
    assert "$m=102400,t=2,p=8$" in old
    upgraded = []
    assert check_password("Kunming-2026", old, setter=lambda raw: upgraded.append(make_password(raw)))
    assert len(upgraded) == 1 and "$m=47104,t=2,p=1$" in upgraded[0]
    assert Argon2PasswordHasher().must_update(old) and not Argon2PasswordHasher().must_update(upgraded[0])


@pytest.mark.parametrize(
    ("time_cost", "memory", "parallelism", "weak"),
    [
        (2, 47_104, 1, False),
        (1, 47_104, 1, False),
        (2, 19_456, 1, False),
        (5, 7_168, 1, False),
        (9, 7_168, 1, False),
        (1, 47_103, 1, True),
        (2, 19_455, 1, True),
        (3, 12_287, 1, True),
        (0, 65_536, 1, True),
        (2, 65_536, 0, True),
    ],
)
def test_parameters_under_the_floor_are_refused(time_cost, memory, parallelism, weak):
    assert bool(floor_problem(time_cost, memory, parallelism)) is weak


def test_the_platform_does_not_start_with_weak_parameters(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "CHANGAI_ARGON2_MEMORY_KIB": "1024", "CHANGAI_HTTPS": "0", "CHANGAI_DEMO_MODE": "1"}
    done = subprocess.run(  # noqa: S603 - the project's own manage.py
        [sys.executable, "manage.py", "check"], env=env, capture_output=True, text=True, cwd=django_settings.BASE_DIR
    )
    assert done.returncode != 0 and "CHANGAI_ARGON2_MEMORY_KIB=1024 is below the minimum" in done.stderr
