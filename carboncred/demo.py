"""Demo data: a few SMEs, their projects, claims, credits, trades and certificates, made through the services.

Nothing here writes a ledger table or a claim directly: every body goes through the API's input
serializer and then the service the API calls, so the demo registry is one the API could have built
(the ledger verifies, replay agrees, screening decided every claim). ``manage.py seed_demo`` runs it.

Every demo organisation asks to be verified with an uploaded register extract and the demo verifier
verifies it; every project runs at a registered site with its meter; every evidence item cites an
uploaded document (a CSV per month), whose SHA-256 the issuance's ledger entry records. Claims are for
the last full calendar year, with the year before as the efficiency baselines' (in the books too).
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.members import invitation_accept, invitation_create
from accounts.models import VERIFIERS_GROUP, Organization, User, registry_operator
from accounts.roles import Role
from accounts.serializers import MeUpdateInputSerializer
from accounts.services import organization_verify, profile_update, user_register
from certificates.services import retirement_create
from documents.models import Document
from documents.services import document_upload, organization_verification_submit
from emissions.serializers import EmissionReportCreateInputSerializer
from emissions.services import emission_report_check, emission_report_create
from marketplace.serializers import BuyInputSerializer, ListingCreateInputSerializer, TransferCreateInputSerializer
from marketplace.services import listing_buy, listing_create, transfer_create
from payments.services import bank_account_set, payout_mark_paid, payout_request, top_up_confirm, top_up_request
from projects.serializers import ProjectCreateInputSerializer
from projects.services import project_create
from reports.services import ghg_pdf_issue
from sites.serializers import SiteCreateInputSerializer
from sites.services import site_create
from verification.models import ReductionClaim
from verification.serializers import claim_submission_parse
from verification.services import claim_submit

DEMO_DOMAIN = "demo.carboncred.example"
# One password for every demo login, printed by seed_demo: these accounts exist to be tried.
DEMO_PASSWORD = "demo-only-carboncred"  # noqa: S105 - published on purpose, demo accounts only
PUBLISHED_STATEMENT = "bakery"  # whose GHG statement for the demo year is issued and published
# Monthly shape of PV output north of the tropics (Jan..Dec): metered evidence follows the sun.
NORTHERN_SOLAR = (3, 5, 8, 11, 13, 13, 13, 11, 9, 6, 4, 3)
EVEN = (1,) * 12


def demo_year() -> int:
    """The demo's monitoring year: the last full calendar year (claims are ex post, and recent)."""
    return timezone.localdate().year - 1


def demo_period() -> tuple[str, str]:
    year = demo_year()
    return f"{year}-01-01", f"{year}-12-31"


@dataclass(frozen=True)
class DemoSite:
    name: str
    latitude: str
    longitude: str
    address: str
    meter_ids: tuple[str, ...] = ()
    capacity_kw: str | None = None


@dataclass(frozen=True)
class DemoProject:
    key: str  # names the project within the demo (claims, listings and retirements refer to it)
    title: str
    category: str
    description: str
    parameters: dict[str, Any]
    evidence_kind: str
    evidence_unit: str
    evidence_total: int
    expected: str  # the screening decision the demo relies on (the tests check it still comes out)
    site: DemoSite
    shape: tuple[int, ...] = EVEN


@dataclass(frozen=True)
class DemoOrganization:
    login: str  # the part before @DEMO_DOMAIN
    name: str
    country: str
    sector: str
    person: str
    registration_number: str  # fictitious, in the country's format
    emissions: tuple[dict[str, Any], ...]
    # The year before: the books efficiency baselines are held to.
    baseline_emissions: tuple[dict[str, Any], ...]
    projects: tuple[DemoProject, ...] = field(default=())
    # Headcount, annual revenue and its currency (illustrative), for the GHG statement's intensities.
    size: tuple[int, str, str] | None = None


