"""The core journey of an SME app, through a Python client generated from the live OpenAPI schema
(openapi-python-client): register two organisations, have the seller verified, register a site and a
project, submit a claim that is approved at once, list credits, buy them as the other organisation,
retire them and verify the certificate publicly. Every call goes through the generated client's typed
functions and models, so a schema that does not match the server fails here (a missing field, a
wrong type, an undocumented status).

Run by .ci/client: ``python .ci/client_journey.py BASE_URL`` with the generated package (named
``carboncred_client``) on the path, against a server seeded with seed_demo (its verifier verifies the
seller). Exit status 0 when every step answered as expected.
"""

import io
import secrets
import sys
from decimal import Decimal
from typing import Any

from carboncred_client import AuthenticatedClient, Client
from carboncred_client.api.accounts import me_retrieve, register
from carboncred_client.api.certificates import certificates_verify, retire
from carboncred_client.api.credits_ import holdings_list
from carboncred_client.api.documents import documents_create
from carboncred_client.api.marketplace import buy, listings_create, marketplace_list, orders_list
from carboncred_client.api.money import balance_retrieve, balance_top_ups_confirm, balance_top_ups_create
from carboncred_client.api.organisations import organization_verification, organizations_verify
from carboncred_client.api.projects import projects_create
from carboncred_client.api.reduction_claims import reduction_data_create
from carboncred_client.api.sites import sites_create
from carboncred_client.api.token import token
from carboncred_client.models import (
    BuyInputRequest,
    DocumentKindEnum,
    DocumentUploadInputRequest,
    ListingCreateInputRequest,
    MarketplaceListCurrency,
    OrganizationVerifyInputRequest,
    ProjectCreateInputRequest,
    ReductionClaimCreateInputRequest,
    RegisterInputRequest,
    RetirementCreateInputRequest,
    SiteCreateInputRequest,
    TokenObtainInputRequest,
    TopUpCreateInputRequest,
    VerificationRequestInputRequest,
)
from carboncred_client.types import File

from verification.engine import climatology

DEMO_VERIFIER = ("verifier@demo.carboncred.example", "demo-only-carboncred")
PASSWORD = "journey-" + secrets.token_hex(8)
# Pune, about 2 km east of the demo's factory sites (a site within 50 m of another goes to review).
SITE = (Decimal("18.520400"), Decimal("73.876700"))
PERIOD = ("2024-01-01", "2024-12-31")
GENERATION_KWH = 70_000
CAPACITY_KWP = 50
LIST_KG, BUY_KG, RETIRE_KG = 2_000, 1_500, 1_000


class JourneyError(AssertionError):
    pass


def check(condition: bool, context: Any) -> None:
    """Raise (with what was answered) unless ``condition`` holds."""
    if not condition:
        raise JourneyError(f"unexpected answer: {context}")


def expect(step: str, response, status: int):
    """The parsed body of ``response`` after checking its status (the body printed otherwise)."""
    if response.status_code != status:
        raise JourneyError(f"{step}: expected {status}, got {response.status_code}: {response.content[:2000]!r}")
    print(f"ok  {step} ({status})")
    return response.parsed


def sign_in(base_url: str, email: str, password: str) -> AuthenticatedClient:
    pair = expect(
        f"token for {email}",
        token.sync_detailed(client=Client(base_url), body=TokenObtainInputRequest(email=email, password=password)),
        200,
    )
    return AuthenticatedClient(base_url, token=pair.access)


def sign_up(base_url: str, name: str) -> tuple[AuthenticatedClient, str]:
    email = f"{name.split()[0].lower()}-{secrets.token_hex(4)}@journey.example"
    body = RegisterInputRequest.from_dict(
        {"email": email, "password": PASSWORD, "organization_name": name, "country": "IN"}
    )
    account = expect(f"register {name}", register.sync_detailed(client=Client(base_url), body=body), 201)
    check(account.email == email and account.organization.name == name, account)
    return sign_in(base_url, email, PASSWORD), email


