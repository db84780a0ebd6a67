"""A cheap Argon2 for the test suite: same algorithm and hash format, far less memory and time.

Production keeps Django's Argon2 parameters (settings.PASSWORD_HASHERS); test_deploy checks them.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 64
    parallelism = 1