ORGANIZATIONS = (
    DemoOrganization(
        login="sunrise",
        size=(120, "450000000", "INR"),
        name="Sunrise Textiles Pvt Ltd",
        country="IN",
        sector="textiles",
        person="Priya Sharma",
        registration_number="U17100MH2009PTC123456",
        emissions=(
            {"activity": "electricity", "quantity": "420000", "unit": "kWh"},
            {"activity": "diesel", "quantity": "6000", "unit": "litres"},
            {"activity": "waste_landfill", "quantity": "18000", "unit": "kg"},
        ),
        baseline_emissions=(
            {"activity": "electricity", "quantity": "480000", "unit": "kWh"},
            {"activity": "diesel", "quantity": "6500", "unit": "litres"},
        ),
        projects=(
            DemoProject(
                key="sunrise_solar",
                title="Pune factory rooftop, 50 kWp",
                category="solar",
                description="Rooftop PV on the weaving shed, grid-connected, metered monthly.",
                parameters={"capacity_kwp": 50, "generation_kwh": 70_000},
                evidence_kind="meter_reading",
                evidence_unit="kWh",
                evidence_total=70_000,
                shape=NORTHERN_SOLAR,
                expected="approved",
                site=DemoSite(
                    "Pune factory, weaving shed",
                    "18.520400",
                    "73.856700",
                    "Plot 12, Bhosari MIDC, Pune 411026",
                    ("MSEDCL-170010012345",),
                    "50",
                ),
            ),
            DemoProject(
                key="sunrise_motors",
                title="Variable-speed drives on the looms",
                category="energy_efficiency",
                description="VSDs on 40 loom motors; consumption from the plant's utility bills.",
                parameters={
                    "measure": "motor",
                    "energy_carrier": "electricity",
                    "baseline_kwh": 200_000,
                    "post_kwh": 140_000,
                },
                evidence_kind="utility_bill",
                evidence_unit="kWh",
                evidence_total=140_000,
                expected="approved",
                site=DemoSite(
                    "Pune factory, loom hall 2",
                    "18.522200",
                    "73.856700",
                    "Plot 14, Bhosari MIDC, Pune 411026",
                    ("MSEDCL-170010067890",),
                ),
            ),
        ),
    ),
    DemoOrganization(
        login="bakery",
        size=(38, "3200000", "GBP"),
        name="Thames Valley Bakery Ltd",
        country="GB",
        sector="food",
        person="Oliver Hughes",
        registration_number="08123456",
        emissions=(
            {"activity": "electricity", "quantity": "95000", "unit": "kWh"},
            {"activity": "natural_gas", "quantity": "180000", "unit": "kWh"},
            {"activity": "car", "quantity": "42000", "unit": "km"},
        ),
        baseline_emissions=(
            {"activity": "electricity", "quantity": "160000", "unit": "kWh"},
            {"activity": "natural_gas", "quantity": "250000", "unit": "kWh"},
        ),
        projects=(
            DemoProject(
                key="bakery_heat_pump",
                title="Proving room: gas boiler to heat pump",
                category="fuel_switch",
                description="An air-source heat pump replaced the gas boiler heating the proving room.",
                parameters={
                    "baseline_fuel": "natural_gas",
                    "baseline_quantity": 100_000,
                    "unit": "kWh",
                    "new_fuel": "electricity",
                    "new_quantity": 28_000,
                },
                evidence_kind="utility_bill",
                evidence_unit="kWh",
                evidence_total=28_000,
                expected="approved",
                site=DemoSite(
                    "Reading bakehouse",
                    "51.454300",
                    "-0.978100",
                    "4 Kennet Side, Reading RG1 3DW",
                    ("1200023305967",),
                ),
            ),
            DemoProject(
                key="bakery_hvac",
                title="Shop HVAC controls upgrade",
                category="energy_efficiency",
                description="New HVAC controls across three shops; a saving large enough for a verifier to look at.",
                parameters={
                    "measure": "hvac",
                    "energy_carrier": "electricity",
                    "baseline_kwh": 100_000,
                    "post_kwh": 30_000,
                },
                evidence_kind="utility_bill",
                evidence_unit="kWh",
                evidence_total=30_000,
                expected="needs_review",
                site=DemoSite(
                    "Oxford shop",
                    "51.752000",
                    "-1.257700",
                    "21 Cornmarket Street, Oxford OX1 3EY",
                    ("1200098765432",),
                ),
            ),
        ),
    ),
    DemoOrganization(
        login="rheinwerk",
        size=(65, "9800000", "EUR"),
        name="Rheinwerk Metallbau GmbH",
        country="DE",
        sector="metalworking",
        person="Jonas Becker",
        registration_number="HRB 12345",
        emissions=(
            {"activity": "electricity", "quantity": "310000", "unit": "kWh"},
            {"activity": "natural_gas", "quantity": "260000", "unit": "kWh"},
            {"activity": "flight_short_haul", "quantity": "24000", "unit": "passenger-km"},
        ),
        baseline_emissions=(
            {"activity": "electricity", "quantity": "320000", "unit": "kWh"},
            {"activity": "natural_gas", "quantity": "330000", "unit": "kWh"},
        ),
        projects=(
            DemoProject(
                key="rheinwerk_insulation",
                title="Workshop roof insulation",
                category="energy_efficiency",
                description="Insulated the workshop roof; gas for space heating from the supplier's bills.",
                parameters={
                    "measure": "insulation",
                    "energy_carrier": "natural_gas",
                    "baseline_kwh": 300_000,
                    "post_kwh": 240_000,
                },
                evidence_kind="utility_bill",
                evidence_unit="kWh",
                evidence_total=240_000,
                expected="approved",
                site=DemoSite(
                    "Duisburg workshop",
                    "51.434400",
                    "6.762300",
                    "Hafenstraße 8, 47119 Duisburg",
                    ("DE0001234567890000000000000000001",),
                ),
            ),
            DemoProject(
                key="rheinwerk_solar",
                title="Hall 2 rooftop, 30 kWp",
                category="solar",
                description="Claims three times what 30 kWp can produce in Germany: screening rejects it.",
                parameters={"capacity_kwp": 30, "generation_kwh": 90_000},
                evidence_kind="meter_reading",
                evidence_unit="kWh",
                evidence_total=90_000,
                shape=NORTHERN_SOLAR,
                expected="rejected",
                site=DemoSite(
                    "Duisburg hall 2",
                    "51.436200",
                    "6.762300",
                    "Hafenstraße 12, 47119 Duisburg",
                    ("DE0001234567890000000000000000002",),
                    "30",
                ),
            ),
        ),
    ),
    DemoOrganization(
        login="lonestar",
        size=(22, "2900000", "USD"),
        name="Lone Star Print Co.",
        country="US",
        sector="printing",
        person="Maria Lopez",
        registration_number="802345678",
        emissions=(
            {"activity": "electricity", "quantity": "150000", "unit": "kWh"},
            {"activity": "natural_gas", "quantity": "40000", "unit": "kWh"},
            {"activity": "waste_landfill", "quantity": "9000", "unit": "kg"},
        ),
        baseline_emissions=({"activity": "electricity", "quantity": "155000", "unit": "kWh"},),
        projects=(
            DemoProject(
                key="lonestar_paper",
                title="Paper offcut recycling",
                category="recycling",
                description="Offcuts and misprints go to a paper mill instead of landfill; weighbridge tickets.",
                parameters={"material": "paper", "mass_kg": 12_000},
                evidence_kind="weighbridge_ticket",
                evidence_unit="kg",
                evidence_total=12_000,
                expected="approved",
                site=DemoSite("Austin print works", "30.267200", "-97.743100", "1100 E 5th St, Austin, TX 78702"),
            ),
        ),
    ),
    DemoOrganization(
        login="nairobi",
        size=(45, "180000000", "KES"),
        name="Nairobi Fresh Produce Ltd",
        country="KE",
        sector="agriculture",
        person="Wanjiru Kamau",
        registration_number="PVT-9XUZK7Q",
        emissions=(
            {"activity": "electricity", "quantity": "60000", "unit": "kWh"},
            {"activity": "diesel", "quantity": "4000", "unit": "litres"},
        ),
        baseline_emissions=(
            {"activity": "electricity", "quantity": "58000", "unit": "kWh"},
            {"activity": "diesel", "quantity": "14000", "unit": "litres"},
        ),
        projects=(
            DemoProject(
                key="nairobi_cold_store",
                title="Cold store: diesel generator to solar",
                category="fuel_switch",
                description="Solar with storage replaced the diesel generator that ran the cold store.",
                parameters={
                    "baseline_fuel": "diesel",
                    "baseline_quantity": 10_000,
                    "unit": "litres",
                    "new_fuel": "solar",
                    "new_quantity": 30_000,
                },
                evidence_kind="meter_reading",
                evidence_unit="kWh",
                evidence_total=30_000,
                expected="approved",
                site=DemoSite(
                    "Limuru cold store",
                    "-1.110000",
                    "36.642000",
                    "Limuru Road, Kiambu County",
                    ("INV-PV-7781",),
                    "25",
                ),
            ),
            DemoProject(
                key="nairobi_packhouse_solar",
                title="Packhouse rooftop, 40 kWp",
                category="solar",
                description="Rooftop PV on the packhouse near the equator: flat output all year.",
                parameters={"capacity_kwp": 40, "generation_kwh": 64_000},
                evidence_kind="meter_reading",
                evidence_unit="kWh",
                evidence_total=64_000,
                expected="approved",
                site=DemoSite(
                    "Nairobi packhouse",
                    "-1.290000",
                    "36.820000",
                    "Enterprise Road, Industrial Area, Nairobi",
                    ("KPLC-2233445566",),
                    "40",
                ),
            ),
        ),
    ),
)

