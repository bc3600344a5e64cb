"""System checks of the ledger's configuration (``manage.py check``, and before ``migrate`` or ``runserver``)."""

from typing import Any

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from ledger.signing import key_ring


def signing_keys_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """The checkpoint signing keys load (the default one is generated under var/ on first use)."""
    try:
        key_ring()
    except ImproperlyConfigured as error:
        return [
            checks.Error(
                str(error),
                hint="Point LEDGER_SIGNING_KEY_FILE (and LEDGER_COSIGNING_KEY_FILES) at Ed25519 private key files "
                "(PEM or a raw 32-byte seed), or unset it to use one generated under var/. See docs/DEPLOY.md.",
                id="ledger.E001",
            )
        ]
    return []
