"""Roles on every write: what a viewer, a member, an admin and an owner may do (accounts.roles).

A refused write answers 403 ``role_forbidden`` before anything moves: the ledger, the blocks and the
listings are as they were. Each refusal is paired with the same request by a role that may make it,
so the body is known to be good and the refusal is the role's alone.
"""

import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Invitation, Organization, User
from accounts.roles import LEAST_ROLE, Ability, Role, abilities_of, role_allows
from emissions.models import EmissionReport
from ledger.models import CreditBlock, LedgerEntry
from marketplace.models import Listing, Order, Transfer
from projects.models import Project
from tests.accounts.factories import OrganizationFactory, UserFactory
from tests.conftest import client_for
from tests.ledger.factories import issue
from tests.marketplace.factories import listing as make_listing
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return OrganizationFactory.create()


@pytest.fixture
def people(org):
    """One person of each role in one organisation."""
    return {role: UserFactory.create(organization=org, role=role) for role in Role}


@pytest.fixture
def block(org):
    project = ProjectFactory.create(owner=org)
    return issue(project=project, quantity_kg=1000, buffer_share=Decimal(0)).owner_block


def moved() -> tuple:
    """Everything a trade, a transfer or a retirement changes."""
    return (
        LedgerEntry.objects.count(),
        sorted(CreditBlock.objects.values_list("id", "owner_id", "status", "serial_start", "serial_end")),
        sorted(Listing.objects.values_list("id", "status", "quantity_available_kg")),
        Order.objects.count(),
        Transfer.objects.count(),
    )


def assert_role_forbidden(response, *, role: str, needs: str) -> None:
    assert response.status_code == 403, response.content
    body = response.json()
    assert body["code"] == "role_forbidden"
    assert body["role"] == role and body["required_role"] == needs
    assert needs in body["detail"]


# --- the table --------------------------------------------------------------------------------


def test_the_table_orders_the_roles():
    assert abilities_of("viewer") == [Ability.PROFILE]
    assert abilities_of("member") == [Ability.PROFILE, Ability.OPERATE]
    assert Ability.OWNERS not in abilities_of("admin") and Ability.MEMBERS in abilities_of("admin")
    assert abilities_of("owner") == list(Ability)
    assert not role_allows("", Ability.PROFILE) and not role_allows("superhero", Ability.PROFILE)
    assert set(LEAST_ROLE) == set(Ability)


# --- a viewer cannot trade ---------------------------------------------------------------------


def test_a_viewer_cannot_buy_and_nothing_moves_but_a_member_can(people):
    offer = make_listing(quantity_kg=300)
    body = {"listing": offer.pk, "quantity_kg": 100}
    before = moved()

    refused = client_for(people[Role.VIEWER]).post("/api/buy/", body, format="json")

    assert_role_forbidden(refused, role="viewer", needs="member")
    assert moved() == before
    assert client_for(people[Role.MEMBER]).post("/api/buy/", body, format="json").status_code == 201


def test_a_viewer_cannot_list_and_nothing_moves_but_a_member_can(people, block):
    body = {"block": block.pk, "quantity_kg": 100, "price_per_tonne": "12.00"}
    before = moved()

    refused = client_for(people[Role.VIEWER]).post("/api/listings/", body, format="json")

    assert_role_forbidden(refused, role="viewer", needs="member")
    assert moved() == before
    assert client_for(people[Role.MEMBER]).post("/api/listings/", body, format="json").status_code == 201


def test_a_viewer_cannot_transfer_and_nothing_moves_but_a_member_can(people, block):
    body = {"block": block.pk, "quantity_kg": 100, "to_organization": OrganizationFactory.create().pk}
    before = moved()

    refused = client_for(people[Role.VIEWER]).post("/api/transfers/", body, format="json")

    assert_role_forbidden(refused, role="viewer", needs="member")
    assert moved() == before
    assert client_for(people[Role.MEMBER]).post("/api/transfers/", body, format="json").status_code == 201


