import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Hashes made with the production parameters still verify: Argon2 stores them in the hash.
    settings.PASSWORD_HASHERS = [
        "accounts.tests.hashers.FastArgon2PasswordHasher",
        *settings.PASSWORD_HASHERS,
    ]