# The market, in order. A "block" names credits by where they came from: a project key (the owner's
# block issued for its claim) or a trade key (the block the buyer received).
# (listing key, seller, block, kg, price per tonne, currency)
LISTINGS = (
    ("sunrise_solar_offer", "sunrise", "sunrise_solar", 20_000, "12.50", "USD"),
    ("sunrise_motors_offer", "sunrise", "sunrise_motors", 15_000, "9.00", "USD"),
    ("nairobi_cold_store_offer", "nairobi", "nairobi_cold_store", 10_000, "14.00", "USD"),
    ("nairobi_packhouse_offer", "nairobi", "nairobi_packhouse_solar", 20_000, "11.75", "USD"),
    ("rheinwerk_insulation_offer", "rheinwerk", "rheinwerk_insulation", 5_000, "18.00", "EUR"),
)
# (trade key, buyer, listing key, kg); the cold-store offer sells out.
TRADES = (
    ("bakery_buys_solar", "bakery", "sunrise_solar_offer", 5_000),
    ("lonestar_buys_cold_store", "lonestar", "nairobi_cold_store_offer", 10_000),
    ("rheinwerk_buys_packhouse", "rheinwerk", "nairobi_packhouse_offer", 2_000),
)
# (organisation, amount, currency): bank transfers the demo's staff confirmed, before anything was issued
# or bought, so minting fees and purchases are paid from them (payments.services, journal entries).
TOP_UPS = (
    ("sunrise", "50.00", "USD"),
    ("bakery", "250.00", "USD"),
    ("rheinwerk", "150.00", "USD"),
    ("rheinwerk", "200.00", "EUR"),
    ("lonestar", "400.00", "USD"),
    ("nairobi", "25.00", "USD"),
)
# A transfer announced and not yet arrived (the balance page shows it pending).
PENDING_TOP_UP = ("bakery", "120.00", "GBP")
# (organisation, holder, account number, bank code): where sellers' payouts go.
BANK_ACCOUNTS = (
    ("nairobi", "Nairobi Fresh Produce Ltd", "01100 9876 5432 10", "KCBLKENX"),
    ("sunrise", "Sunrise Textiles Pvt Ltd", "50200012345678", "HDFC0000123"),
)
# (organisation, amount, paid?): a seller taking its proceeds out; one paid, one waiting for staff.
PAYOUTS = (
    ("nairobi", "100.00", True),
    ("nairobi", "20.00", False),
)
# (sender, block, kg, recipient): a supplier passing credits to a customer, no money involved.
TRANSFERS = (
    ("sunrise", "sunrise_motors", 2_000, "bakery"),
    ("nairobi", "nairobi_packhouse_solar", 1_500, "lonestar"),
)
# (organisation, block, kg, beneficiary, reason): retired for a certificate.
RETIREMENTS = (
    ("sunrise", "sunrise_solar", 1_000, "Sunrise Textiles Pvt Ltd", "Our 2024 scope 2 electricity, in part"),
    ("lonestar", "lonestar_paper", 2_500, "Lone Star Print Co.", "Offsetting part of our 2024 scope 1 and 2 emissions"),
    ("lonestar", "lonestar_buys_cold_store", 4_000, "Lone Star Print Co.", "Our 2024 delivery fleet"),
    ("bakery", "bakery_buys_solar", 3_000, "Thames Valley Bakery Ltd", "Carbon-neutral bread, 2024 bakes"),
)


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str
    organization: str


