"""The Django admin as a whole: every model is in it, every page loads, lists join what they show,
and only staff get in. Runs over the demo registry, which has rows in every project table."""

import datetime
import io
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.api_keys import api_key_create
from accounts.models import User
from accounts.tokens import FamilyRefreshToken
from carboncred.demo import DEMO_PASSWORD, demo_email
from core.models import IdempotencyRecord
from ledger.models import LedgerEntry
from ledger.services import checkpoint_create
from payments import providers
from payments.services import stripe_webhook_handle, top_up_request
from sites.models import Meter, Reading
from tests.accounts.factories import UserFactory
from tests.payments.helpers import WEBHOOK_SECRET, sign, stripe_event
from tests.payments.test_stripe import FakeStripe
from verification.models import Audit, BufferShortfall, ClaimIssuance, ClaimReversal, ReductionClaim
from verification.services import claim_reverse
from webhooks.services import delivery_attempt, endpoint_create, event_emit

# Seeding signs up seven users; a fast hasher saves seconds per seed.
pytestmark = pytest.mark.django_db

PROJECT_APPS = {config.label for config in apps.get_app_configs() if "site-packages" not in config.path}

# Models the admin cannot show, and why. Django refuses to register a model with a composite
# primary key; nothing else belongs here.
NOT_IN_ADMIN = {
    "ledger.LedgerEntryParty": "composite primary key; an entry's admin page lists the organisations it concerns",
    "ledger.MerkleNode": "composite primary key; a cache of checkpoint subtrees that proofs recompute",
}
# One-row tables: nothing to search or filter.
SINGLETONS = {"ledger.LedgerHead"}


def project_models():
    return [model for model in apps.get_models() if model._meta.app_label in PROJECT_APPS]


def registered():
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def changelist_url(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.fixture
def registry(client, settings, monkeypatch):
    """The demo registry plus a row in the tables the demo leaves empty (tokens and their families,
    lockouts, checkpoints, audits, reversals, a buffer shortfall, meter readings)."""
    settings.AUDIT_MIN_RATE = settings.AUDIT_MAX_RATE = Decimal(1)  # every automatic issuance audited
    call_command("seed_demo", stdout=io.StringIO())
    verifier = User.objects.get(email=demo_email("verifier"))
    # Reversing issuances in turn drains the buffer pool until one falls short. Not those of the SME
    # whose claim awaits review: a shortfall suspends its owner, and the review test approves that claim.
    pending_owner = ReductionClaim.objects.get(status="needs_review").project.owner_id
    approved = ReductionClaim.objects.filter(status="approved").exclude(project__owner=pending_owner).order_by("pk")
    for claim_id in approved.values_list("pk", flat=True):
        claim_reverse(claim_id=claim_id, reviewer=verifier, reason="Admin pages test: every issuance reversed")
    assert BufferShortfall.objects.exists()
    checkpoint_create()  # after commit in production; tests never commit
    member = User.objects.get(email=demo_email("sunrise"))
    FamilyRefreshToken.for_user(member).blacklist()
    client.post("/api/token/", {"email": member.email, "password": "wrong password"}, content_type="application/json")
    IdempotencyRecord.objects.create(
        user=member, key="k", fingerprint="0" * 64, method="POST", path="/api/retire/", status_code=201
    )
    meter = Meter.objects.filter(site__owner=member.organization, active=True).order_by("pk").first()
    assert meter is not None, "the demo gives Sunrise a metered site"
    # Written directly: the shortfall above may have suspended the organisation, and the import refuses it.
    Reading.objects.create(
        meter=meter,
        start=datetime.datetime(2024, 3, 1, 6, 30, tzinfo=datetime.UTC),
        end=datetime.datetime(2024, 3, 1, 7, 30, tzinfo=datetime.UTC),
        value=Decimal("21.5"),
        unit="kWh",
        kwh=Decimal("21.5"),
    )
    # An API key, and a webhook endpoint with a delivery attempted once (to a port nothing listens on), of
    # the registry's own organisation (the shortfall above may have suspended the SMEs').
    owner = verifier
    api_key_create(organization=owner.organization, created_by=owner, name="ERP", scopes=["read"])
    settings.WEBHOOK_ALLOW_PRIVATE = True
    endpoint_create(
        organization=owner.organization, created_by=owner, url="http://127.0.0.1:9/", events=["claim.decided"]
    )
    event = event_emit(organization_id=owner.organization_id, type="claim.decided", data={"claim": 1})
    assert event is not None
    delivery_attempt(delivery_id=event.deliveries.get().pk, attempts=0)
    # A card top-up completed by Stripe's signed webhook (a fake Stripe client: no network).
    settings.PAYMENTS_CARD_ENABLED, settings.STRIPE_WEBHOOK_SECRET = True, WEBHOOK_SECRET
    monkeypatch.setattr(providers, "stripe_client", FakeStripe)
    top_up = top_up_request(organization=member.organization, amount=Decimal("30.00"), currency="USD", method="card")
    payload = stripe_event(top_up=top_up)
    assert stripe_webhook_handle(payload=payload, signature=sign(payload)) == "credited"
    return member


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory.create(is_staff=True, is_superuser=True))
    return client


