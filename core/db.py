"""Transaction helpers shared by every app that writes."""

import hashlib
import random
import time
from collections.abc import Callable
from functools import wraps

from django.db import OperationalError, transaction

# PostgreSQL SQLSTATEs after which re-running the whole unit of work is safe and correct.
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})  # serialization_failure, deadlock_detected
MAX_ATTEMPTS = 5


def is_retryable(error: OperationalError) -> bool:
    return getattr(error.__cause__, "sqlstate", None) in RETRYABLE_SQLSTATES


def atomic_with_retry[**P, R](func: Callable[P, R]) -> Callable[P, R]:
    """Run ``func`` as one transaction; re-run it from the start after a deadlock or
    serialization failure. Inside an outer transaction it is a plain savepoint: only the
    outermost unit of work can be retried, so that one carries the decorator too."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if transaction.get_connection().in_atomic_block:
            with transaction.atomic():
                return func(*args, **kwargs)
        attempt = 1
        while True:
            try:
                with transaction.atomic():
                    return func(*args, **kwargs)
            except OperationalError as error:
                if attempt >= MAX_ATTEMPTS or not is_retryable(error):
                    raise
            time.sleep(random.uniform(0, 0.01 * 2**attempt))  # noqa: S311 - jitter, not security
            attempt += 1

    return wrapper


def advisory_xact_lock(name: str) -> None:
    """Take the PostgreSQL transaction-level advisory lock called ``name`` (held until the commit or
    rollback), for a rule that spans rows no single row lock covers, such as "no two sites within
    50 m". Must run inside a transaction. SQLite has one writer at a time already: nothing to do."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("advisory_xact_lock must run inside a transaction")
    if connection.vendor != "postgresql":
        return
    key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