VIEWER_LOGIN = "viewer"


def demo_email(login: str) -> str:
    return f"{login}@{DEMO_DOMAIN}"


def demo_logins() -> list[DemoLogin]:
    logins = [DemoLogin(demo_email(org.login), "SME owner", f"{org.name} ({org.country})") for org in ORGANIZATIONS]
    first = ORGANIZATIONS[0]
    logins.append(DemoLogin(demo_email(VIEWER_LOGIN), "SME viewer (reads, changes nothing)", first.name))
    operator = "the registry operator"
    logins.append(DemoLogin(demo_email("verifier"), "verifier (API review queue, admin review actions)", operator))
    logins.append(DemoLogin(demo_email("admin"), "superuser (/admin/)", operator))
    return logins


def demo_is_seeded() -> bool:
    return User.objects.filter(email__in=[login.email for login in demo_logins()]).exists()


def non_demo_organizations() -> list[Organization]:
    """Member organisations the demo did not make (the registry's own organisations do not count).
    A demo organisation has a demo name and a demo login; a real one merely named alike is not one."""
    demo = Organization.objects.filter(
        name__in=[org.name for org in ORGANIZATIONS], users__email__endswith=f"@{DEMO_DOMAIN}"
    ).values("pk")
    return list(Organization.objects.filter(kind=Organization.Kind.MEMBER).exclude(pk__in=demo))


