"""Units of work (``core.db.atomic_with_retry``): retried from the start when outermost, joined
without a savepoint when nested in another unit, and all or nothing either way."""

import pytest
from django.db import OperationalError, connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import Organization
from core.db import atomic_with_retry
from core.errors import DomainError

pytestmark = pytest.mark.django_db


class Refused(DomainError):
    status_code, code = 409, "refused"


@atomic_with_retry
def create(name: str, *, refuse: bool = False) -> Organization:
    organization = Organization.objects.create(name=name, country="GB")
    if refuse:
        raise Refused(f"{name} refused")
    return organization


@atomic_with_retry
def create_both(*, refuse_inner: bool = False) -> None:
    create("Outer Ltd")
    create("Inner Ltd", refuse=refuse_inner)


def names() -> set[str]:
    return set(Organization.objects.values_list("name", flat=True))


def test_a_unit_inside_another_joins_it_without_a_savepoint():
    with CaptureQueriesContext(connection) as queries:
        create_both()
    savepoints = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" in q["sql"]]
    # The test's own transaction surrounds the outer unit: that one is a savepoint (taken and
    # released); the inner unit adds none.
    assert len(savepoints) == 2, savepoints
    assert {"Outer Ltd", "Inner Ltd"} <= names()


def test_a_refusal_inside_a_nested_unit_undoes_the_whole_outer_unit():
    with pytest.raises(Refused):
        create_both(refuse_inner=True)
    # Neither organisation exists, and the surrounding transaction still works.
    assert not {"Outer Ltd", "Inner Ltd"} & names()


def test_a_caller_can_survive_an_inner_refusal_with_its_own_atomic_block():
    @atomic_with_retry
    def outer_going_on() -> None:
        create("Kept Ltd")
        try:
            with transaction.atomic():
                create("Dropped Ltd", refuse=True)
        except Refused:
            pass
        create("Also kept Ltd")

    outer_going_on()
    found = names()
    assert {"Kept Ltd", "Also kept Ltd"} <= found
    assert "Dropped Ltd" not in found


class _Deadlock(Exception):
    sqlstate = "40P01"


@pytest.mark.django_db(transaction=True)
def test_the_outermost_unit_is_run_again_after_a_deadlock_and_commits_once():
    attempts = []

    @atomic_with_retry
    def flaky() -> None:
        attempts.append(1)
        Organization.objects.create(name=f"Attempt {len(attempts)} Ltd", country="GB")
        if len(attempts) == 1:
            raise OperationalError("deadlock detected") from _Deadlock()

    flaky()
    assert len(attempts) == 2
    # The first attempt's write was rolled back with it; the second committed.
    assert "Attempt 1 Ltd" not in names()
    assert "Attempt 2 Ltd" in names()


@pytest.mark.django_db(transaction=True)
def test_a_nested_unit_is_not_retried_on_its_own():
    attempts = []

    @atomic_with_retry
    def inner() -> None:
        attempts.append("inner")
        raise OperationalError("deadlock detected") from _Deadlock()

    @atomic_with_retry
    def outer() -> None:
        attempts.append("outer")
        inner()

    with pytest.raises(OperationalError):
        outer()
    # The whole unit ran again from the start each time, up to the limit; never the inner part alone.
    assert attempts == ["outer", "inner"] * 5


@pytest.mark.django_db(transaction=True)
def test_a_unit_started_after_the_commit_is_a_unit_of_its_own_with_its_retry():
    """``on_commit`` callbacks run once the outer unit is over: a unit they start is outermost again."""
    attempts = []

    @atomic_with_retry
    def after_commit() -> None:
        attempts.append(1)
        Organization.objects.create(name=f"After {len(attempts)} Ltd", country="GB")
        if len(attempts) == 1:
            raise OperationalError("deadlock detected") from _Deadlock()

    @atomic_with_retry
    def change() -> None:
        create("Changed Ltd")
        transaction.on_commit(after_commit)

    change()
    assert len(attempts) == 2
    assert {"Changed Ltd", "After 2 Ltd"} <= names() and "After 1 Ltd" not in names()
    # The committed change itself was not run again because its callback's unit had to retry.
    assert Organization.objects.filter(name="Changed Ltd").count() == 1
