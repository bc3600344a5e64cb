"""Fixtures shared by every test folder."""

import pytest
from django.conf import settings
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from carboncred.reference import reference_data_load
from tests.accounts.factories import UserFactory

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def pytest_collection_modifyitems(config, items):
    if ON_POSTGRES:
        return
    skip = pytest.mark.skip(
        reason="needs PostgreSQL (row locks, triggers, exclusion constraints): set DATABASE_URL=postgres://..."
    )
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


def pytest_configure(config):
    # WhiteNoise serves collected files from STATIC_ROOT; tests render pages without collecting.
    settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)
    # A replica alias that mirrors the test database, so the replica routing can be tested; reads
    # go to it only where a test switches REPLICA_READS on (and allows the alias).
    if "replica" not in settings.DATABASES:
        settings.DATABASES["replica"] = {**settings.DATABASES["default"], "TEST": {"MIRROR": "default"}}
    if ON_POSTGRES:
        _let_flush_empty_the_ledger()


def _let_flush_empty_the_ledger():
    """Transactional tests end with a flush (TRUNCATE of every table), which the ledger's
    append-only triggers refuse. The test database's superuser suspends them for that one
    statement, in the same transaction, as an operator resetting a database would."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    from ledger.immutability import TRIGGERS
    from tests.ledger.tamper import restore_sql, suspend_sql

    sql_flush = DatabaseOperations.sql_flush

    def sql_flush_with_ledger(self, style, tables, **kwargs):
        statements = sql_flush(self, style, tables, **kwargs)
        guarded = [table for table in TRIGGERS if table in tables]
        if not statements or not guarded:
            return statements
        return [*suspend_sql(guarded), *statements, *restore_sql(guarded)]

    DatabaseOperations.sql_flush = sql_flush_with_ledger  # type: ignore[method-assign]  # patched for the session


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """A reused test database may have been emptied by the last run's transactional tests."""
    with django_db_blocker.unblock():
        reference_data_load()


@pytest.fixture(autouse=True)
def _reference_data_for_transactional_tests(request):
    """pytest-django runs transactional tests last, each ending with a flush that also empties the
    data-migration tables; load them back before each such test."""
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        request.getfixturevalue("transactional_db")
        reference_data_load()


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """The manifest storage needs `collectstatic`; pages rendered in tests use plain paths."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(scope="session")
def _documents_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("documents")


@pytest.fixture(autouse=True)
def _documents_storage(settings, _documents_dir):
    """Uploaded evidence goes to a temporary directory, never to var/documents."""
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(_documents_dir)},
        },
    }


@pytest.fixture(autouse=True)
def _claims_of_any_age(settings):
    """The suite's claims are dated 2024 so that their numbers never move; the retroactivity rule
    (CLAIM_MAX_AGE_DAYS) would send them to review as the calendar advances. Its own tests
    (tests/verification/test_trust_rules.py) set the limit they test."""
    settings.CLAIM_MAX_AGE_DAYS = 100 * 366


@pytest.fixture(autouse=True)
def _audit_draws_of_a_fixed_key(settings):
    """Audit draws depend on the key (var/audit_seed_key by default, different in every checkout): a fixed
    one makes which claims are drawn the same on every machine. Tests of the sampling set their own rates."""
    settings.AUDIT_SEED_KEY = "the test suite's audit seed key"


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    """Background tasks run synchronously in tests (Django's immediate backend): no worker needed.
    Tests of the scheduling itself switch to another backend."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters and lockouts live in the cache; every test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The production hasher is slow on purpose; no test is about that slowness, and tests make
    many users. (Django's own advice for test settings.)"""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _buyers_funded_on_demand(request, monkeypatch):
    """Buying costs money now: a buyer whose balance is short of an order is topped up first, through
    the real services (a bank-transfer top-up, confirmed: journal entries, not a raw balance), inside
    the buy's own transaction, and the real settlement then debits it. Tests of the balances
    themselves (``@pytest.mark.unfunded``, all of tests/payments) see buyers as they are."""
    if request.node.get_closest_marker("unfunded"):
        return
    from accounts.models import Organization
    from marketplace import services as marketplace_services
    from payments.selectors import available_balance, owed_balance
    from payments.services import order_settle, top_up_fund

    def funded_order_settle(*, buyer_id, currency, total, fee, **kwargs):
        short = total + fee - available_balance(organization_id=buyer_id, currency=currency)
        if short > 0:  # a top-up pays what the buyer owes first (minting fees), then the order
            amount = short + owed_balance(organization_id=buyer_id, currency=currency)
            top_up_fund(organization=Organization.objects.get(pk=buyer_id), amount=amount, currency=currency)
        return order_settle(buyer_id=buyer_id, currency=currency, total=total, fee=fee, **kwargs)

    monkeypatch.setattr(marketplace_services, "order_settle", funded_order_settle)


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


def client_for(user) -> APIClient:
    """An API client that sends a real JWT access token for ``user``."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
    return client


@pytest.fixture
def user(db):
    return UserFactory.create()


@pytest.fixture
def auth_client(user) -> APIClient:
    return client_for(user)


@pytest.fixture
def verifier(db):
    return UserFactory.create(verifier=True)


@pytest.fixture
def verifier_client(verifier) -> APIClient:
    return client_for(verifier)
