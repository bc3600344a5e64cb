import json

from django.core.management.base import BaseCommand, CommandError

from payments.selectors import journal_problems, platform_balances


class Command(BaseCommand):
    help = (
        "Check the money journal: every entry's postings sum to zero, and every organisation account's kept "
        "balance is the sum of its postings. Prints the platform accounts' balances (for reconciliation)."
    )

    def handle(self, *args, **options) -> None:
        problems = journal_problems()
        platform = [{**row, "balance": str(row["balance"])} for row in platform_balances()]
        self.stdout.write(json.dumps({"ok": not any(problems.values()), **problems, "platform": platform}))
        if any(problems.values()):
            raise CommandError(f"the journal does not balance: {problems}")
