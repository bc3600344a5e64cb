"""Checkpoints without cron: the after-commit trigger, the periodic task and the database worker."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.tasks import TaskResultStatus, task_backends
from django.tasks.backends.dummy import DummyBackend
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ledger import notes, tasks
from ledger.models import Checkpoint
from ledger.signing import key_ring
from tests.ledger.factories import signed_note
from tests.ledger.test_chain import make_entries

DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
DUMMY_BACKEND = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


def dummy_results() -> list:
    backend = task_backends["default"]
    assert isinstance(backend, DummyBackend)
    return backend.results


def sizes() -> list[int]:
    return list(Checkpoint.objects.order_by("size").values_list("size", flat=True))


@pytest.mark.django_db
def test_a_checkpoint_is_made_once_the_entry_threshold_is_crossed(settings, django_capture_on_commit_callbacks):
    settings.LEDGER_CHECKPOINT_ENTRIES = 5  # the immediate backend of the tests runs it at once

    with django_capture_on_commit_callbacks(execute=True):
        make_entries(4)
    assert sizes() == []
    with django_capture_on_commit_callbacks(execute=True):
        make_entries(1)
    assert sizes() == [5]
    with django_capture_on_commit_callbacks(execute=True):
        make_entries(4)
    assert sizes() == [5]
    with django_capture_on_commit_callbacks(execute=True):
        make_entries(1)
    assert sizes() == [5, 10]
    assert notes.open_checkpoint(signed_note(Checkpoint.objects.get(size=10)), key_ring().verifier).size == 10


@pytest.mark.django_db
def test_nothing_is_enqueued_before_the_transaction_commits(settings):
    settings.TASKS = DUMMY_BACKEND
    settings.LEDGER_CHECKPOINT_ENTRIES = 1

    make_entries(3)  # the test's transaction never commits

    assert dummy_results() == []


@pytest.mark.django_db
def test_the_trigger_enqueues_per_threshold_and_schedules_the_periodic_task_once_per_period(
    settings, django_capture_on_commit_callbacks, monkeypatch
):
    settings.TASKS = DUMMY_BACKEND
    settings.LEDGER_CHECKPOINT_ENTRIES = 3
    settings.LEDGER_CHECKPOINT_MINUTES = 5
    clock = [1000.0]
    monkeypatch.setattr(tasks.time, "monotonic", lambda: clock[0])

    with django_capture_on_commit_callbacks(execute=True):
        make_entries(7)

    results = dummy_results()
    names = [result.task.name for result in results]
    assert names.count("checkpoint_task") == 2, names  # at entries 3 and 6
    assert names.count("periodic_checkpoint_task") == 1, names  # once per period and process
    (periodic,) = [r for r in results if r.task.name == "periodic_checkpoint_task"]
    expected = timezone.now() + timedelta(minutes=5)
    assert abs(periodic.task.run_after - expected) < timedelta(seconds=30)

    clock[0] += 5 * 60
    with django_capture_on_commit_callbacks(execute=True):
        make_entries(1)
    assert [r.task.name for r in dummy_results()].count("periodic_checkpoint_task") == 2


@pytest.mark.django_db
def test_the_immediate_backend_gets_no_periodic_task(settings):
    assert tasks.periodic_checkpoint_ensure() is False


@pytest.mark.django_db
def test_the_periodic_task_is_queued_once_and_requeues_itself(settings):
    settings.TASKS = DATABASE_BACKEND
    settings.LEDGER_CHECKPOINT_MINUTES = 7
    make_entries(3)

    assert tasks.periodic_checkpoint_ensure() is True
    assert tasks.periodic_checkpoint_ensure() is True  # already pending: nothing more

    pending = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    assert pending.count() == 1
    assert pending.get().task_path == "ledger.tasks.periodic_checkpoint_task"
    assert abs(pending.get().run_after - (timezone.now() + timedelta(minutes=7))) < timedelta(seconds=30)

    # A run (as the worker makes it: its own row is RUNNING, not READY) checkpoints and queues the next.
    pending.update(status=TaskResultStatus.RUNNING)
    assert tasks.periodic_checkpoint_task.call() == 3
    assert sizes() == [3]
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 1

    # Two chains (two processes started one at once) merge: a run finding another pending queues none.
    tasks.periodic_checkpoint_task.using(run_after=timezone.now()).enqueue()
    assert tasks.periodic_checkpoint_task.call() == 3
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_makes_the_signed_checkpoints(settings):
    """End to end: commits enqueue into the database; `manage.py db_worker` runs the tasks."""
    settings.TASKS = DATABASE_BACKEND
    settings.LEDGER_CHECKPOINT_ENTRIES = 4
    settings.LEDGER_CHECKPOINT_MINUTES = 5

    make_entries(5)  # each service commits on its own here
    queued = {row.task_path: row.status for row in DBTaskResult.objects.all()}
    assert queued == {
        "ledger.tasks.checkpoint_task": TaskResultStatus.READY,
        "ledger.tasks.periodic_checkpoint_task": TaskResultStatus.READY,
    }
    assert sizes() == []

    def work() -> None:
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0, stdout=StringIO())

    work()  # the periodic run is not due yet
    assert sizes() == [5]
    assert notes.open_checkpoint(signed_note(Checkpoint.objects.get(size=5)), key_ring().verifier).size == 5

    make_entries(2)
    DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(run_after=timezone.now())  # 5 minutes on
    work()

    assert sizes() == [5, 7]
    (following,) = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    assert following.task_path == "ledger.tasks.periodic_checkpoint_task" and following.run_after > timezone.now()


@pytest.mark.django_db
def test_the_checkpoint_command_checkpoints_now_and_can_queue_the_periodic_task(settings):
    settings.TASKS = DATABASE_BACKEND
    make_entries(2)
    out = StringIO()

    call_command("ledger_checkpoint", "--schedule", stdout=out)

    assert json.loads(out.getvalue()) == {"size": 2, "root": Checkpoint.objects.get().root_hex, "periodic": True}
    (queued,) = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    assert queued.task_path == "ledger.tasks.periodic_checkpoint_task"
