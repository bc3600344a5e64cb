"""Transaction helpers shared by every app that writes."""

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
