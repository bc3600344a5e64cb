"""`manage.py seed_demo`: a demo registry made through the services, once, never over a real one."""

import io

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db.models import F

from accounts.models import Organization, User
from carboncred import demo
from certificates.models import RetirementCertificate
from emissions.models import EmissionReport
from ledger.audit import ledger_verify, replay
from ledger.models import LedgerEntry
from marketplace.models import Listing, Order, Transfer
from projects.models import Project
from reports.models import IssuedReport
from tests.accounts.factories import OrganizationFactory
from verification.models import ClaimIssuance, ReductionClaim

# Seeding signs up seven users; a fast hasher saves seconds per seed.
pytestmark = pytest.mark.django_db


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    project_apps = {"accounts", "projects", "emissions", "ledger", "verification", "certificates", "marketplace"}
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in project_apps
    }


def test_seed_builds_a_living_registry_through_the_services():
    output = seed()

    members = Organization.objects.filter(kind=Organization.Kind.MEMBER)
    assert sorted(str(org.country) for org in members) == ["DE", "GB", "IN", "KE", "US"]
    assert set(Project.objects.values_list("category", flat=True)) == set(Project.Category.values)
    expected = {p.title: p.expected for org in demo.ORGANIZATIONS for p in org.projects}
    decided = dict(ReductionClaim.objects.values_list("project__title", "status"))
    assert decided == expected
    assert sorted(expected.values()).count("needs_review") == 1
    assert sorted(expected.values()).count("rejected") == 1
    approved = ReductionClaim.objects.filter(status="approved")
    assert ClaimIssuance.objects.filter(claim__in=approved).count() == approved.count() >= 5
    reporting = set(EmissionReport.objects.values_list("organization", flat=True))
    assert reporting == set(members.values_list("pk", flat=True))
    assert RetirementCertificate.objects.count() == len(demo.RETIREMENTS)
    assert Order.objects.count() == len(demo.TRADES) and Transfer.objects.count() == len(demo.TRANSFERS)
    assert set(Listing.objects.values_list("status", flat=True)) == {"open", "sold"}
    # A buyer retired credits it bought: the certificate's serials came from another SME's project.
    assert RetirementCertificate.objects.exclude(block__project__owner=F("organization")).exists()
    assert User.objects.get(email=demo.demo_email("verifier")).is_verifier
    # Every member states its size, so its GHG statement gives intensities.
    assert not members.filter(employees__isnull=True).exists()
    assert not members.filter(annual_revenue__isnull=True).exists()
    published = IssuedReport.objects.get(public=True)
    assert (published.organization.name, published.year) == ("Thames Valley Bakery Ltd", demo.demo_year())
    admin = User.objects.get(email=demo.demo_email("admin"))
    assert admin.is_superuser and admin.check_password(demo.DEMO_PASSWORD)
    # Built by the services: the chain re-hashes and replaying it rebuilds every block.
    assert ledger_verify().ok
    assert replay().ok
    assert LedgerEntry.objects.filter(kind="retire").count() == len(demo.RETIREMENTS)
    assert LedgerEntry.objects.filter(kind="trade").count() == len(demo.TRADES)
    assert "DEMO ONLY" in output
    for login in demo.demo_logins():
        assert login.email in output
        assert User.objects.get(email=login.email).check_password(demo.DEMO_PASSWORD)


def test_seed_twice_creates_nothing_new_and_prints_the_same_logins():
    first = seed()
    counts = row_counts()

    second = seed()

    assert row_counts() == counts
    assert "nothing was created" in second
    assert first.split("Demo logins")[1] == second.split("Demo logins")[1]


def test_seed_refuses_a_real_registry_when_debug_is_off(settings):
    settings.DEBUG = False
    real = OrganizationFactory.create(name="Real Customer Ltd")

    with pytest.raises(CommandError, match="Real Customer Ltd"):
        seed()

    assert list(Organization.objects.all()) == [real]
    assert not User.objects.exists()


def test_seed_refuses_an_empty_database_served_over_https(settings):
    settings.DEBUG, settings.SECURE = False, True

    with pytest.raises(CommandError, match="https"):
        seed()

    assert not User.objects.exists()


@pytest.mark.parametrize(("debug", "args"), [(True, ()), (False, ("--force",))])
def test_seed_runs_beside_real_organisations_in_debug_or_with_force(settings, monkeypatch, debug, args):
    settings.DEBUG = debug
    OrganizationFactory.create(name="Real Customer Ltd")
    seeded = []

    def counted_seed():
        seeded.append(True)
        return demo.DemoSummary()

    monkeypatch.setattr("carboncred.management.commands.seed_demo.demo_seed", counted_seed)

    seed(*args)

    assert seeded == [True]


def test_an_organisation_merely_named_like_the_demo_is_not_demo_data(settings):
    settings.DEBUG = False
    OrganizationFactory.create(name=demo.ORGANIZATIONS[0].name)

    with pytest.raises(CommandError, match="Refusing"):
        seed()


def test_a_failing_seed_leaves_nothing_behind(monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("carboncred.demo.retirement_create", broken)

    with pytest.raises(RuntimeError, match="disk full"):
        seed()

    assert not Organization.objects.filter(kind=Organization.Kind.MEMBER).exists()
    assert not LedgerEntry.objects.exists()
    assert not ReductionClaim.objects.exists()
