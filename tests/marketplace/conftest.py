import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """These tests make many users and never sign in with a password: hashing it slowly buys nothing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