def test_a_viewer_cannot_retire_and_nothing_moves_but_a_member_can(people, block):
    body = {"block": block.pk, "quantity_kg": 100, "beneficiary": "The bakery", "reason": "2025 footprint"}
    before = moved()

    refused = client_for(people[Role.VIEWER]).post("/api/retire/", body, format="json")

    assert_role_forbidden(refused, role="viewer", needs="member")
    assert moved() == before
    assert client_for(people[Role.MEMBER]).post("/api/retire/", body, format="json").status_code == 201


def test_a_viewer_cannot_withdraw_a_listing_but_a_member_can(people, org):
    offer = make_listing(seller=org, quantity_kg=100)
    before = moved()

    refused = client_for(people[Role.VIEWER]).delete(f"/api/listings/{offer.pk}/")

    assert_role_forbidden(refused, role="viewer", needs="member")
    assert moved() == before
    assert client_for(people[Role.MEMBER]).delete(f"/api/listings/{offer.pk}/").status_code == 204


def test_a_viewer_cannot_record_emissions_projects_sites_or_documents(people):
    viewer = client_for(people[Role.VIEWER])
    member = client_for(people[Role.MEMBER])
    emissions = {
        "period_start": "2025-01-01",
        "period_end": "2025-01-31",
        "lines": [{"activity": "electricity", "quantity": "1000", "unit": "kWh"}],
    }
    project = {
        "title": "Roof",
        "description": "Panels",
        "category": "solar",
        "country": "GB",
        "start_date": "2024-01-01",
    }

    assert_role_forbidden(viewer.post("/api/emissions/", emissions, format="json"), role="viewer", needs="member")
    assert_role_forbidden(viewer.post("/api/projects/", project, format="json"), role="viewer", needs="member")
    assert_role_forbidden(viewer.post("/api/sites/", {}, format="json"), role="viewer", needs="member")
    upload = {"file": SimpleUploadedFile("bill.pdf", b"%PDF-1.4\n% bill\n"), "kind": "utility_bill"}
    assert_role_forbidden(viewer.post("/api/documents/", upload, format="multipart"), role="viewer", needs="member")
    assert_role_forbidden(viewer.post("/api/reduction-data/", {}, format="json"), role="viewer", needs="member")
    assert EmissionReport.objects.count() == 0 and Project.objects.count() == 0

    assert member.post("/api/emissions/", emissions, format="json").status_code == 201
    assert member.post("/api/projects/", project, format="json").status_code == 201


def test_a_viewer_reads_everything_a_member_reads(people, block):
    viewer = client_for(people[Role.VIEWER])

    for path in ["/api/me/", "/api/holdings/", "/api/orders/", "/api/emissions/", "/api/organization/members/"]:
        assert viewer.get(path).status_code == 200, path
    assert [b["id"] for b in viewer.get("/api/holdings/").json()["results"]] == [block.pk]


def test_a_viewer_edits_their_own_profile_and_password(people):
    viewer = people[Role.VIEWER]
    client = client_for(viewer)

    assert client.patch("/api/me/", {"full_name": "Vera Viewer"}, format="json").status_code == 200
    changed = client.post(
        "/api/auth/password/change/",
        {"old_password": "correct-horse-battery-staple", "new_password": "a-new-pass-phrase-7"},
        format="json",
    )
    assert changed.status_code == 200, changed.content
    viewer.refresh_from_db()
    assert viewer.full_name == "Vera Viewer" and viewer.check_password("a-new-pass-phrase-7")


# --- members and the organisation --------------------------------------------------------------


