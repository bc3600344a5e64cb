"""Evidence files on claims: uploaded through ``documents.services`` with the claim, listed on the
claim's page with their SHA-256 and a download for the owner; a file already in the registry (409
``document_reused``), an empty, too large or unrecognised file are refused in plain words and no claim
is stored; solar claims may take their generation from the site's stored readings."""

import hashlib
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from documents.models import Document
from sites.models import Reading
from tests.sites.factories import SiteFactory
from tests.verification.factories import project_for
from tests.verification.readings import hourly_pv
from verification.models import ReductionClaim

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


def pdf(marker: str) -> bytes:
    """A PDF whose bytes (and so SHA-256) differ by ``marker``."""
    return PDF + f"% {marker}\n".encode()


def claim_form(project, **extra):
    return {
        "project": str(project.pk),
        "period_start": "2024-01-01",
        "period_end": "2024-12-31",
        "capacity_kwp": "50",
        "generation_kwh": "70000",
        "evidence_kind": "meter_reading",
        "evidence_reference": "MTR-2024",
        "evidence_period_start": "2024-01-01",
        "evidence_period_end": "2024-12-31",
        "evidence_quantity": "70000",
        "evidence_unit": "kWh",
        **extra,
    }


@pytest.fixture
def project(sme):
    return project_for(sme.organization, category="solar", country="IN")


