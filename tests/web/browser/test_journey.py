"""The whole journey in a real browser, as two businesses and a verifier would click through it:
sign up, report emissions, register a site (uploading a few readings) and a project on it, claim a
reduction with its evidence document, see it approved, ask to be verified and be verified, list the
credits, buy them as a second business, retire them and open the certificate's page; a verifier works
the audit queue.
Screenshots of the key pages at phone and laptop widths go to var/screenshots/; axe-core checks the
public pages."""

import hashlib
import re

import pytest
from playwright.sync_api import expect

from tests.accounts.factories import PASSWORD, UserFactory
from tests.web.browser.conftest import LAPTOP, PHONE, axe_violations, screenshot

# The first claim loads the screening model, which takes a few seconds on a small machine.
expect.set_options(timeout=30_000)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# Small stand-ins for the scanned meter reading and company register extract (PDFs by their bytes).
METER_PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n% meter reading, Pune bakery, 2024\n%%EOF\n"
EXTRACT_PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n% register extract, Anna's Bakery\n%%EOF\n"
# Three hours of June 2025 from the roof's meter, and one row of a meter the site does not have.
READINGS = (
    b"meter_id,unit,start,end,value\n"
    b"MSEDCL-170010012345,kWh,2025-06-02T10:00:00+05:30,2025-06-02T11:00:00+05:30,31.2\n"
    b"MSEDCL-170010012345,kWh,2025-06-02T11:00:00+05:30,2025-06-02T12:00:00+05:30,33.9\n"
    b"MSEDCL-170010012345,kWh,2025-06-02T12:00:00+05:30,2025-06-02T13:00:00+05:30,34.4\n"
    b"MSEDCL-999,kWh,2025-06-02T12:00:00+05:30,2025-06-02T13:00:00+05:30,10\n"
)


