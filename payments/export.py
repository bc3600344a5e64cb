"""The statement as CSV, streamed: one line at a time from a server-side cursor, so a long
statement never sits in memory (``GET /api/balance/statement/?format=csv`` and the balance page)."""

import csv
from collections.abc import Iterator

from django.db.models import QuerySet

from payments.models import Posting
from payments.serializers import statement_amount

STATEMENT_COLUMNS = ("id", "created_at", "kind", "amount", "currency", "balance_after", "reference", "entry")


def statement_csv_lines(postings: QuerySet[Posting]) -> Iterator[str]:
    """The statement as CSV lines, read from the database in chunks (server-side cursor on PostgreSQL)."""

    class _Line:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow(STATEMENT_COLUMNS)
    for posting in postings.iterator(chunk_size=500):
        currency = posting.account.currency
        yield writer.writerow(
            (
                posting.pk,
                posting.entry.created_at.isoformat().replace("+00:00", "Z"),
                posting.entry.kind,
                statement_amount(posting.amount, currency),
                currency,
                statement_amount(posting.balance_after or 0, currency, signed=False),
                posting.entry.reference,
                posting.entry_id,
            )
        )