def site_solar_shape(site: "DemoSite") -> tuple[int, ...]:
    """The site's climatological monthly PV shares in thousandths (``verification.engine.climatology``)."""
    from verification.engine import climatology

    climate = climatology.site_climate(float(site.latitude), float(site.longitude))
    return tuple(round(share * 1000) for share in climate.monthly_shares)


def _months(year: int, total: int, weights: tuple[int, ...]) -> list[tuple[str, str, int]]:
    """(first day, last day, quantity) of each month of ``year``, the quantities adding up to ``total``."""
    parts = [total * weight // sum(weights) for weight in weights]
    parts[-1] += total - sum(parts)
    spans = []
    for month, quantity in enumerate(parts, start=1):
        last_day = (date(year + month // 12, month % 12 + 1, 1) - date.resolution).day
        spans.append((f"{year}-{month:02d}-01", f"{year}-{month:02d}-{last_day:02d}", quantity))
    return spans


def monthly_evidence(
    project: DemoProject, *, prefix: str, year: int, total: int | None = None, weights: tuple[int, ...] | None = None
) -> list[dict[str, str]]:
    """One document per month of ``year``, adding up exactly to the project's total (or ``total``). A solar
    site's meter follows its climate (the site climatology's monthly shares)."""
    items = []
    if weights is None and project.category == "solar" and project.site is not None:
        weights = site_solar_shape(project.site)
    for first, last, quantity in _months(year, project.evidence_total if total is None else total,
                                         project.shape if weights is None else weights):  # fmt: skip
        items.append(
            {
                "kind": project.evidence_kind,
                "period_start": first,
                "period_end": last,
                "quantity": str(quantity),
                "unit": project.evidence_unit,
                "reference": f"{prefix}-{first[:7]}",
            }
        )
    return items


def _upload(user: User, *, kind: str, name: str, content: bytes) -> Document:
    return document_upload(
        owner=user.organization,
        uploaded_by=user,
        kind=kind,
        upload=SimpleUploadedFile(name, content, content_type="application/octet-stream"),
    )


def _evidence_documents(user: User, site: DemoSite, items: list[dict[str, Any]]) -> None:
    """An uploaded CSV behind each evidence item (the month's meter export or bill lines): unique bytes,
    so each is stored once and its SHA-256 goes into the issuance's ledger entry."""
    meter = site.meter_ids[0] if site.meter_ids else "weighbridge"
    for item in items:
        rows = f"meter_id,unit,start,end,value\n{meter},{item['unit']},{item['period_start']},{item['period_end']},"
        content = f"{rows}{item['quantity']}\n# {item['reference']} ({user.organization.name})\n".encode()
        document = _upload(user, kind=item["kind"], name=f"{item['reference']}.csv", content=content)
        item["document"] = document.pk


def _registration_extract(org: "DemoOrganization") -> bytes:
    """A (fictitious) company register extract, as the PDF an SME would upload."""
    text = f"Company register extract: {org.name}, {org.country}, registration number {org.registration_number}"
    return f"%PDF-1.4\n% CarbonCred demo document\n% {text}\n%%EOF\n".encode()


def _valid(serializer_class, data: dict[str, Any]) -> dict[str, Any]:
    """The API's own validation of a demo body: a typo in the table fails loudly, naming the field."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


@dataclass
class DemoSummary:
    organizations: int = 0
    projects: int = 0
    claims: dict[str, int] = field(default_factory=dict)
    emission_reports: int = 0
    listings: int = 0
    orders: int = 0
    transfers: int = 0
    certificates: int = 0
    statements: int = 0


@transaction.atomic
def demo_seed() -> DemoSummary:
    """Create the demo registry in one transaction: all of it, or (on any error) nothing."""
    summary = DemoSummary()
    users: dict[str, User] = {}
    claims: dict[str, ReductionClaim] = {}
    verifier = _demo_staff()
    year = demo_year()
    period, baseline_period = demo_period(), (f"{year - 1}-01-01", f"{year - 1}-12-31")
    for org in ORGANIZATIONS:
        user = _demo_member(org, verifier=verifier)
        users[org.login] = user
        summary.organizations += 1
    _demo_funds(users=users, staff=verifier)
    for org in ORGANIZATIONS:
        user = users[org.login]
        if org.size is not None:
            employees, revenue, currency = org.size
            size = {"employees": employees, "annual_revenue": revenue, "revenue_currency": currency}
            profile_update(user=user, **_valid(MeUpdateInputSerializer, {"organization": size}))
        for lines, (first, last) in ((org.baseline_emissions, baseline_period), (org.emissions, period)):
            activity = _valid(
                EmissionReportCreateInputSerializer, {"period_start": first, "period_end": last, "lines": list(lines)}
            )
            report = emission_report_create(organization=user.organization, **activity)
            emission_report_check(organization=user.organization, report_id=report.pk)
            summary.emission_reports += 1
        for demo in org.projects:
            site_body = {
                "name": demo.site.name,
                "country": org.country,
                "latitude": demo.site.latitude,
                "longitude": demo.site.longitude,
                "address": demo.site.address,
                "meter_ids": list(demo.site.meter_ids),
                "capacity_kw": demo.site.capacity_kw,
            }
            site = site_create(owner=user.organization, **_valid(SiteCreateInputSerializer, site_body))
            body: dict[str, Any] = {
                "title": demo.title,
                "description": demo.description,
                "category": demo.category,
                "country": org.country,
                "start_date": f"{year - 2}-01-01",
                "site": site.pk,
            }
            project = project_create(owner=user.organization, **_valid(ProjectCreateInputSerializer, body))
            summary.projects += 1
            prefix = demo.key.upper().replace("_", "-")
            evidence = monthly_evidence(demo, prefix=prefix, year=year)
            if demo.category == "energy_efficiency":  # the baseline year's bills too
                evidence += monthly_evidence(
                    demo, prefix=f"{prefix}-BASE", year=year - 1, total=demo.parameters["baseline_kwh"], weights=EVEN
                )
            _evidence_documents(user, demo.site, evidence)
            claim_body = {
                "project": project.pk,
                "period_start": period[0],
                "period_end": period[1],
                "parameters": demo.parameters,
                "evidence": evidence,
            }
            claim = claim_submit(
                submitted_by=user, **claim_submission_parse(claim_body, organization_id=user.organization_id)
            )
            claims[demo.key] = claim
            summary.claims[claim.status] = summary.claims.get(claim.status, 0) + 1

    _demo_people(users)
    blocks = {key: claim.issuance.owner_block_id for key, claim in claims.items() if hasattr(claim, "issuance")}
    _demo_market(users=users, blocks=blocks, summary=summary)
    _demo_payouts(users=users, staff=verifier)
    for login, block, quantity_kg, beneficiary, reason in RETIREMENTS:
        retirement_create(
            organization=users[login].organization,
            block_id=blocks[block],
            quantity_kg=quantity_kg,
            beneficiary=beneficiary,
            reason=reason,
        )
        summary.certificates += 1
    # One SME has published its GHG statement for the demo year, so /reports/verify/ has a document to confirm.
    ghg_pdf_issue(organization=users[PUBLISHED_STATEMENT].organization, year=year, public=True)
    summary.statements += 1

    return summary


def _demo_member(org: DemoOrganization, *, verifier: User) -> User:
    """Sign the SME up, ask for verification with its register extract, and have the verifier verify it."""
    user = user_register(
        email=demo_email(org.login),
        password=DEMO_PASSWORD,
        organization_name=org.name,
        country=org.country,
        sector=org.sector,
        website=f"https://{org.login}.{DEMO_DOMAIN}",
    )
    user.full_name = org.person
    user.save(update_fields=["full_name"])
    extract = _upload(
        user, kind=Document.Kind.REGISTRATION_EXTRACT, name="register-extract.pdf", content=_registration_extract(org)
    )
    organization_verification_submit(
        user=user, legal_name=org.name, registration_number=org.registration_number, documents=[extract.pk]
    )
    organization_verify(
        organization_id=user.organization_id, reviewer=verifier, note="Register extract checked (demo)."
    )
    user.organization.refresh_from_db()
    return user


def _demo_people(users: dict[str, User]) -> None:
    """A viewer who joined the first SME by invitation (a demo login), and an invitation another SME
    has sent that waits for its answer."""
    first, second = users[ORGANIZATIONS[0].login], users[ORGANIZATIONS[1].login]
    _invitation, token = invitation_create(actor=first, email=demo_email(VIEWER_LOGIN), role=Role.VIEWER)
    invitation_accept(token=token, password=DEMO_PASSWORD, full_name="Demo Viewer")
    invitation_create(actor=second, email=f"accountant@{DEMO_DOMAIN}", role=Role.VIEWER)


def _demo_funds(*, users: dict[str, User], staff: User) -> None:
    """Top-ups by bank transfer, confirmed by the demo's staff as an operator would; one still pending."""
    for login, amount, currency in TOP_UPS:
        user = users[login]
        top_up = top_up_request(
            organization=user.organization, user=user, amount=Decimal(amount), currency=currency, method="bank_transfer"
        )
        top_up_confirm(top_up_id=top_up.pk, confirmed_by=staff)
    login, amount, currency = PENDING_TOP_UP
    top_up_request(
        organization=users[login].organization,
        user=users[login],
        amount=Decimal(amount),
        currency=currency,
        method="bank_transfer",
    )


def _demo_payouts(*, users: dict[str, User], staff: User) -> None:
    """Sellers' bank accounts and payouts of their proceeds, one paid by staff."""
    for login, holder, number, code in BANK_ACCOUNTS:
        bank_account_set(
            organization=users[login].organization, holder_name=holder, account_number=number, bank_code=code
        )
    for login, amount, paid in PAYOUTS:
        payout = payout_request(
            organization=users[login].organization, user=users[login], amount=Decimal(amount), currency="USD"
        )
        if paid:
            payout_mark_paid(payout_id=payout.pk, decided_by=staff, bank_reference="DEMO-TRANSFER-0001")


def _demo_market(*, users: dict[str, User], blocks: dict[str, int], summary: DemoSummary) -> None:
    """Listings, trades and transfers, each body validated as the API validates it; ``blocks`` gains
    the buyers' new blocks under their trade keys."""
    listings = {}
    for key, seller, block, quantity_kg, price, currency in LISTINGS:
        body = {"block": blocks[block], "quantity_kg": quantity_kg, "price_per_tonne": price, "currency": currency}
        data = _valid(ListingCreateInputSerializer, body)
        listings[key] = listing_create(
            seller=users[seller].organization,
            block_id=data["block"],
            quantity_kg=data["quantity_kg"],
            price_per_tonne=data["price_per_tonne"],
            currency=data["currency"],
        )
        summary.listings += 1
    for key, buyer, listing, quantity_kg in TRADES:
        data = _valid(BuyInputSerializer, {"listing": listings[listing].pk, "quantity_kg": quantity_kg})
        order = listing_buy(
            buyer=users[buyer].organization, listing_id=data["listing"], quantity_kg=data["quantity_kg"]
        )
        blocks[key] = order.block_id
        summary.orders += 1
    for sender, block, quantity_kg, recipient in TRANSFERS:
        body = {"block": blocks[block], "quantity_kg": quantity_kg, "to_organization": users[recipient].organization_id}
        data = _valid(TransferCreateInputSerializer, body)
        transfer_create(
            sender=users[sender].organization,
            block_id=data["block"],
            quantity_kg=data["quantity_kg"],
            to_organization_id=data["to_organization"],
        )
        summary.transfers += 1


def _demo_staff() -> User:
    """A verifier who can work the review queue in the API and the admin (returned), and a superuser."""
    operator = registry_operator()
    verifier = User.objects.create_user(
        email=demo_email("verifier"),
        password=DEMO_PASSWORD,
        organization=operator,
        full_name="Demo Verifier",
        is_staff=True,
    )
    verifier.groups.add(Group.objects.get_or_create(name=VERIFIERS_GROUP)[0])
    reviewed = [
        ("verification", "reductionclaim"),
        ("verification", "audit"),
        ("accounts", "organization"),
        ("sites", "site"),
    ]
    for app_label, model in reviewed:
        verifier.user_permissions.add(
            *Permission.objects.filter(
                content_type__app_label=app_label, codename__in=[f"view_{model}", f"change_{model}"]
            )
        )
    User.objects.create_superuser(
        email=demo_email("admin"), password=DEMO_PASSWORD, organization=operator, full_name="Demo Admin"
    )
    return verifier