def test_a_member_cannot_manage_members_the_organisation_or_its_verification(people, org):
    member = client_for(people[Role.MEMBER])

    invite = member.post("/api/organization/members/", {"email": "new@example.com", "role": "viewer"}, format="json")
    rename = member.patch("/api/me/", {"organization": {"name": "Renamed Ltd"}}, format="json")
    promote = member.patch(f"/api/organization/members/{people[Role.VIEWER].pk}/", {"role": "member"}, format="json")
    remove = member.delete(f"/api/organization/members/{people[Role.VIEWER].pk}/")
    verification = member.post("/api/organization/verification/", {}, format="json")

    for response in (invite, rename, promote, remove, verification):
        assert_role_forbidden(response, role="member", needs="admin")
    assert not Invitation.objects.exists()
    assert Organization.objects.get(pk=org.pk).name == org.name
    assert User.objects.get(pk=people[Role.VIEWER].pk).role == "viewer"
    assert User.objects.get(pk=people[Role.VIEWER].pk).is_active


def test_an_admin_manages_members_and_the_organisation_but_not_owners(people, org):
    admin = client_for(people[Role.ADMIN])
    viewer, owner = people[Role.VIEWER], people[Role.OWNER]

    invited = admin.post("/api/organization/members/", {"email": "new@example.com", "role": "admin"}, format="json")
    promoted = admin.patch(f"/api/organization/members/{viewer.pk}/", {"role": "member"}, format="json")
    renamed = admin.patch("/api/me/", {"organization": {"name": "Renamed Ltd"}}, format="json")

    assert invited.status_code == 201 and promoted.status_code == 200 and renamed.status_code == 200
    assert promoted.json()["role"] == "member"
    assert renamed.json()["organization"]["name"] == "Renamed Ltd"

    owner_invite = admin.post(
        "/api/organization/members/", {"email": "boss@example.com", "role": "owner"}, format="json"
    )
    crown = admin.patch(f"/api/organization/members/{viewer.pk}/", {"role": "owner"}, format="json")
    demote_owner = admin.patch(f"/api/organization/members/{owner.pk}/", {"role": "member"}, format="json")
    remove_owner = admin.delete(f"/api/organization/members/{owner.pk}/")
    for response in (owner_invite, crown, demote_owner, remove_owner):
        assert_role_forbidden(response, role="admin", needs="owner")
    assert User.objects.get(pk=owner.pk).role == "owner" and User.objects.get(pk=owner.pk).is_active
    assert User.objects.get(pk=viewer.pk).role == "member"


def test_an_owner_grants_and_takes_away_the_owner_role(people):
    owner = client_for(people[Role.OWNER])
    admin = people[Role.ADMIN]

    crowned = owner.patch(f"/api/organization/members/{admin.pk}/", {"role": "owner"}, format="json")
    assert crowned.status_code == 200 and crowned.json()["role"] == "owner"
    uncrowned = owner.patch(f"/api/organization/members/{admin.pk}/", {"role": "admin"}, format="json")
    assert uncrowned.status_code == 200 and uncrowned.json()["role"] == "admin"
    invited = owner.post(
        "/api/organization/members/", {"email": "co-owner@example.com", "role": "owner"}, format="json"
    )
    assert invited.status_code == 201 and invited.json()["role"] == "owner"


def test_a_role_change_applies_to_the_next_request(people, block):
    member = people[Role.MEMBER]
    client = client_for(member)
    body = {"block": block.pk, "quantity_kg": 100, "beneficiary": "The bakery", "reason": "2025 footprint"}

    demoted = client_for(people[Role.OWNER]).patch(
        f"/api/organization/members/{member.pk}/", {"role": "viewer"}, format="json"
    )
    assert demoted.status_code == 200

    assert_role_forbidden(client.post("/api/retire/", body, format="json"), role="viewer", needs="member")


def test_a_verifier_keeps_the_verifier_endpoints_whatever_their_role(people):
    verifier = UserFactory.create(verifier=True, role=Role.VIEWER)
    target = OrganizationFactory.create()

    response = client_for(verifier).post(f"/api/organizations/{target.pk}/suspend/", {"reason": "fraud"}, format="json")

    assert response.status_code == 200, response.content
    assert Organization.objects.get(pk=target.pk).verification_status == "suspended"