def test_a_claim_with_its_document_lists_the_sha256_and_a_download(sme_client, other_client, sme, project):
    content = pdf("meter photo")
    upload = SimpleUploadedFile("meter-2024.pdf", content, "application/pdf")

    response = sme_client.post("/app/claims/", claim_form(project, evidence_file=upload))

    claim = ReductionClaim.objects.get(project=project)
    assert response.status_code == 302 and response["Location"] == f"/app/claims/{claim.pk}/"
    document = Document.objects.get(owner=sme.organization)
    assert document.sha256 == hashlib.sha256(content).hexdigest() and document.kind == "meter_reading"
    assert claim.evidence.get().document == document
    page = sme_client.get(response["Location"]).content.decode()
    assert f"SHA-256 {document.sha256}" in page
    assert f'href="/app/documents/{document.pk}/file/"' in page and "Download meter-2024.pdf" in page

    download = sme_client.get(f"/app/documents/{document.pk}/file/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == content
    assert f'filename="{document.sha256}.pdf"' in download["Content-Disposition"]
    assert other_client.get(f"/app/documents/{document.pk}/file/").status_code == 404


def test_a_file_already_in_the_registry_is_refused_in_plain_words(sme_client, other_client, other, sme, project):
    content = pdf("one bill")
    theirs = project_for(other.organization, category="solar", country="IN")
    first = other_client.post(
        "/app/claims/",
        claim_form(theirs, evidence_reference="THEIRS-1", evidence_file=SimpleUploadedFile("a.pdf", content)),
    )
    assert first.status_code == 302

    response = sme_client.post("/app/claims/", claim_form(project, evidence_file=SimpleUploadedFile("b.pdf", content)))

    assert response.status_code == 409
    html = response.content.decode()
    assert "This exact file is already in the registry" in html
    assert hashlib.sha256(content).hexdigest()[:16] in html
    assert not ReductionClaim.objects.filter(project=project).exists()
    assert Document.objects.filter(owner=sme.organization).count() == 0


@pytest.mark.parametrize(
    ("content", "status", "message"),
    [
        (b"", 400, "The file is empty."),
        (b"MZ\x90\x00 not a document", 415, "Only PDF, PNG, JPEG and CSV files are accepted"),
    ],
)
def test_an_unusable_file_is_refused_and_no_claim_is_stored(sme_client, project, content, status, message):
    response = sme_client.post(
        "/app/claims/", claim_form(project, evidence_file=SimpleUploadedFile("x.pdf", content, "application/pdf"))
    )

    assert response.status_code == status
    assert message in response.content.decode()
    assert not ReductionClaim.objects.exists() and not Document.objects.exists()


def test_a_file_above_the_limit_is_413(sme_client, project, settings):
    settings.DOCUMENT_MAX_BYTES = 100

    response = sme_client.post(
        "/app/claims/", claim_form(project, evidence_file=SimpleUploadedFile("big.pdf", PDF + b"%" * 200))
    )

    assert response.status_code == 413
    assert "The file is larger than 100 bytes." in response.content.decode()
    assert not ReductionClaim.objects.exists() and not Document.objects.exists()


def test_a_bad_claim_stores_no_file(sme_client, project):
    response = sme_client.post(
        "/app/claims/",
        claim_form(project, evidence_quantity="", evidence_file=SimpleUploadedFile("m.pdf", pdf("kept out"))),
    )

    assert response.status_code == 400
    assert "A valid number is required." in response.content.decode()
    assert not Document.objects.exists() and not ReductionClaim.objects.exists()


def test_a_file_stored_before_a_refusal_is_offered_for_the_next_try(sme_client, sme, project):
    # The shape is right, the service refuses (the period has not ended): the file is kept, chosen.
    today = timezone.localdate()
    response = sme_client.post(
        "/app/claims/",
        claim_form(
            project,
            period_end=today.isoformat(),
            evidence_period_end=today.isoformat(),
            evidence_file=SimpleUploadedFile("kept.pdf", pdf("kept for the next try")),
        ),
    )

    assert response.status_code == 400
    document = Document.objects.get(owner=sme.organization)
    html = response.content.decode()
    assert "the monitoring period must have ended" in html
    assert f'<option value="{document.pk}" selected>kept.pdf' in html

    again = sme_client.post("/app/claims/", claim_form(project, evidence_document=str(document.pk)))
    assert again.status_code == 302
    assert ReductionClaim.objects.get(project=project).evidence.get().document == document


def test_another_organisations_document_cannot_back_a_claim(sme_client, other, project):
    from documents.services import document_upload
    from tests.accounts.factories import UserFactory

    uploader = UserFactory.create(organization=other.organization)
    theirs = document_upload(
        owner=other.organization,
        uploaded_by=uploader,
        kind="meter_reading",
        upload=SimpleUploadedFile("t.pdf", pdf("theirs")),
    )

    response = sme_client.post("/app/claims/", claim_form(project, evidence_document=str(theirs.pk)))

    assert response.status_code == 400
    assert "No such document of your organisation." in response.content.decode()
    assert not ReductionClaim.objects.exists()


def test_a_solar_claim_takes_its_generation_from_the_sites_readings(sme_client, sme):
    site = SiteFactory.create(owner=sme.organization, country="IN", meter_ids=["MSEDCL-170010012345"])
    project = project_for(sme.organization, category="solar", country="IN", site=site)
    rows = hourly_pv(float(site.latitude), float(site.longitude), 50, date(2024, 3, 1), date(2024, 3, 31))
    csv = "meter_id,unit,start,end,value\n" + "".join(
        f"MSEDCL-170010012345,kWh,{a.isoformat()},{b.isoformat()},{v:.3f}\n" for a, b, v in rows
    )
    stored = sme_client.post(f"/app/sites/{site.pk}/readings/", {"file": SimpleUploadedFile("r.csv", csv.encode())})
    assert stored.status_code == 302 and Reading.objects.count() == len(rows)

    response = sme_client.post(
        "/app/claims/",
        {
            "project": str(project.pk),
            "period_start": "2024-03-01",
            "period_end": "2024-03-31",
            "capacity_kwp": "50",
            "source": "readings",
        },
    )

    claim = ReductionClaim.objects.get(project=project)
    assert response.status_code == 302
    assert claim.parameters["source"] == "readings"
    assert float(claim.parameters["generation_kwh"]) == pytest.approx(sum(v for _, _, v in rows), abs=0.01)


def test_a_readings_claim_without_readings_names_the_field(sme_client, sme):
    site = SiteFactory.create(owner=sme.organization, country="IN", meter_ids=["MSEDCL-170010012345"])
    project = project_for(sme.organization, category="solar", country="IN", site=site)

    response = sme_client.post(
        "/app/claims/",
        {
            "project": str(project.pk),
            "period_start": "2024-03-01",
            "period_end": "2024-03-31",
            "capacity_kwp": "50",
            "source": "readings",
        },
    )

    assert response.status_code == 400
    assert "No readings of the site&#x27;s meters are stored for 2024-03-01..2024-03-31." in response.content.decode()
    assert not ReductionClaim.objects.exists()


def test_verifiers_read_only_files_that_back_a_claim_or_request(sme, verifier_session):
    from documents.services import document_upload

    unsent = document_upload(
        owner=sme.organization, uploaded_by=sme, kind="invoice", upload=SimpleUploadedFile("i.pdf", pdf("unsent"))
    )

    assert verifier_session.get(f"/app/documents/{unsent.pk}/file/").status_code == 404
    assert verifier_session.get("/app/documents/999999/file/").status_code == 404
