"""Transaction helpers shared by every app that writes."""

import hashlib
import random
import time
from collections.abc import Callable
from contextvars import ContextVar
from functools import wraps

from django.db import OperationalError, transaction

# PostgreSQL SQLSTATEs after which re-running the whole unit of work is safe and correct.
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})  # serialization_failure, deadlock_detected
MAX_ATTEMPTS = 5

# Set while a unit of work (``atomic_with_retry``) runs in this context: the units it calls join it.
_in_unit: ContextVar[bool] = ContextVar("in_unit_of_work", default=False)


def is_retryable(error: OperationalError) -> bool:
    return getattr(error.__cause__, "sqlstate", None) in RETRYABLE_SQLSTATES


def _as_unit[**P, R](func: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """``func`` with the units it calls joining it. The flag is down again before the transaction
    ends, so ``on_commit`` callbacks start units of their own (with their retry)."""
    token = _in_unit.set(True)
    try:
        return func(*args, **kwargs)
    finally:
        _in_unit.reset(token)


def atomic_with_retry[**P, R](func: Callable[P, R]) -> Callable[P, R]:
    """Run ``func`` as one unit of work: one transaction, re-run from the start after a deadlock or
    serialization failure.

    Inside an outer transaction only the outermost unit can be retried, so that one carries the
    decorator too. The first unit inside someone else's transaction is a savepoint (a refusal
    rolls back just its writes); a unit inside another unit joins it without one, since a refusal
    from inside aborts the enclosing unit anyway (Django then marks it for rollback and refuses
    further queries in it). That saves a nested service its ``SAVEPOINT`` and ``RELEASE`` round
    trips. Code that wants to survive an inner refusal and go on wraps the call in its own
    ``transaction.atomic()``.
    """

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if _in_unit.get():
            with transaction.atomic(savepoint=False):
                return func(*args, **kwargs)
        if transaction.get_connection().in_atomic_block:
            with transaction.atomic():
                return _as_unit(func, *args, **kwargs)
        attempt = 1
        while True:
            try:
                with transaction.atomic():
                    return _as_unit(func, *args, **kwargs)
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
