"""Organisation identity and standing: verification requests, verifiers' decisions, namesakes, what an
unverified or suspended organisation may do, and what the public sees of a seller or a retiring one."""

import pytest
from django.db import IntegrityError, transaction

from accounts.models import Organization, OrganizationStatusChange, VerificationStatus
from accounts.services import organization_suspend, organization_verify
from ledger.audit import ledger_verify, replay
from ledger.models import LedgerEntry
from marketplace.models import Listing
from tests.accounts.factories import OrganizationFactory, UserFactory
from tests.conftest import client_for
from tests.ledger.factories import issue
from tests.marketplace.factories import listing

pytestmark = pytest.mark.django_db

REQUEST = "/api/organization/verification/"
ORGS = "/api/organizations/"


def sign_up(api_client, *, name="Sunrise Textiles Pvt Ltd", country="IN", email="owner@sunrise.example"):
    body = {"email": email, "password": "correct-horse-battery", "organization_name": name, "country": country}
    response = api_client.post("/api/auth/register/", body, format="json")
    assert response.status_code == 201, response.content
    from accounts.models import User

    return User.objects.get(email=email)


def request_verification(client, *, number="U17100MH2009PTC123456", name="Sunrise Textiles Private Limited"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    extract = SimpleUploadedFile("extract.pdf", f"%PDF-1.4\n% {name} {number}\n".encode())
    document = client.post("/api/documents/", {"file": extract, "kind": "registration_extract"}, format="multipart")
    assert document.status_code == 201, document.content
    body = {"legal_name": name, "registration_number": number, "documents": [document.json()["id"]]}
    return client.post(REQUEST, body, format="json")


def test_a_new_organisation_is_unverified_and_requests_verification(api_client, verifier_client):
    user = sign_up(api_client)
    client = client_for(user)
    assert client.get("/api/me/").json()["organization"]["verification_status"] == "unverified"

    response = request_verification(client)

    assert response.status_code == 202, response.content
    assert response.json()["verification_status"] == "pending"
    assert response.json()["request"]["registration_number"] == "U17100MH2009PTC123456"
    pending = verifier_client.get(f"{ORGS}?verification_status=pending").json()
    assert [org["id"] for org in pending["results"]] == [user.organization_id]
    assert pending["results"][0]["verification_request"]["documents"] == response.json()["request"]["documents"]


def test_a_verifier_verifies_and_the_registration_number_becomes_public(api_client, verifier_client):
    user = sign_up(api_client)
    request_verification(client_for(user))

    response = verifier_client.post(f"{ORGS}{user.organization_id}/verify/", {"note": "extract checked"}, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["verification_status"] == "verified"
    assert body["history"][0] == {
        "from_status": "pending",
        "to_status": "verified",
        "note": "extract checked",
        "changed_by": body["history"][0]["changed_by"],
        "created_at": body["history"][0]["created_at"],
    }
    assert body["verification_request"]["status"] == "approved"
    me = client_for(user).get("/api/me/").json()["organization"]
    assert (me["verification_status"], me["registration_number"]) == ("verified", "U17100MH2009PTC123456")


def test_one_registration_number_backs_one_verified_organisation_per_country(api_client, verifier_client):
    first, second = sign_up(api_client), sign_up(api_client, email="copy@example.com", name="Other Name Ltd")
    request_verification(client_for(first))
    request_verification(client_for(second), number="u17100 mh2009 ptc123456")  # the same number, typed loosely
    verifier_client.post(f"{ORGS}{first.organization_id}/verify/", {}, format="json")

    response = verifier_client.post(f"{ORGS}{second.organization_id}/verify/", {}, format="json")

    assert response.status_code == 409 and response.json()["code"] == "registration_number_taken"
    assert Organization.objects.get(pk=second.organization_id).verification_status == "pending"


def test_the_database_refuses_a_second_verified_organisation_with_one_number():
    OrganizationFactory.create(country="GB", registration_number="01234567", registration_key="01234567")

    with pytest.raises(IntegrityError), transaction.atomic():
        OrganizationFactory.create(country="GB", registration_number="01234567", registration_key="01234567")
    OrganizationFactory.create(country="IE", registration_number="01234567", registration_key="01234567")


def test_a_namesake_is_flagged_to_verifiers_and_visibly_unverified_in_public(api_client, verifier_client):
    """Attack: register an organisation with another's exact name and trade under it."""
    real = OrganizationFactory.create(name="Sunrise Textiles Pvt Ltd", country="IN", registration_number="U171")
    offer = listing(seller=real, quantity_kg=500, country="IN")
    namesake = sign_up(api_client, name="SUNRISE TEXTILES PRIVATE LIMITED", email="fake@example.com")

    flagged = verifier_client.get(f"{ORGS}?flagged=true").json()["results"]
    # It may buy and retire (an unverified organisation may), but not list.
    client = client_for(namesake)
    bought = client.post("/api/buy/", {"listing": offer.pk, "quantity_kg": 100}, format="json")
    block = bought.json()["blocks"][0]["block"]
    relist = client.post(
        "/api/listings/", {"block": block, "quantity_kg": 100, "price_per_tonne": "9.00"}, format="json"
    )
    retired = client.post(
        "/api/retire/", {"block": block, "quantity_kg": 100, "beneficiary": "Sunrise Textiles", "reason": "2024"},
        format="json",
    )  # fmt: skip
    public = api_client.get(f"/api/certificates/verify/{retired.json()['certificate']['public_id']}/").json()
    market = api_client.get("/api/marketplace/").json()["results"]

    assert [org["id"] for org in flagged] == [namesake.organization_id]
    assert flagged[0]["namesake_of"]["id"] == real.pk
    assert [org["id"] for org in flagged[0]["namesakes"]] == [real.pk]
    assert relist.status_code == 403 and relist.json()["code"] == "organization_unverified"
    assert public["certificate"]["retired_by"] == {
        "name": "SUNRISE TEXTILES PRIVATE LIMITED",
        "country": "IN",
        "verification_status": "unverified",
        "registration_number": None,
    }
    assert market[0]["seller"] == {
        "name": "Sunrise Textiles Pvt Ltd",
        "country": "IN",
        "verification_status": "verified",
        "registration_number": "U171",
    }
    page = api_client.get(f"/certificates/{retired.json()['certificate']['public_id']}/")
    assert "not verified" in page.content.decode()


def test_unverified_organisations_cannot_list_or_transfer(user):
    unverified = UserFactory.create(organization__verification_status=VerificationStatus.UNVERIFIED)
    block = issue(owner=unverified.organization, quantity_kg=1_000).owner_block
    client = client_for(unverified)

    listed = client.post(
        "/api/listings/", {"block": block.pk, "quantity_kg": 100, "price_per_tonne": "5.00"}, format="json"
    )
    sent = client.post(
        "/api/transfers/", {"block": block.pk, "quantity_kg": 100, "to_organization": user.organization_id},
        format="json",
    )  # fmt: skip

    for response in (listed, sent):
        assert response.status_code == 403, response.content
        assert response.json()["code"] == "organization_unverified"
    assert not Listing.objects.exists()
    assert LedgerEntry.objects.filter(kind__in=["list", "transfer"]).count() == 0


def test_suspension_makes_an_organisation_read_only_and_withdraws_its_listings(verifier_client):
    seller = UserFactory.create()
    open_listings = [listing(seller=seller.organization, quantity_kg=100 + n) for n in range(2)]
    client = client_for(seller)

    response = verifier_client.post(
        f"{ORGS}{seller.organization_id}/suspend/", {"reason": "forged register extract"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["verification_status"] == "suspended"
    for offer in open_listings:
        offer.refresh_from_db()
        assert offer.status == Listing.Status.WITHDRAWN
        assert offer.block.status == "available"
    delists = LedgerEntry.objects.filter(kind="delist").order_by("seq")
    assert [entry.payload["memo"] for entry in delists] == [
        {"listing": str(offer.pk), "reason": "organization suspended"} for offer in open_listings
    ]
    assert ledger_verify().ok and replay().ok
    assert client.get("/api/holdings/").status_code == 200
    writes = [
        client.post("/api/listings/", {"block": open_listings[0].block_id, "quantity_kg": 1, "price_per_tonne": "1"},
                    format="json"),
        client.post("/api/retire/", {"block": open_listings[0].block_id, "quantity_kg": 1, "beneficiary": "x",
                                     "reason": "y"}, format="json"),
        client.post("/api/sites/", {"name": "x", "country": "GB", "latitude": "51.5", "longitude": "-0.1"},
                    format="json"),
        client.post("/api/projects/", {}, format="json"),
        client.post("/api/reduction-data/", {}, format="json"),
        client.post("/api/emissions/", {}, format="json"),
    ]  # fmt: skip
    for write in writes:
        assert write.status_code == 403, write.content
        assert write.json()["code"] == "organization_suspended"
    assert [
        change.to_status for change in OrganizationStatusChange.objects.filter(organization=seller.organization)
    ] == ["suspended"]


def test_a_failing_withdrawal_rolls_the_suspension_back(monkeypatch, verifier):
    seller = UserFactory.create()
    listing(seller=seller.organization)

    def broken(**kwargs):
        raise RuntimeError("ledger unavailable")

    monkeypatch.setattr("marketplace.services.credits_release", broken)
    with pytest.raises(RuntimeError):
        organization_suspend(organization_id=seller.organization_id, reviewer=verifier, reason="test")

    assert Organization.objects.get(pk=seller.organization_id).verification_status == "verified"
    assert Listing.objects.get().status == "open"


def test_verifiers_cannot_decide_on_their_own_organisation(verifier, verifier_client):
    response = verifier_client.post(f"{ORGS}{verifier.organization_id}/suspend/", {"reason": "x"}, format="json")

    assert response.status_code == 403 and response.json()["code"] == "conflict_of_interest"


def test_only_verifiers_list_and_decide(auth_client, user):
    assert auth_client.get(ORGS).status_code == 403
    assert auth_client.post(f"{ORGS}{user.organization_id}/verify/", {}, format="json").status_code == 403


def test_a_suspended_organisation_is_reinstated_by_verifying_it(verifier):
    seller = UserFactory.create()
    organization_suspend(organization_id=seller.organization_id, reviewer=verifier, reason="query")

    organization_verify(organization_id=seller.organization_id, reviewer=verifier, note="cleared")

    assert Organization.objects.get(pk=seller.organization_id).verification_status == "verified"


def test_verifier_list_query_count_is_constant(verifier_client, django_assert_max_num_queries, api_client):
    for n in range(4):
        user = sign_up(api_client, name=f"Acme {n % 2} Ltd", email=f"o{n}@example.com")
        request_verification(client_for(user), number=f"NUM{n}")

    with django_assert_max_num_queries(6):
        response = verifier_client.get(f"{ORGS}?verification_status=pending")

    assert response.json()["count"] == 4


def test_registration_flags_namesakes_ignoring_case_punctuation_and_legal_form(api_client):
    real = OrganizationFactory.create(name="Rheinwerk Metallbau GmbH", country="DE")
    twins = [
        sign_up(api_client, name=name, country="DE", email=f"t{n}@example.com").organization
        for n, name in enumerate(["rheinwerk metallbau", "Rheinwerk-Metallbau G.m.b.H.", "RHEINWERK METALLBAU AG"])
    ]
    abroad = sign_up(api_client, name="Rheinwerk Metallbau GmbH", country="AT", email="at@example.com").organization
    other = sign_up(api_client, name="Rheinwerk Stahlbau GmbH", country="DE", email="other@example.com").organization

    assert [twin.namesake_of_id for twin in twins] == [real.pk] * 3
    assert abroad.namesake_of_id is None and other.namesake_of_id is None


def test_buying_retiring_and_claiming_stay_open_to_unverified_organisations(api_client):
    seller = OrganizationFactory.create()
    offer = listing(seller=seller, quantity_kg=300)
    buyer = sign_up(api_client, name="New Buyer Ltd", country="GB", email="buyer@example.com")
    client = client_for(buyer)

    bought = client.post("/api/buy/", {"listing": offer.pk, "quantity_kg": 100}, format="json")
    block = bought.json()["blocks"][0]["block"]
    retired = client.post(
        "/api/retire/", {"block": block, "quantity_kg": 50, "beneficiary": "New Buyer", "reason": "2024"}, format="json"
    )

    assert bought.status_code == 201 and retired.status_code == 201


def test_an_organisation_cannot_verify_itself_through_its_request(api_client):
    user = sign_up(api_client)
    client = client_for(user)
    body = {"legal_name": "X Ltd", "registration_number": "123", "verification_status": "verified"}

    response = client.post(REQUEST, body, format="json")

    assert response.status_code == 202 and response.json()["verification_status"] == "pending"
    patched = client.patch("/api/me/", {"organization": {"verification_status": "verified"}}, format="json")
    assert patched.status_code == 400
    assert list(patched.json()["errors"]) == ["organization.verification_status"]
    assert Organization.objects.get(pk=user.organization_id).verification_status == "pending"


def test_a_suspension_with_a_key_it_does_not_take_is_refused_and_changes_nothing(verifier_client):
    seller = UserFactory.create()

    response = verifier_client.post(
        f"{ORGS}{seller.organization_id}/suspend/", {"reason": "forged extract", "errors": {}}, format="json"
    )

    assert response.status_code == 400, response.content
    assert "errors" in response.json()["errors"]
    seller.organization.refresh_from_db()
    assert seller.organization.verification_status != VerificationStatus.SUSPENDED
