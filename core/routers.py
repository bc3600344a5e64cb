"""Reads of the public endpoints from a PostgreSQL replica, when one is configured.

A view marked with :class:`ReplicaReadsMixin` (or :func:`reads_from_replica`) answers from the
``replica`` database alias: the public marketplace, the ledger's entries, certificate verification
and the emission factors — pages anyone may hammer, that tolerate a replica's lag of a second or
two. Everything else, and every write anywhere, uses ``default``. With ``REPLICA_DATABASE_URL``
unset there is no replica and nothing changes. docs/DEPLOY.md says how to run one.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any

from django.conf import settings

REPLICA = "replica"

_replica_reads: ContextVar[bool] = ContextVar("replica_reads", default=False)


@contextmanager
def replica_reads() -> Iterator[None]:
    """Inside, reads go to the replica (when reads from it are switched on)."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


class ReplicaRouter:
    """``db_for_read``: the replica inside :func:`replica_reads` when ``REPLICA_READS`` is on; the
    default database otherwise. Writes, relations and migrations always belong to ``default``."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        if _replica_reads.get() and settings.REPLICA_READS:
            return REPLICA
        return None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return db == "default"


def reads_from_replica[**P, R](view: Callable[P, R]) -> Callable[P, R]:
    """Decorate a function view whose queries may all go to the replica."""

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with replica_reads():
            return view(*args, **kwargs)

    return wrapper


class ReplicaReadsMixin:
    """For a read-only public API view: its whole request reads from the replica."""

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        with replica_reads():
            return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
