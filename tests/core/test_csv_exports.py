"""`?format=csv` on the list endpoints: the whole filtered list (not one page), streamed, with a
header row, formula-safe cells, and only the organisation's own rows."""

import csv
import io
from datetime import date

import pytest

from core.csv import safe_cell
from marketplace.services import listing_buy
from tests.accounts.factories import OrganizationFactory
from tests.emissions.factories import EmissionReportFactory
from tests.ledger.factories import issue
from tests.marketplace.factories import listing as make_listing
from tests.projects.factories import ProjectFactory


def read_csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/csv")
    assert response.streaming
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def header_of(response) -> list[str]:
    text = b"".join(response.streaming_content).decode()
    return next(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+2", "'+1+2"),
        ("-cmd|' /C calc'!A0", "'-cmd|' /C calc'!A0"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("-12.50", "-12.50"),  # a number the API writes: left as it is
        ("Plain", "Plain"),
        (None, ""),
        (True, "true"),
        (12, 12),
    ],
)
def test_cells_that_would_start_a_formula_are_quoted(value, cell):
    assert safe_cell(value) == cell


@pytest.mark.django_db
def test_holdings_csv_has_every_filtered_row_beyond_one_page_and_none_of_another_organisation(auth_client, user):
    project = ProjectFactory.create(owner=user.organization, title='=HYPERLINK("http://evil")')
    for _ in range(3):
        issue(project=project, quantity_kg=1000)
    issue(quantity_kg=777)  # another organisation's

    page = auth_client.get("/api/holdings/?page_size=2").json()
    response = auth_client.get("/api/holdings/?format=csv&page_size=2")

    assert page["count"] == 3 and len(page["results"]) == 2
    rows = read_csv(response)
    assert len(rows) == 3
    assert {row["quantity_kg"] for row in rows} == {"900"}  # 10 % went to the buffer pool
    assert {row["project_title"] for row in rows} == {'\'=HYPERLINK("http://evil")'}
    assert {row["serial"] for row in rows} == {
        block["serial"] for block in auth_client.get("/api/holdings/").json()["results"]
    }


@pytest.mark.django_db
def test_holdings_csv_header_and_filters(auth_client, user):
    project = ProjectFactory.create(owner=user.organization)
    issue(project=project, quantity_kg=1000)
    make_listing(seller=user.organization, quantity_kg=100)  # one more block of its own, partly listed

    header = header_of(auth_client.get("/api/holdings/", {"format": "csv"}))
    listed = read_csv(auth_client.get("/api/holdings/", {"format": "csv", "status": "listed"}))

    assert header[:5] == ["id", "serial", "quantity_kg", "quantity_t", "status"]
    assert [row["status"] for row in listed] == ["listed"]


@pytest.mark.django_db
def test_accept_text_csv_answers_csv_and_format_json_keeps_the_page(auth_client, user):
    issue(project=ProjectFactory.create(owner=user.organization))

    by_accept = auth_client.get("/api/holdings/", HTTP_ACCEPT="text/csv")
    as_json = auth_client.get("/api/holdings/?format=json")

    assert len(read_csv(by_accept)) == 1
    assert as_json["Content-Type"] == "application/json" and as_json.json()["count"] == 1


@pytest.mark.django_db
def test_a_bad_filter_or_no_token_is_still_the_json_error(auth_client, api_client):
    bad = auth_client.get("/api/holdings/?format=csv&status=bogus")
    anonymous = api_client.get("/api/holdings/?format=csv")

    assert bad.status_code == 400 and bad.json()["code"] == "invalid" and "status" in bad.json()["errors"]
    assert anonymous.status_code == 401 and anonymous["Content-Type"] == "application/json"


@pytest.mark.django_db
def test_orders_csv_lists_both_sides_and_only_ours(auth_client, user):
    mine = make_listing(seller=user.organization, quantity_kg=500, price="12.50")
    buyer = OrganizationFactory.create(name="+Buyer Ltd")
    listing_buy(buyer=buyer, listing_id=mine.pk, quantity_kg=200)
    theirs = make_listing(quantity_kg=300, price="9.00")
    listing_buy(buyer=user.organization, listing_id=theirs.pk, quantity_kg=100)
    listing_buy(buyer=OrganizationFactory.create(), listing_id=theirs.pk, quantity_kg=50)  # not ours

    rows = read_csv(auth_client.get("/api/orders/?format=csv&page_size=1"))

    assert sorted((row["side"], row["quantity_kg"], row["price_per_tonne"]) for row in rows) == [
        ("buy", "100", "9.00"),
        ("sell", "200", "12.50"),
    ]
    sale = next(row for row in rows if row["side"] == "sell")
    assert sale["counterparty_name"] == "'+Buyer Ltd"
    assert sale["total"] == "2.50" and sale["currency"] == "USD"


@pytest.mark.django_db
def test_emissions_csv_has_one_row_per_report_of_ours(auth_client, user):
    for month in (1, 2, 3):
        EmissionReportFactory.create(
            organization=user.organization, period_start=date(2025, month, 1), period_end=date(2025, month, 28)
        )
    EmissionReportFactory.create()  # another organisation's

    rows = read_csv(auth_client.get("/api/emissions/?format=csv&page_size=1"))
    reports = auth_client.get("/api/emissions/").json()["results"]

    assert len(rows) == 3
    assert {(row["id"], row["total_kg"]) for row in rows} == {(str(r["id"]), str(r["total_kg"])) for r in reports}
    assert list(rows[0])[:4] == ["id", "period_start", "period_end", "total_kg"]


@pytest.mark.django_db
def test_ledger_entries_csv_is_public_and_follows_the_filter(api_client):
    issue(quantity_kg=1000)
    make_listing(quantity_kg=100)

    every = read_csv(api_client.get("/api/ledger/entries/?format=csv&page_size=1"))
    lists = read_csv(api_client.get("/api/ledger/entries/?format=csv&kind=list"))
    count = api_client.get("/api/ledger/entries/").json()["count"]

    assert len(every) == count >= 3
    assert [row["seq"] for row in every] == sorted((row["seq"] for row in every), key=int)
    assert len(lists) == 1 and lists[0]["kind"] == "list" and '"quantity_kg": 100' in lists[0]["payload"]
    assert all(len(row["hash"]) == 64 for row in every)


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["page_size=false", "page=-1", "page=x"])
def test_junk_page_parameters_are_a_400_with_csv_too(auth_client, query):
    response = auth_client.get(f"/api/holdings/?format=csv&{query}")

    assert response.status_code == 400
    assert query.split("=")[0] in response.json()["errors"]
