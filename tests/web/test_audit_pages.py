"""The verifiers' audit queue on the pages: issuances drawn for audit with their risk and status, the
claim's evidence beside its screening, confirm (note) and reverse (reason) through the services of
``/api/audits/{id}/confirm/`` and ``/api/reduction-data/{id}/reverse/``, the reversal's outcome shown."""

from decimal import Decimal

import pytest
from django.test import Client

from ledger.models import BlockStatus, CreditBlock, EntryKind, LedgerEntry
from tests.accounts.factories import UserFactory
from tests.verification.reversals import fund_pool, issued_claim
from tests.web.conftest import session_for
from verification.models import Audit, ReductionClaim

pytestmark = pytest.mark.django_db


@pytest.fixture
def audited(settings, sme):
    settings.AUDIT_MIN_RATE = settings.AUDIT_MAX_RATE = Decimal(1)
    claim = issued_claim(sme)
    return Audit.objects.select_related("claim").get(claim_id=claim["id"])


def test_audit_pages_are_for_verifiers_only(sme_client, client, audited):
    for url in ("/app/review/audits/", f"/app/review/audits/{audited.pk}/"):
        assert sme_client.get(url).status_code == 403
        assert client.get(url).status_code == 302
    assert sme_client.post(f"/app/review/audits/{audited.pk}/confirm/", {"note": "x"}).status_code == 403
    assert sme_client.post(f"/app/review/claims/{audited.claim_id}/reverse/", {"reason": "x"}).status_code == 403
    audited.refresh_from_db()
    assert audited.status == Audit.Status.OPEN


def test_the_queue_lists_open_audits_with_risk_and_claim(verifier_session, audited, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        response = verifier_session.get("/app/review/audits/")

    html = response.content.decode()
    assert response.status_code == 200
    assert f"Audit {audited.pk}" in html and f"Claim {audited.claim_id}" in html
    assert '<span class="badge warn">Open</span>' in html
    assert "Bakery Ltd" in html
    assert "No audit is confirmed." in verifier_session.get("/app/review/audits/?status=confirmed").content.decode()


def test_the_audit_page_shows_evidence_beside_the_screening(verifier_session, audited):
    html = verifier_session.get(f"/app/review/audits/{audited.pk}/").content.decode()

    assert "Evidence and figures" in html and "Screening" in html
    assert "Confirm the issuance" in html and "Reverse the issuance" in html
    assert "MTR-2024-01" in html


def test_confirm_with_a_note_then_a_second_confirmation_is_409(verifier_session, audited):
    url = f"/app/review/audits/{audited.pk}/confirm/"

    first = verifier_session.post(url, {"note": "Meter photos match."})
    again = verifier_session.post(url, {"note": "again"})

    assert first.status_code == 302 and first["Location"] == f"/app/review/audits/{audited.pk}/"
    audited.refresh_from_db()
    assert (audited.status, audited.note) == (Audit.Status.CONFIRMED, "Meter photos match.")
    assert again.status_code == 409
    assert "only an open audit can be confirmed" in again.content.decode()


def test_reverse_needs_a_reason(verifier_session, audited):
    response = verifier_session.post(
        f"/app/review/claims/{audited.claim_id}/reverse/", {"reason": "", "audit": str(audited.pk)}
    )

    assert response.status_code == 400
    assert "This field may not be blank." in response.content.decode()
    assert ReductionClaim.objects.get(pk=audited.claim_id).status == ReductionClaim.Status.APPROVED


def test_reverse_from_the_audit_shows_what_was_cancelled_and_the_ledger_entries(verifier_session, audited):
    fund_pool(1_000)
    owner_kg = audited.claim.issuance.quantity_kg

    response = verifier_session.post(
        f"/app/review/claims/{audited.claim_id}/reverse/", {"reason": "Readings invented", "audit": str(audited.pk)}
    )

    assert response.status_code == 302 and response["Location"] == f"/app/review/audits/{audited.pk}/"
    audited.refresh_from_db()
    assert audited.status == Audit.Status.REVERSED
    cancel = LedgerEntry.objects.get(kind=EntryKind.CANCEL)
    assert not CreditBlock.objects.filter(owner=audited.claim.project.owner, status=BlockStatus.AVAILABLE).exists()
    html = verifier_session.get(response["Location"]).content.decode()
    assert f"Claim {audited.claim_id} reversed: {owner_kg:,} kg cancelled from its owner" in html
    assert "Readings invented" in html
    assert f"<code>cancel</code> entry {cancel.seq}" in html and cancel.hash_hex in html
    assert '<span class="badge bad">Reversed</span>' in html


def test_the_owner_reads_the_reversal_on_the_claim_page(verifier_session, sme_client, audited):
    fund_pool(1_000)
    verifier_session.post(f"/app/review/claims/{audited.claim_id}/reverse/", {"reason": "Readings invented"})

    html = sme_client.get(f"/app/claims/{audited.claim_id}/").content.decode()

    assert "Reversed after issuance" in html and "Readings invented" in html
    assert '<span class="badge bad">Reversed</span>' in sme_client.get("/app/claims/").content.decode()


def test_a_second_reversal_is_409_and_an_unknown_claim_404(verifier_session, audited):
    fund_pool(1_000)
    url = f"/app/review/claims/{audited.claim_id}/reverse/"
    assert verifier_session.post(url, {"reason": "Readings invented"}).status_code == 302

    again = verifier_session.post(url, {"reason": "Once more"})

    assert again.status_code == 409
    assert "issuance has already been reversed." in again.content.decode()
    assert verifier_session.post("/app/review/claims/999999/reverse/", {"reason": "x"}).status_code == 404
    assert verifier_session.get("/app/review/audits/999999/").status_code == 404
    assert verifier_session.post("/app/review/audits/999999/confirm/", {"note": ""}).status_code == 404


def test_a_verifier_cannot_audit_their_own_organisation(sme, audited):
    colleague = session_for(UserFactory.create(organization=sme.organization, verifier=True))

    response = colleague.post(f"/app/review/audits/{audited.pk}/confirm/", {"note": ""})

    assert response.status_code == 403
    assert "cannot audit a claim of their own organisation" in response.content.decode()


def test_audit_decisions_need_the_csrf_token(audited):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(UserFactory.create(verifier=True))

    assert strict.post(f"/app/review/audits/{audited.pk}/confirm/", {"note": ""}).status_code == 403
    assert strict.post(f"/app/review/claims/{audited.claim_id}/reverse/", {"reason": "x"}).status_code == 403
    audited.refresh_from_db()
    assert audited.status == Audit.Status.OPEN