def test_every_project_model_is_in_the_admin_or_says_why_not():
    missing = [
        model._meta.label
        for model in project_models()
        if not admin.site.is_registered(model) and model._meta.label not in NOT_IN_ADMIN
    ]

    assert not missing, f"register these in their app's admin.py: {missing}"
    for label in NOT_IN_ADMIN:
        assert apps.get_model(label)._meta.is_composite_pk, f"{label} could be registered now"


def test_project_admins_can_be_searched_and_filtered_and_list_more_than_a_name():
    lacking = []
    for model, model_admin in registered():
        if model._meta.app_label not in PROJECT_APPS or model._meta.label in SINGLETONS:
            continue
        if not model_admin.search_fields:
            lacking.append(f"{model._meta.label}: search_fields")
        if not model_admin.list_filter:
            lacking.append(f"{model._meta.label}: list_filter")
        if tuple(model_admin.list_display) == ("__str__",):
            lacking.append(f"{model._meta.label}: list_display")

    assert not lacking


@pytest.mark.slow
def test_every_admin_page_loads_for_a_superuser(registry, superuser_client):
    failures, empty = [], []
    for model, model_admin in registered():
        url = changelist_url(model)
        pages = [url]
        if model_admin.search_fields:
            pages.append(f"{url}?q=1")  # a bad lookup in search_fields is a 500 only a search shows
        obj = model._default_manager.first()
        if obj is None:
            empty.append(model._meta.label)
        else:
            pages.append(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk]))
        for page in pages:
            status = superuser_client.get(page).status_code
            if status != 200:
                failures.append(f"{page}: {status}")

    assert not failures
    # Every project table has a row to open, so every project change page was opened.
    assert not [label for label in empty if label.split(".")[0] in PROJECT_APPS]


# The busiest lists, pinned: a new column that joins badly shows here even before it grows.
PINNED_QUERIES = {
    "accounts.User": 7,
    "emissions.EmissionLine": 5,
    "ledger.CreditBlock": 6,
    "ledger.LedgerEntry": 4,
    "verification.ReductionClaim": 5,
    "verification.EvidenceItem": 5,
    "verification.ClaimIssuance": 7,
    "certificates.RetirementCertificate": 8,
    "marketplace.Listing": 5,
    "marketplace.Order": 6,
    "marketplace.Transfer": 7,
}