def fund(base_url: str, client: AuthenticatedClient, *, currency: str, amount: Decimal) -> None:
    """Put money on the buyer's balance before buying: a bank-transfer top-up, which the demo's staff
    verifier confirms as arrived (POST /api/balance/top-ups/, then .../confirm/)."""
    body = TopUpCreateInputRequest.from_dict({"amount": str(amount), "currency": currency, "method": "bank_transfer"})
    top_up = expect(
        "ask for a bank-transfer top-up", balance_top_ups_create.sync_detailed(client=client, body=body), 201
    )
    check(str(top_up.status) == "pending" and top_up.reference != "", top_up)
    staff = sign_in(base_url, *DEMO_VERIFIER)
    confirmed = expect(
        "staff confirm the transfer arrived", balance_top_ups_confirm.sync_detailed(top_up.id, client=staff), 200
    )
    check(str(confirmed.status) == "completed", confirmed)
    check(available(client, currency) == amount, "the top-up is on the balance")


def available(client: AuthenticatedClient, currency: str) -> Decimal:
    balance = expect("the balance", balance_retrieve.sync_detailed(client=client), 200)
    return sum((Decimal(row.available) for row in balance.balances if row.currency == currency), Decimal(0))


def get_verified(base_url: str, client: AuthenticatedClient, legal_name: str) -> None:
    """Upload a register extract, ask to be verified, and have the demo verifier verify."""
    number = "U17100MH2009PTC" + "".join(secrets.choice("0123456789") for _ in range(6))
    extract = f"%PDF-1.4\n% {legal_name} {number} {secrets.token_hex(8)}\n".encode()
    upload = DocumentUploadInputRequest(
        file=File(payload=io.BytesIO(extract), file_name="extract.pdf", mime_type="application/pdf"),
        kind=DocumentKindEnum.REGISTRATION_EXTRACT,
    )
    document = expect("upload the register extract", documents_create.sync_detailed(client=client, body=upload), 201)
    request = VerificationRequestInputRequest.from_dict(
        {"legal_name": legal_name, "registration_number": number, "documents": [document.id]}
    )
    pending = expect("ask to be verified", organization_verification.sync_detailed(client=client, body=request), 202)
    check(str(pending.verification_status) == "pending", pending)
    me = expect("who am I", me_retrieve.sync_detailed(client=client), 200)
    verifier = sign_in(base_url, *DEMO_VERIFIER)
    expect(
        "the verifier verifies the seller",
        organizations_verify.sync_detailed(
            me.organization.id,
            client=verifier,
            body=OrganizationVerifyInputRequest.from_dict({"note": "Extract checked."}),
        ),
        200,
    )


def solar_claim(project_id: int, prefix: str) -> dict[str, Any]:
    """A year of metered generation, month by month shaped like the site's climate."""
    shares = climatology.site_climate(float(SITE[0]), float(SITE[1])).monthly_shares
    weights = [Decimal(str(round(share, 4))) for share in shares]
    parts = [int(GENERATION_KWH * weight / sum(weights)) for weight in weights]
    parts[-1] += GENERATION_KWH - sum(parts)
    evidence = []
    for month, quantity in enumerate(parts, start=1):
        end_day = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        evidence.append(
            {
                "kind": "meter_reading",
                "period_start": f"2024-{month:02d}-01",
                "period_end": f"2024-{month:02d}-{end_day}",
                "quantity": str(quantity),
                "unit": "kWh",
                "reference": f"{prefix}-2024-{month:02d}",
            }
        )
    return {
        "project": project_id,
        "period_start": PERIOD[0],
        "period_end": PERIOD[1],
        "parameters": {"capacity_kwp": CAPACITY_KWP, "generation_kwh": GENERATION_KWH},
        "evidence": evidence,
    }


