from django.apps import AppConfig
from django.core import checks


class LedgerConfig(AppConfig):
    name = "ledger"
    verbose_name = "Credits and ledger"

    def ready(self) -> None:
        from ledger.checks import signing_keys_check

        checks.register(signing_keys_check)