@pytest.mark.slow
def test_changelists_do_not_query_per_row(registry, superuser_client, monkeypatch):
    """The same page with one row and with every row must cost the same number of queries; a column
    that reads a relation not in list_select_related adds one (or more) per row."""
    growing, over = [], []
    for model, model_admin in registered():
        label = model._meta.label
        if model._default_manager.count() < 2 and label not in PINNED_QUERIES:
            continue
        counts = []
        for per_page in (1, 500):
            monkeypatch.setattr(model_admin, "list_per_page", per_page)
            with CaptureQueriesContext(connection) as queries:
                assert superuser_client.get(changelist_url(model)).status_code == 200
            counts.append(len(queries))
        if counts[0] != counts[1]:
            growing.append(f"{label}: {counts[0]} queries for one row, {counts[1]} for all")
        if counts[1] > PINNED_QUERIES.get(label, counts[1]):
            over.append(f"{label}: {counts[1]} queries, pinned at {PINNED_QUERIES[label]}")

    assert not growing
    assert not over
    assert all(apps.get_model(label)._default_manager.count() >= 2 for label in PINNED_QUERIES)


def test_non_staff_users_are_sent_to_the_login_page(client):
    urls = ["/admin/", *(changelist_url(model) for model, _ in registered())]
    anonymous = [client.get(url) for url in urls]
    client.force_login(UserFactory.create(is_staff=False))  # a real, active account of a member: not staff
    member = [client.get(url) for url in urls]

    for url, response in zip(urls * 2, anonymous + member, strict=True):
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/"), url


def test_the_demo_verifier_works_the_review_queue_in_the_admin(client, registry):
    verifier = User.objects.get(email=demo_email("verifier"))
    assert verifier.check_password(DEMO_PASSWORD) and not verifier.is_superuser
    client.force_login(verifier)
    pending = ReductionClaim.objects.get(status="needs_review")
    url = changelist_url(ReductionClaim)

    queue = client.get(url, {"status__exact": "needs_review"})
    response = client.post(url, {"action": "approve_claims", "_selected_action": [pending.pk]}, follow=True)

    assert queue.status_code == 200 and "approve_claims" in queue.content.decode()
    assert response.status_code == 200
    pending.refresh_from_db()
    assert pending.reviewed_by is not None and pending.reviewed_at is not None
    assert (pending.status, pending.reviewed_by.email) == ("approved", demo_email("verifier"))
    issuance = ClaimIssuance.objects.get(claim=pending)
    assert LedgerEntry.objects.get(seq=issuance.ledger_entry_id).kind == "issue"
    assert pending.reviewed_at <= timezone.now()


def test_the_demo_verifier_confirms_and_reverses_audits_in_the_admin(client, registry):
    client.force_login(User.objects.get(email=demo_email("verifier")))
    url = changelist_url(Audit)
    audit = Audit.objects.filter(status="open").order_by("pk").first()
    assert audit is not None

    queue = client.get(url, {"status__exact": "open"})
    confirmed = client.post(url, {"action": "confirm_audits", "_selected_action": [audit.pk]}, follow=True)

    assert queue.status_code == 200 and "confirm_audits" in queue.content.decode()
    assert confirmed.status_code == 200
    audit.refresh_from_db()
    assert audit.decided_by is not None
    assert (audit.status, audit.decided_by.email) == ("confirmed", demo_email("verifier"))

    # Found wrong after all: a reversal overrides the confirmation. It asks for the reason first, on its
    # own page, and does nothing until the reason is given.
    asked = client.post(url, {"action": "reverse_audits", "_selected_action": [audit.pk]})
    audit.refresh_from_db()
    assert asked.status_code == 200 and 'name="reason"' in asked.content.decode()
    assert audit.status == "confirmed"
    body = {
        "action": "reverse_audits",
        "_selected_action": [audit.pk],
        "apply": "yes",
        "reason": "Photos show no panels",
    }
    reversed_ = client.post(url, body, follow=True)

    assert reversed_.status_code == 200
    audit.refresh_from_db()
    assert (audit.status, audit.note) == ("reversed", "Photos show no panels")
    assert ClaimReversal.objects.get(claim_id=audit.claim_id).reason == "Photos show no panels"