def sign_up(page, base: str, *, email: str, organization: str, country: str) -> None:
    page.goto(f"{base}/accounts/signup/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("a-long-pass-phrase-9")
    page.get_by_label("Organisation name").fill(organization)
    page.get_by_label("Country").select_option(country)
    page.get_by_role("button", name="Create the account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(organization)


def test_from_sign_up_to_a_retirement_certificate(live_server, new_page):
    base = live_server.url
    seller = new_page(LAPTOP)

    # 1. The home page, and signing up.
    seller.goto(f"{base}/")
    screenshot(seller, "01-home")
    sign_up(seller, base, email="anna@bakery.example", organization="Anna's Bakery", country="IN")
    screenshot(seller, "02-dashboard-empty")

    # 2. Emissions for the first quarter.
    seller.get_by_role("link", name="Emissions", exact=True).click()
    seller.get_by_label("Period start").first.fill("2024-01-01")
    seller.get_by_label("Period end").first.fill("2024-03-31")
    seller.locator("#id_lines-0-activity").select_option("electricity")
    seller.locator("#id_lines-0-quantity").fill("12500")
    seller.locator("#id_lines-0-unit").fill("kWh")
    seller.locator("#id_lines-1-activity").select_option("diesel")
    seller.locator("#id_lines-1-quantity").fill("300")
    seller.locator("#id_lines-1-unit").fill("litres")
    seller.get_by_role("button", name="Save the report").click()
    expect(seller.get_by_text("Report saved")).to_be_visible()
    screenshot(seller, "03-emissions")

    # 3. The site: the bakery's roof with its meter, and a few readings uploaded as CSV (one row bad).
    seller.get_by_role("link", name="Sites", exact=True).click()
    seller.get_by_label("Name").fill("Pune bakery roof")
    seller.get_by_label("Country").select_option("IN")
    seller.get_by_label("Latitude").fill("18.5204")
    seller.get_by_label("Longitude").fill("73.8567")
    seller.get_by_label("Meter ids").fill("MSEDCL-170010012345")
    seller.get_by_label("Capacity (kW, kWp for solar)").fill("50")
    seller.get_by_role("button", name="Register the site").click()
    expect(seller.get_by_role("heading", level=1)).to_have_text("Pune bakery roof")
    expect(seller.get_by_text("Active: claims of projects on this site")).to_be_visible()
    seller.get_by_label("Readings CSV").set_input_files(
        files=[{"name": "june.csv", "mimeType": "text/csv", "buffer": READINGS}]
    )
    seller.get_by_role("button", name="Upload the readings").click()
    expect(seller.get_by_text("3 reading(s) stored, 0 already stored, 1 row(s) refused.")).to_be_visible()
    expect(seller.get_by_role("cell", name="meter_unknown")).to_be_visible()
    screenshot(seller, "04-site")
    assert axe_violations(seller) == []

    # 4. A solar project on that site.
    seller.get_by_role("link", name="Register a project on this site").click()
    seller.get_by_label("Title").fill("Rooftop solar, Pune bakery")
    seller.get_by_label("Category").select_option("solar")
    expect(seller.get_by_role("combobox", name="Site", exact=True)).to_have_value(re.compile(r"^\d+$"))
    seller.get_by_label("Start date").fill("2023-01-01")
    seller.get_by_role("button", name="Register the project").click()
    expect(seller.get_by_text("registered (number")).to_be_visible()
    expect(seller.get_by_role("link", name="Pune bakery roof")).to_be_visible()
    seller.get_by_role("link", name="Sites", exact=True).click()
    screenshot(seller, "04-sites")

    # 5. A claim for 2024 with its meter reading and the scanned document.
    seller.get_by_role("link", name="Claims", exact=True).click()
    seller.get_by_label("Project").select_option(index=1)
    seller.get_by_label("Monitoring period start").fill("2024-01-01")
    seller.get_by_label("Monitoring period end").fill("2024-12-31")
    seller.get_by_label("Installed capacity (kWp)").fill("50")
    seller.get_by_label("Metered generation (kWh)").fill("70000")
    seller.get_by_label("Evidence: kind of document").select_option("meter_reading")
    seller.get_by_label("Evidence: the document's number").fill("MTR-PUNE-2024")
    seller.get_by_label("Evidence: from").fill("2024-01-01")
    seller.get_by_label("Evidence: to").fill("2024-12-31")
    seller.get_by_label("Evidence: quantity it shows").fill("70000")
    seller.get_by_label("Evidence: unit").select_option("kWh")
    screenshot(seller, "05-claim-form")
    seller.get_by_label("Evidence: upload the document").set_input_files(
        files=[{"name": "meter-2024.pdf", "mimeType": "application/pdf", "buffer": METER_PDF}]
    )
    seller.get_by_role("button", name="Submit the claim").click()
    expect(seller.get_by_role("heading", level=1)).to_contain_text("Rooftop solar, Pune bakery")
    expect(seller.get_by_text(f"SHA-256 {hashlib.sha256(METER_PDF).hexdigest()}")).to_be_visible()
    expect(seller.get_by_role("link", name="Download meter-2024.pdf")).to_be_visible()

    # 6. Approved — at once by screening, or by a verifier from the queue.
    UserFactory.create(email="vera@registry.example", verifier=True)
    verifier = new_page(LAPTOP)
    verifier.goto(f"{base}/accounts/login/")
    verifier.get_by_label("Email").fill("vera@registry.example")
    verifier.get_by_label("Password").fill(PASSWORD)
    verifier.get_by_role("button", name="Sign in").click()
    if seller.get_by_text("Waiting for a verifier").count():
        verifier.goto(f"{base}/app/review/")
        verifier.get_by_role("link", name=re.compile(r"^Claim \d+")).first.click()
        expect(verifier.get_by_role("link", name="Open the file")).to_be_visible()
        screenshot(verifier, "05-review")
        verifier.get_by_role("button", name="Approve and issue").click()
        expect(verifier.get_by_text("approved; its credits were issued")).to_be_visible()
        seller.reload()
    expect(seller.get_by_text("Approved: the credits were issued.")).to_be_visible()
    screenshot(seller, "06-claim-approved")
    seller_claim_url = seller.url
    assert axe_violations(seller) == []

    # 7. Only verified organisations list credits: the bakery asks to be verified with its register
    # extract, and the verifier checks it on the organisations' page.
    seller.get_by_role("link", name="Verification", exact=True).click()
    expect(seller.get_by_text("Not verified yet")).to_be_visible()
    seller.get_by_label("Legal name").fill("Anna's Bakery Private Limited")
    seller.get_by_label("Registration number").fill("U15400MH2019PTC123456")
    seller.get_by_label("Register extract").set_input_files(
        files=[{"name": "register-extract.pdf", "mimeType": "application/pdf", "buffer": EXTRACT_PDF}]
    )
    seller.get_by_role("button", name="Send the request").click()
    expect(seller.get_by_text("Your request was sent")).to_be_visible()
    screenshot(seller, "07-verification-requested")
    assert axe_violations(seller) == []
    verifier.goto(f"{base}/app/review/organisations/")
    expect(verifier.get_by_role("link", name="register-extract.pdf")).to_be_visible()
    screenshot(verifier, "07-review-organisations")
    verifier.get_by_role("link", name="Anna's Bakery", exact=True).click()
    verifier.get_by_label("Note for the record").fill("Extract matches the legal name and CIN.")
    screenshot(verifier, "07-review-organisation")
    assert axe_violations(verifier) == []
    verifier.get_by_role("button", name="Verify the organisation").click()
    expect(verifier.get_by_text("Anna's Bakery: verified.")).to_be_visible()
    seller.reload()
    expect(seller.get_by_text("A verifier has checked who you are")).to_be_visible()

    seller.get_by_role("link", name="Holdings", exact=True).click()
    seller.get_by_text("List for sale").first.click()
    seller.get_by_label("Quantity to list (kg)").first.fill("5000")
    seller.get_by_label("Price per tonne").first.fill("14.50")
    seller.get_by_label("Currency").first.select_option("USD")
    seller.get_by_role("button", name="List", exact=True).first.click()
    expect(seller.get_by_text("Listed 5,000 kg for sale")).to_be_visible()
    screenshot(seller, "07-holdings")
    seller.goto(f"{base}/app/")
    screenshot(seller, "08-dashboard")

    # 8. A second business buys on the market, on a phone.
    buyer = new_page(PHONE)
    buyer.goto(f"{base}/market/")
    screenshot(buyer, "09-market")
    sign_up(buyer, base, email="ben@logistics.example", organization="Ben's Logistics", country="GB")
    buyer.goto(f"{base}/market/")
    expect(buyer.get_by_text("Verified seller").first).to_be_visible()
    buyer.get_by_role("link", name="Rooftop solar, Pune bakery").first.click()
    screenshot(buyer, "10-listing")
    buyer.get_by_label("Quantity to buy (kg)").fill("2000")
    buyer.get_by_role("button", name="Buy").click()
    expect(buyer.get_by_text("Bought 2,000 kg")).to_be_visible()
    screenshot(buyer, "11-orders")

    # The buyer's money: a bank-transfer top-up gets its instructions (staff confirm it when it arrives).
    buyer.goto(f"{base}/app/balance/")
    buyer.locator("#top_up_amount").fill("250.00")
    buyer.locator("#top_up_currency").select_option("USD")
    buyer.get_by_role("button", name="Get transfer instructions").click()
    expect(buyer.get_by_text(re.compile(r"Top-up CCT-\S+ requested"))).to_be_visible()
    screenshot(buyer, "19-balance")
    assert axe_violations(buyer) == []

    # 9. Retire what was bought.
    buyer.goto(f"{base}/app/holdings/")
    buyer.get_by_text("Retire", exact=True).first.click()
    buyer.get_by_label("Quantity to retire (kg)").first.fill("2000")
    buyer.get_by_label("On behalf of").first.fill("Ben's Logistics Ltd")
    buyer.get_by_label("Reason").first.fill("Offsetting our 2024 deliveries")
    buyer.get_by_role("button", name="Retire", exact=True).first.click()
    expect(buyer.get_by_text("Your certificate is ready")).to_be_visible()

    # 10. The certificate's public page.
    buyer.goto(f"{base}/app/certificates/")
    screenshot(buyer, "12-certificates")
    buyer.get_by_role("link", name="Public page").first.click()
    expect(buyer.get_by_text("Ben's Logistics Ltd").first).to_be_visible()
    expect(buyer.get_by_role("heading", level=1)).to_have_text(re.compile("Verified"))
    screenshot(buyer, "13-certificate")
    certificate_url = buyer.url

    # The seller's proceeds, and the organisation's settings: an API key (shown once), webhooks,
    # members and the account.
    seller.goto(f"{base}/app/balance/")
    expect(seller.get_by_role("heading", level=1)).to_be_visible()
    screenshot(seller, "19-balance")
    seller.goto(f"{base}/app/api-keys/")
    seller.get_by_label("Name").fill("ERP sync")
    seller.get_by_label("Read", exact=True).check()
    seller.get_by_role("button", name="Create the key").click()
    expect(seller.get_by_text("ERP sync").first).to_be_visible()
    screenshot(seller, "20-api-keys")
    for url, name in [
        (f"{base}/app/webhooks/", "21-webhooks"),
        (f"{base}/app/members/", "22-members"),
        (f"{base}/app/account/", "23-account"),
    ]:
        seller.goto(url)
        screenshot(seller, name)
        assert axe_violations(seller) == [], name

    # The same pages at the other width.
    for url, name in [
        (f"{base}/", "01-home"),
        (f"{base}/market/", "09-market"),
        (f"{base}/registry/", "14-registry"),
        (certificate_url, "13-certificate"),
    ]:
        for page in (seller, buyer):
            page.goto(url)
            screenshot(page, name)
    # The workspace's new pages on a phone: the seller's and the verifier's.
    site_url, claim_url = f"{base}/app/sites/", seller_claim_url
    seller.set_viewport_size(PHONE)
    seller.goto(site_url)
    seller.get_by_role("link", name="Pune bakery roof").click()
    screenshot(seller, "04-site")
    for url, name in [
        (site_url, "04-sites"),
        (claim_url, "06-claim-approved"),
        (f"{base}/app/verification/", "07-verification-requested"),
    ]:
        seller.goto(url)
        screenshot(seller, name)
    verifier.set_viewport_size(PHONE)
    verifier.goto(f"{base}/app/review/organisations/?verification_status=verified")
    screenshot(verifier, "07-review-organisations")


PUBLIC_PAGES = ["/", "/market/", "/registry/", "/accounts/login/", "/accounts/signup/", "/no-such-page/"]


def test_public_pages_have_no_serious_accessibility_violations(live_server, new_page, listing, certificate):
    page = new_page(LAPTOP)
    urls = [*PUBLIC_PAGES, f"/market/{listing.pk}/", f"/certificates/{certificate.public_id}/",
            f"/registry/projects/{listing.project_id}/"]  # fmt: skip
    found = {}
    for url in urls:
        page.goto(f"{live_server.url}{url}")
        violations = axe_violations(page)
        if violations:
            found[url] = violations
    assert found == {}


def test_htmx_filters_update_the_market_in_place(live_server, new_page, listing):
    page = new_page(LAPTOP)
    page.goto(f"{live_server.url}/market/")
    page.get_by_label("Category").select_option("recycling")
    expect(page.locator("#results")).to_contain_text("No open listing matches")
    assert "category=recycling" in page.url  # the address follows, so the filter can be shared
    page.get_by_label("Category").select_option("solar")
    expect(page.locator("#results")).to_contain_text("Rooftop solar, Pune")


def test_a_verifier_works_the_audit_queue(live_server, new_page, settings):
    """An automatically approved claim drawn for audit: the verifier reads its evidence beside the
    screening, reverses it with a reason, and sees what was cancelled and the ledger entries."""
    from decimal import Decimal

    from projects.models import Project
    from tests.verification.reversals import fund_pool, issued_claim

    settings.AUDIT_MIN_RATE = settings.AUDIT_MAX_RATE = Decimal(1)
    owner = UserFactory.create()
    claim = issued_claim(owner)
    fund_pool(1_000)
    # A second roof registered 11 m from the first one's: it waits for a verifier.
    from sites.services import site_create

    first = Project.objects.get(pk=claim["project"]).site
    assert first is not None
    site_create(
        owner=owner.organization,
        name="Warehouse roof",
        country=str(first.country),
        latitude=first.latitude + Decimal("0.0001"),
        longitude=first.longitude,
        meter_ids=["GB-77001"],
    )
    UserFactory.create(email="audra@registry.example", verifier=True)
    base = live_server.url

    for viewport in (LAPTOP, PHONE):
        page = new_page(viewport)
        page.goto(f"{base}/accounts/login/")
        page.get_by_label("Email").fill("audra@registry.example")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.goto(f"{base}/app/review/audits/")
        expect(page.get_by_role("link", name=f"Claim {claim['id']}")).to_be_visible()
        screenshot(page, "15-audits")
        page.get_by_role("link", name=re.compile(r"^Audit \d+")).first.click()
        expect(page.get_by_role("heading", name="Evidence and figures")).to_be_visible()
        screenshot(page, "16-audit")
        assert axe_violations(page) == []
        page.goto(f"{base}/app/review/sites/")
        expect(page.get_by_text("site_near_existing")).to_be_visible()
        screenshot(page, "18-review-sites")
        assert axe_violations(page) == []
        page.go_back()

    page.get_by_label("Reason for the reversal").fill("The meter photos show another roof.")
    page.get_by_role("button", name="Reverse and cancel the credits").click()
    expect(page.get_by_text(f"Claim {claim['id']} reversed:")).to_be_visible()
    expect(page.get_by_text("cancel entry", exact=False).first).to_be_visible()
    screenshot(page, "17-audit-reversed")
    page.set_viewport_size(LAPTOP)
    screenshot(page, "17-audit-reversed")
