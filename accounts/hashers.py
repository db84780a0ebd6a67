"""Passwords: Argon2id at parameters chosen for this platform, from the environment, never below a floor.

Django's own Argon2 parameters (t=2, m=100 MiB, p=8) cost about half a second of a 2-core server's CPU for every
sign-in: on deadline day, when hundreds of reporters sign in within minutes, that is most of the machine (the
rush benchmark, bench/rush.py, saw the sign-in as the one request over 500 ms). OWASP's Password Storage Cheat
Sheet gives equivalent minimum configurations for Argon2id with one lane: m=46 MiB t=1, m=19 MiB t=2,
m=12 MiB t=3, m=9 MiB t=4, m=7 MiB t=5. The default here is m=46 MiB with t=2: twice the work of the first of
them, about 0.15 s on this machine. `CHANGAI_ARGON2_TIME_COST`, `CHANGAI_ARGON2_MEMORY_KIB` and
`CHANGAI_ARGON2_PARALLELISM` raise it; settings under the floor (`floor_problem`) stop the platform at start.

A hash records its own parameters, so a password hashed under other ones still verifies, and is hashed again
with these at the person's next sign-in (Django's `must_update`).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher as DjangoArgon2PasswordHasher

# OWASP's minimum configurations as (time cost, memory in KiB), one lane.
FLOOR = ((1, 47_104), (2, 19_456), (3, 12_288), (4, 9_216), (5, 7_168))


def floor_problem(time_cost: int, memory_kib: int, parallelism: int) -> str:
    """Why these parameters are too weak ('' when they are not)."""
    if time_cost < 1 or parallelism < 1:
        return "CHANGAI_ARGON2_TIME_COST and CHANGAI_ARGON2_PARALLELISM must be at least 1"
    needed = next((m for t, m in reversed(FLOOR) if time_cost >= t), FLOOR[0][1])
    if memory_kib < needed:
        return (
            f"CHANGAI_ARGON2_MEMORY_KIB={memory_kib} is below the minimum of {needed} KiB for "
            f"CHANGAI_ARGON2_TIME_COST={time_cost} (OWASP Password Storage Cheat Sheet)"
        )
    return ""


class Argon2PasswordHasher(DjangoArgon2PasswordHasher):
    """Django's Argon2id hasher (same algorithm name, same hash format) with the platform's parameters."""

    @property
    def time_cost(self) -> int:
        return settings.ARGON2_TIME_COST

    @property
    def memory_cost(self) -> int:
        return settings.ARGON2_MEMORY_KIB

    @property
    def parallelism(self) -> int:
        return settings.ARGON2_PARALLELISM
