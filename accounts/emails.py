"""One spelling per e-mail address for signing in: the API's token endpoint and the pages' login
normalise an address the same way, so both count failures under one lockout key."""


def email_normalize(value: str) -> str:
    """Trimmed and lower-cased, as addresses are stored (accounts.models.User.save)."""
    return value.strip().lower()