def test_a_suspended_organisations_viewer_is_told_about_the_suspension_first(people, org):
    org.verification_status = "suspended"
    org.save()

    response = client_for(people[Role.VIEWER]).post("/api/emissions/", {}, format="json")

    assert response.status_code == 403 and response.json()["code"] == "organization_suspended"


# --- every write of the API ---------------------------------------------------------------------


def _writes_under_the_default_permission():
    """Every (method, path) of the API that writes and is guarded by the default permission, with the
    ability it declares: walked from the URL configuration (as the OpenAPI schema is), so an endpoint
    added later is covered without being listed here."""
    from drf_spectacular.generators import EndpointEnumerator

    from accounts.standing import IsAuthenticatedInGoodStanding

    found = []
    for path, _regex, method, callback in EndpointEnumerator().get_api_endpoints():
        if method not in {"POST", "PUT", "PATCH", "DELETE"}:
            continue
        view = callback.cls
        options = getattr(callback, "initkwargs", {}) or {}
        permissions = options.get("permission_classes", view.permission_classes)
        if IsAuthenticatedInGoodStanding not in permissions:
            continue  # public, verifiers only, or any signed-in person (password change, logout)
        ability = options.get("required_ability", getattr(view, "required_ability", Ability.OPERATE))
        found.append((method, re.sub(r"\{[^}]+\}", "1", path), ability))
    return found


def test_every_write_of_the_api_is_refused_to_a_viewer_but_their_own_profile(people):
    writes = _writes_under_the_default_permission()
    assert len(writes) >= 20  # the walk found the API
    viewer = client_for(people[Role.VIEWER])
    answered = {}

    for method, path, ability in writes:
        response = getattr(viewer, method.lower())(path, {}, format="json")
        answered[(method, path)] = (ability, response.status_code, response.json().get("code"))

    refused = {key for key, (_, status, code) in answered.items() if (status, code) == (403, "role_forbidden")}
    profile = {key for key, (ability, _, _) in answered.items() if ability == Ability.PROFILE}
    assert profile == {("PATCH", "/api/me/")}
    assert refused == set(answered) - profile, {k: v for k, v in answered.items() if k not in refused}


def test_a_member_is_refused_exactly_the_writes_above_operate(people):
    member = client_for(people[Role.MEMBER])

    for method, path, ability in _writes_under_the_default_permission():
        response = getattr(member, method.lower())(path, {}, format="json")
        refused = (response.status_code, response.json().get("code")) == (403, "role_forbidden")
        assert refused == (not role_allows("member", ability)), (method, path, response.status_code)


def test_an_action_declares_its_own_ability(people, rf):
    """``@action(required_ability=...)`` on a viewset built on OrganizationApiMixin (how a later
    endpoint, such as a webhook's retry, declares that it needs an admin)."""
    from rest_framework import viewsets
    from rest_framework.decorators import action
    from rest_framework.response import Response
    from rest_framework.test import force_authenticate

    from accounts.api import OrganizationApiMixin

    class ProbeViewSet(OrganizationApiMixin, viewsets.ViewSet):
        @action(detail=False, methods=["post"], required_ability=Ability.INTEGRATIONS)
        def rotate(self, request):
            return Response({"ok": True})

        @action(detail=False, methods=["post"])
        def ping(self, request):
            return Response({"ok": True})

    rotate = ProbeViewSet.as_view({"post": "rotate"}, **ProbeViewSet.rotate.kwargs)
    ping = ProbeViewSet.as_view({"post": "ping"}, **ProbeViewSet.ping.kwargs)

    def status(view, user):
        request = rf.post("/probe/", {}, content_type="application/json")
        force_authenticate(request, user=user)
        return view(request).status_code

    assert [status(rotate, people[role]) for role in (Role.MEMBER, Role.ADMIN)] == [403, 200]
    assert [status(ping, people[role]) for role in (Role.VIEWER, Role.MEMBER)] == [403, 200]