def journey(base_url: str) -> None:
    public = Client(base_url)
    seller, _ = sign_up(base_url, "Journey Mills")
    buyer, _ = sign_up(base_url, "Journey Buyer")
    get_verified(base_url, seller, "Journey Mills Private Limited")

    meter = "MSEDCL-1700" + "".join(secrets.choice("0123456789") for _ in range(8))
    site = expect(
        "register a site",
        sites_create.sync_detailed(
            client=seller,
            body=SiteCreateInputRequest.from_dict(
                {
                    "name": "Journey Mills roof",
                    "country": "IN",
                    "latitude": str(SITE[0]),
                    "longitude": str(SITE[1]),
                    "meter_ids": [meter],
                    "capacity_kw": str(CAPACITY_KWP),
                }
            ),
        ),
        201,
    )
    check(str(site.status) == "active", site)
    project = expect(
        "create a project",
        projects_create.sync_detailed(
            client=seller,
            body=ProjectCreateInputRequest.from_dict(
                {
                    "title": "Journey Mills rooftop solar",
                    "description": "50 kWp on the weaving shed.",
                    "category": "solar",
                    "country": "IN",
                    "start_date": "2023-01-01",
                    "site": site.id,
                }
            ),
        ),
        201,
    )
    claim = expect(
        "submit a claim",
        reduction_data_create.sync_detailed(
            client=seller,
            body=ReductionClaimCreateInputRequest.from_dict(
                solar_claim(project.id, f"JM{secrets.token_hex(3).upper()}")
            ),
        ),
        201,
    )
    if str(claim.status) != "approved":
        raise JourneyError(f"the claim was not approved at once: {claim.to_dict()['verification']}")
    block_id = claim.issuance.block
    issued_kg = claim.issuance.quantity_kg
    check(issued_kg >= LIST_KG, claim.issuance)

    holdings = expect("the seller's holdings", holdings_list.sync_detailed(client=seller), 200)
    check(any(block.id == block_id and block.quantity_kg == issued_kg for block in holdings.results), holdings)

    listing = expect(
        "list credits",
        listings_create.sync_detailed(
            client=seller,
            body=ListingCreateInputRequest.from_dict(
                {"block": block_id, "quantity_kg": LIST_KG, "price_per_tonne": "12.50", "currency": "USD"}
            ),
        ),
        201,
    )
    offers = expect(
        "the public marketplace, in US dollars",
        marketplace_list.sync_detailed(client=public, currency=MarketplaceListCurrency.USD, page_size=200),
        200,
    )
    check({str(row.currency) for row in offers.results} == {"USD"}, offers)
    offer = next((row for row in offers.results if row.id == listing.id), None)
    check(offer is not None and offer.quantity_available_kg == LIST_KG and offer.price_per_tonne == "12.50", offers)

    fund(base_url, buyer, currency="USD", amount=Decimal("100.00"))
    order = expect(
        "buy as the other organisation",
        buy.sync_detailed(client=buyer, body=BuyInputRequest.from_dict({"listing": listing.id, "quantity_kg": BUY_KG})),
        201,
    )
    check(order.quantity_kg == BUY_KG and order.total == "18.75" and order.currency == "USD", order)
    check(available(buyer, "USD") == Decimal("100.00") - Decimal(order.amount_due), "the buyer paid total + fee")
    orders = expect("the buyer's orders", orders_list.sync_detailed(client=buyer), 200)
    check([row.id for row in orders.results] == [order.id], orders)

    bought = expect("the buyer's holdings", holdings_list.sync_detailed(client=buyer), 200)
    blocks = [block for block in bought.results if str(block.status) == "available"]
    check(sum(block.quantity_kg for block in blocks) == BUY_KG, bought)

    retirement = expect(
        "retire",
        retire.sync_detailed(
            client=buyer,
            body=RetirementCreateInputRequest.from_dict(
                {
                    "block": blocks[0].id,
                    "quantity_kg": RETIRE_KG,
                    "beneficiary": "Journey Buyer",
                    "reason": "Scope 2, 2024",
                }
            ),
        ),
        201,
    )
    certificate = retirement.certificate
    check(certificate.quantity_kg == RETIRE_KG, retirement)

    checked = expect(
        "verify the certificate (public)",
        certificates_verify.sync_detailed(certificate.public_id, client=public),
        200,
    )
    check(checked.valid is True, checked)
    check(checked.certificate.public_id == certificate.public_id, checked)


if __name__ == "__main__":
    try:
        journey(sys.argv[1].rstrip("/"))
    except JourneyError as error:
        print(f"FAIL {error}", file=sys.stderr)
        sys.exit(1)
    print("client journey: every step answered as the schema says")
