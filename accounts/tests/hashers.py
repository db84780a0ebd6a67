"""A cheap Argon2 for the test suite: same algorithm and hash format, far less memory and time.

Production uses accounts.hashers (the platform's parameters, settings.PASSWORD_HASHERS); test_hashers checks them.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 64
    parallelism = 1
