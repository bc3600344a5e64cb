"""Two organisations with one of everything each, built through the services: A attacks, B owns."""

import uuid
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from documents.services import document_upload
from marketplace.services import listing_buy, listing_create, transfer_create
from reports.services import ghg_pdf_issue
from tests.accounts.factories import UserFactory
from tests.certificates.factories import retire
from tests.conftest import client_for
from tests.emissions.factories import EmissionReportFactory
from tests.ledger.factories import issue
from tests.verification.factories import project_for
from tests.verification.test_claims_api import solar_body

MISSING_ID = 10**12  # an integer id no row has
MISSING_UUID = uuid.UUID(int=1)


@dataclass
class World:
    a: User  # the attacker: a member of another organisation, with objects of its own
    b: User  # the owner of every object below
    c: User  # a third organisation B trades with
    project: int
    claim: int
    report: int
    block: int  # available, so B could list, transfer or retire from it
    listing: int  # B's open listing
    order: uuid.UUID  # B bought from C: A has no part in it
    transfer: uuid.UUID  # B gave to C
    certificate: int
    issued_report: int  # B's GHG statement PDF as the registry recorded it
    site: int  # the site of B's project
    document: int  # an evidence file B uploaded


@pytest.fixture
def world(db) -> World:
    a, b, c = UserFactory.create(), UserFactory.create(), UserFactory.create()
    A, B, C = a.organization, b.organization, c.organization

    project = project_for(B)
    claim = client_for(b).post("/api/reduction-data/", solar_body(project), format="json")
    assert claim.status_code == 201, claim.content
    report = EmissionReportFactory.create(organization=B)
    block = issue(owner=B, quantity_kg=20_000).owner_block.pk
    listing = listing_create(seller=B, block_id=block, quantity_kg=2_000, price_per_tonne=Decimal("10.00"))
    certificate = retire(organization=B, block=issue(owner=B).owner_block)
    transfer = transfer_create(sender=B, block_id=block, quantity_kg=500, to_organization_id=C.pk)
    sold_by_c = listing_create(
        seller=C, block_id=issue(owner=C).owner_block.pk, quantity_kg=800, price_per_tonne=Decimal("8.00")
    )
    order = listing_buy(buyer=B, listing_id=sold_by_c.pk, quantity_kg=300)
    issued_report = ghg_pdf_issue(organization=B, year=2025).report

    # A has a life of its own, so its lists are not empty by default.
    own = project_for(A)
    client_for(a).post("/api/reduction-data/", solar_body(own, prefix="A-MTR"), format="json")
    EmissionReportFactory.create(organization=A)
    ghg_pdf_issue(organization=A, year=2025)
    retire(organization=A, block=issue(owner=A).owner_block, quantity_kg=100)
    document = document_upload(
        owner=B, uploaded_by=b, kind="invoice", upload=SimpleUploadedFile("bill.pdf", b"%PDF-1.4 B's own bill\n")
    )
    document_upload(
        owner=A, uploaded_by=a, kind="invoice", upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4 A's own bill\n")
    )

    return World(
        a=a,
        b=b,
        c=c,
        project=project.pk,
        claim=claim.json()["id"],
        report=report.pk,
        block=block,
        listing=listing.pk,
        order=order.pk,
        transfer=transfer.pk,
        certificate=certificate.pk,
        issued_report=issued_report.pk,
        site=project.site_id,
        document=document.pk,
    )
