"""Checkpoints without cron, through Django's tasks framework (``django.tasks``).

The default backend keeps tasks in the database (django-tasks-db) and ``manage.py db_worker`` runs
them. Two tasks keep every committed entry in a signed checkpoint soon after it commits:

* :data:`checkpoint_task` — one checkpoint now. After every commit that appended entries,
  :func:`after_append` (registered by ``ledger.chain.append_entry``, run after the commit, so never
  under the head lock) enqueues it once ``LEDGER_CHECKPOINT_ENTRIES`` entries were appended since the
  last checkpoint the process knows of. The test is arithmetic on the entry's ``seq``: no query,
  except once per process to learn the latest checkpoint.
* :data:`periodic_checkpoint_task` — the safety net: it checkpoints, and first enqueues its own next
  run ``LEDGER_CHECKPOINT_MINUTES`` later, so that no entry waits longer than that, whatever the
  traffic. Each process checks at most once per period (one query) that a run is pending and starts
  one when none is, as ``manage.py ledger_checkpoint --schedule`` does; two chains started at once
  merge at their next run (a run enqueues no successor when another run is already pending).

Both are cheap when nothing is new (``checkpoint_create`` then returns the latest checkpoint). With a
backend that cannot defer tasks (the immediate backend of the tests), the periodic task is not
scheduled and a due checkpoint is made synchronously right after the commit.
"""

import threading
import time
from datetime import timedelta

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.tasks import TaskResultStatus, task
from django.utils import timezone
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from ledger.models import Checkpoint
from ledger.services import checkpoint_create


@task()
def checkpoint_task() -> int:
    """Store (and sign) a checkpoint over every committed entry; return its size (0: empty ledger)."""
    checkpoint = checkpoint_create()
    return checkpoint.size if checkpoint is not None else 0


@task()
def periodic_checkpoint_task() -> int:
    """:data:`checkpoint_task`, after enqueueing the next run (so a failing checkpoint cannot end the chain)."""
    periodic_checkpoint_ensure()
    return checkpoint_task.call()


def periodic_checkpoint_pending() -> bool:
    """Whether a run of :data:`periodic_checkpoint_task` waits in the database queue.

    Only the database backend can be asked; for any other, ``False``.
    """
    backend = periodic_checkpoint_task.get_backend()
    if not isinstance(backend, DatabaseBackend):
        return False
    return DBTaskResult.objects.filter(
        backend_name=backend.alias,
        task_path=periodic_checkpoint_task.module_path,
        status=TaskResultStatus.READY,
    ).exists()


def periodic_checkpoint_ensure() -> bool:
    """Enqueue the next periodic run ``LEDGER_CHECKPOINT_MINUTES`` from now, unless one is pending
    or the backend cannot defer tasks. Returns whether a run is now scheduled."""
    backend = periodic_checkpoint_task.get_backend()
    if not backend.supports_defer:
        return False
    if periodic_checkpoint_pending():
        return True
    run_after = timezone.now() + timedelta(minutes=settings.LEDGER_CHECKPOINT_MINUTES)
    periodic_checkpoint_task.using(run_after=run_after).enqueue()
    return True


class _Trigger:
    """What a process knows between commits: the seq at which a checkpoint is next due, and when it
    last made sure the periodic task is scheduled. Shared by the threads of a process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.due_seq: int | None = None  # unknown until the process's first commit
            self.periodic_checked_at: float | None = None

    def _due_seq(self) -> int:
        if self.due_seq is None:
            latest = Checkpoint.objects.order_by("-size").values_list("size", flat=True).first() or 0
            with self._lock:
                if self.due_seq is None:
                    self.due_seq = latest + settings.LEDGER_CHECKPOINT_ENTRIES
        return self.due_seq

    def after_append(self, seq: int) -> None:
        if seq >= self._due_seq():
            with self._lock:
                due = self.due_seq is not None and seq >= self.due_seq
                if due:
                    self.due_seq = seq + settings.LEDGER_CHECKPOINT_ENTRIES
            if due:
                checkpoint_task.enqueue()
        now = time.monotonic()
        period = settings.LEDGER_CHECKPOINT_MINUTES * 60
        with self._lock:
            check = self.periodic_checked_at is None or now - self.periodic_checked_at >= period
            if check:
                self.periodic_checked_at = now
        if check:
            periodic_checkpoint_ensure()


_trigger = _Trigger()


def after_append(*, seq: int) -> None:
    """Run after a commit that appended entry ``seq``: enqueue a checkpoint if one is due, and make
    sure (once per period) that the periodic checkpoint is scheduled. Errors are logged by the
    ``robust`` on-commit hook and never reach the request: the credits have moved already."""
    _trigger.after_append(seq)


@receiver(setting_changed)
def _forget(*, setting: str, **kwargs: object) -> None:
    if setting in {"LEDGER_CHECKPOINT_ENTRIES", "LEDGER_CHECKPOINT_MINUTES", "TASKS"}:
        _trigger.reset()
