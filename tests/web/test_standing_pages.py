"""Organisation verification on the pages: the SME asks to be verified with its register extract (the
service behind ``POST /api/organization/verification/``) and sees its standing; verifiers list the
organisations with their documents and verify, turn down or suspend through the API's services."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import Organization, OrganizationVerificationRequest, VerificationStatus
from documents.models import Document
from marketplace.models import Listing
from tests.accounts.factories import OrganizationFactory, UserFactory
from tests.web.conftest import session_for

pytestmark = pytest.mark.django_db

EXTRACT = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n% register extract\n%%EOF\n"


@pytest.fixture
def newcomer(db):
    """A freshly registered (unverified) business and its person."""
    organization = OrganizationFactory.create(
        name="Chai Works", country="IN", verification_status=VerificationStatus.UNVERIFIED, registration_number="",
        registration_key="", legal_name="",
    )  # fmt: skip
    return UserFactory.create(organization=organization)


@pytest.fixture
def newcomer_client(newcomer) -> Client:
    return session_for(newcomer)


def request_form(**extra):
    return {"legal_name": "Chai Works Private Limited", "registration_number": "U15400MH2019PTC123456", **extra}


@pytest.fixture
def pending(newcomer, newcomer_client):
    response = newcomer_client.post(
        "/app/verification/", request_form(file=SimpleUploadedFile("extract.pdf", EXTRACT, "application/pdf"))
    )
    assert response.status_code == 302
    newcomer.organization.refresh_from_db()
    return newcomer.organization


def test_the_page_says_where_an_unverified_organisation_stands(newcomer_client):
    html = newcomer_client.get("/app/verification/").content.decode()

    assert "Not verified yet" in html and "Ask to be verified" in html
    assert '<label for="id_legal_name">Legal name</label>' in html
    assert '<label for="id_file">Register extract</label>' in html


def test_asking_to_be_verified_stores_the_extract_and_makes_it_pending(newcomer_client, newcomer, pending):
    assert pending.verification_status == VerificationStatus.PENDING
    request = OrganizationVerificationRequest.objects.get(organization=pending)
    document = Document.objects.get(owner=pending)
    assert request.document_ids == [document.pk] and document.kind == "registration_extract"
    assert document.submitted_at is not None
    html = newcomer_client.get("/app/verification/").content.decode()
    assert "Verification requested" in html and "U15400MH2019PTC123456" in html
    assert f'href="/app/documents/{document.pk}/file/"' in html
    assert "Send a corrected request" in html


def test_a_request_without_the_required_fields_names_them(newcomer_client, newcomer):
    response = newcomer_client.post("/app/verification/", {"legal_name": "", "registration_number": ""})

    assert response.status_code == 400
    assert response.content.decode().count("This field may not be blank.") == 2
    newcomer.organization.refresh_from_db()
    assert newcomer.organization.verification_status == VerificationStatus.UNVERIFIED
    assert not Document.objects.exists()


def test_a_reused_extract_is_refused_in_plain_words(pending):
    another = UserFactory.create(
        organization=OrganizationFactory.create(verification_status=VerificationStatus.UNVERIFIED, country="IN")
    )

    response = session_for(another).post(
        "/app/verification/", request_form(file=SimpleUploadedFile("copy.pdf", EXTRACT))
    )

    assert response.status_code == 409
    assert "This exact file is already in the registry" in response.content.decode()
    another.organization.refresh_from_db()
    assert another.organization.verification_status == VerificationStatus.UNVERIFIED


def test_a_verified_organisation_is_told_it_has_nothing_to_request(sme_client):
    response = sme_client.post("/app/verification/", request_form())

    assert response.status_code == 409
    assert "Your organisation is already verified." in response.content.decode()


def test_a_verified_organisation_sees_no_form(sme_client):
    html = sme_client.get("/app/verification/").content.decode()

    assert "Verified" in html and "Ask to be verified" not in html


def test_verifier_pages_are_for_verifiers_only(sme_client, pending, client):
    for url in ("/app/review/organisations/", f"/app/review/organisations/{pending.pk}/"):
        assert sme_client.get(url).status_code == 403
        assert client.get(url).status_code == 302
    refused = sme_client.post(f"/app/review/organisations/{pending.pk}/verify/", {"note": "me"})
    assert refused.status_code == 403
    pending.refresh_from_db()
    assert pending.verification_status == VerificationStatus.PENDING


def test_the_queue_lists_pending_organisations_with_their_documents(
    verifier_session, pending, django_assert_max_num_queries
):
    document = Document.objects.get(owner=pending)

    with django_assert_max_num_queries(12):
        response = verifier_session.get("/app/review/organisations/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Chai Works" in html and "U15400MH2019PTC123456" in html
    assert f'href="/app/documents/{document.pk}/file/"' in html
    assert verifier_session.get(f"/app/documents/{document.pk}/file/").status_code == 200  # submitted: readable


def test_a_verifier_verifies_with_a_note(verifier_session, pending, newcomer_client):
    response = verifier_session.post(f"/app/review/organisations/{pending.pk}/verify/", {"note": "Extract matches."})

    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.verification_status == VerificationStatus.VERIFIED
    assert OrganizationVerificationRequest.objects.get(organization=pending).status == "approved"
    page = verifier_session.get(response["Location"]).content.decode()
    assert "Chai Works: verified." in page and "Extract matches." in page
    assert "Verified" in newcomer_client.get("/app/verification/").content.decode()


def test_a_verifier_turns_a_request_down(verifier_session, pending):
    response = verifier_session.post(f"/app/review/organisations/{pending.pk}/reject/", {"note": "Unreadable scan."})

    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.verification_status == VerificationStatus.UNVERIFIED


def test_a_suspension_needs_a_reason_and_withdraws_the_listings(verifier_session, sme, listing):
    url = f"/app/review/organisations/{sme.organization_id}/suspend/"

    refused = verifier_session.post(url, {"reason": ""})
    assert refused.status_code == 400
    assert "This field may not be blank." in refused.content.decode()
    sme.organization.refresh_from_db()
    assert sme.organization.verification_status == VerificationStatus.VERIFIED

    done = verifier_session.post(url, {"reason": "Evidence forged."})
    assert done.status_code == 302
    sme.organization.refresh_from_db()
    assert sme.organization.verification_status == VerificationStatus.SUSPENDED
    listing.refresh_from_db()
    assert listing.status == Listing.Status.WITHDRAWN


def test_a_verifier_cannot_decide_on_their_own_organisation(pending):
    colleague = session_for(UserFactory.create(organization=pending, verifier=True))

    response = colleague.post(f"/app/review/organisations/{pending.pk}/verify/", {"note": ""})

    assert response.status_code == 403
    assert "another verifier must decide on it" in response.content.decode()
    pending.refresh_from_db()
    assert pending.verification_status == VerificationStatus.PENDING


def test_a_second_verification_is_409_and_an_unknown_organisation_404(verifier_session, sme):
    again = verifier_session.post(f"/app/review/organisations/{sme.organization_id}/verify/", {"note": ""})

    assert again.status_code == 409
    assert "already verified" in again.content.decode()
    assert verifier_session.get("/app/review/organisations/999999/").status_code == 404
    assert verifier_session.post("/app/review/organisations/999999/verify/", {}).status_code == 404


def test_decisions_need_the_csrf_token(pending):
    verifier = UserFactory.create(verifier=True)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(verifier)

    assert strict.post(f"/app/review/organisations/{pending.pk}/verify/", {"note": ""}).status_code == 403
    assert Organization.objects.get(pk=pending.pk).verification_status == VerificationStatus.PENDING


def test_the_home_page_counts_verified_organisations(client, sme, other, newcomer):
    html = client.get("/").content.decode()

    assert "organisations verified" in html
    assert '<span class="value">2</span><span class="what">organisations verified' in html


def test_the_market_shows_whether_the_seller_is_verified(client, listing):
    listing_page = client.get(f"/market/{listing.pk}/").content.decode()
    market = client.get("/market/").content.decode()

    assert "Verified seller" in listing_page and "Verified seller" in market
    assert f"Registration number {listing.seller.registration_number}" in listing_page


def test_the_dashboard_points_an_unverified_organisation_to_verification(newcomer_client, sme_client):
    html = newcomer_client.get("/app/").content.decode()

    assert "Your organisation is not verified yet" in html and 'href="/app/verification/"' in html
    assert "not verified yet" not in sme_client.get("/app/").content.decode()
