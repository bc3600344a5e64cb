import datetime

import factory

from certificates.facts import CertificateFacts, CheckpointFacts
from certificates.services import retirement_create


class CertificateFactsFactory(factory.Factory[CertificateFacts]):
    """Plain certificate facts for the PDF and page renderers; no database involved."""

    class Meta:
        model = CertificateFacts

    public_id = factory.Sequence(lambda n: f"pub{n:04d}Xy3k9PqLmN0aBcDe")
    public_url = factory.LazyAttribute(lambda o: f"https://carboncred.example/certificates/{o.public_id}/")
    serial_start = 1001
    quantity_kg = 1250
    serial_end = factory.LazyAttribute(lambda o: o.serial_start + o.quantity_kg - 1)
    serial = factory.LazyAttribute(lambda o: f"CC-IN-000042-2025-{o.serial_start}-{o.serial_end}")
    beneficiary = "Acme Widgets Pvt Ltd"
    reason = "Offsetting the 2025 scope 2 emissions of the Pune plant"
    retired_by = "Acme Widgets Pvt Ltd"
    retired_at = datetime.datetime(2026, 3, 14, 9, 26, 53, tzinfo=datetime.UTC)
    project_title = "Factory roof 120 kWp"
    project_category = "Rooftop / grid solar"
    project_country = "India (IN)"
    vintage = 2025
    methodology = "Grid-connected solar, combined-margin factor (CEA v19)"
    screening_version = "screening-2026.1"
    entry_seq = 1234
    entry_hash = "3f" * 32
    checkpoint = factory.LazyFunction(lambda: CheckpointFacts(size=1240, root="9c" * 32))


def retire(*, organization, block, quantity_kg=None, beneficiary="Acme Widgets Pvt Ltd", reason="2025 scope 2"):
    """A certificate made the way the API makes it: through the retirement service."""
    return retirement_create(
        organization=organization,
        block_id=block.pk,
        quantity_kg=block.quantity_kg if quantity_kg is None else quantity_kg,
        beneficiary=beneficiary,
        reason=reason,
    )
