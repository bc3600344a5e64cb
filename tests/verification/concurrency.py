"""Real threads for the PostgreSQL race tests (SQLite ignores row locks, so they are postgres-only)."""

import threading
from collections.abc import Callable

from django.db import connection


def race(jobs: list[Callable[[], object]]) -> list:
    """Run each job in its own thread (so its own database connection), all released together by a
    barrier; return what each returned or raised, in order. Each thread closes its connection."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(index: int, job: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = job()
        except Exception as error:  # the test inspects what each thread got
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a worker hung"
    return results


def outcomes(results: list) -> list[str]:
    """Each result as its HTTP status, or the name of the exception a thread raised: sorted, comparable."""
    return sorted(str(getattr(r, "status_code", None) or type(r).__name__) for r in results)
