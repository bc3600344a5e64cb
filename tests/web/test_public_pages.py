"""The public pages: what a visitor sees, that they never need a session, and their query counts."""

import re

import pytest

pytestmark = pytest.mark.django_db


def test_home_says_what_carboncred_is_with_live_figures(client, listing, certificate):
    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Carbon credits that a small business can earn, sell and retire" in html
    assert "2.000 t" in html  # issued: the owner's 1,800 kg and the buffer's 200 kg
    assert "0.100 t" in html  # retired
    assert 'href="/market/"' in html
    assert "Rooftop solar, Pune" in html  # on the market now


def test_home_numbers_follow_the_readers_locale(client, listing):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9").content.decode()

    assert "2,000 t" in html  # German: decimal comma
    assert "12,50 USD" in html


def test_api_json_is_unchanged_by_the_readers_locale(client, listing):
    body = client.get("/api/marketplace/", HTTP_ACCEPT_LANGUAGE="de-DE").json()

    assert body["results"][0]["price_per_tonne"] == "12.50"


def test_market_lists_open_listings_with_integrity_flags(client, listing, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        response = client.get("/market/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Rooftop solar, Pune" in html and "Bakery Ltd" in html
    assert "12.50 USD" in html
    assert "0.500 t" in html and "500 kg" in html
    assert "1 open listing." in html


def test_market_filters_use_the_apis_rules(client, listing):
    assert "No open listing matches" in client.get("/market/?category=recycling").content.decode()
    assert "Rooftop solar, Pune" in client.get("/market/?country=IN&vintage=2024").content.decode()

    refused = client.get("/market/?min_price=20&max_price=10")
    assert refused.status_code == 400
    assert "max_price is below min_price." in refused.content.decode()


def test_market_filter_by_htmx_swaps_only_the_results(client, listing):
    response = client.get("/market/?category=solar", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")

    html = response.content.decode()
    assert "Rooftop solar, Pune" in html
    assert "<html" not in html


def test_market_detail_shows_the_offer_and_what_stands_behind_it(client, listing):
    response = client.get(f"/market/{listing.pk}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Rooftop solar, Pune" in html
    assert "Sign in</a> or" in html


def test_a_closed_or_unknown_listing_is_the_sites_404_page(client):
    response = client.get("/market/999999/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_registry_lists_issuances_and_retirements(client, certificate, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        response = client.get("/registry/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Issued" in html and "Retired" in html
    assert f"/certificates/{certificate.public_id}/" in html


def test_registry_searches_by_serial(client, holding, certificate):
    serial = certificate.serial
    html = client.get("/registry/", {"serial": serial}).content.decode()
    assert f"/certificates/{certificate.public_id}/" in html

    bad = client.get("/registry/", {"serial": "not a serial"})
    assert bad.status_code == 400
    assert "Not a serial" in bad.content.decode()

    none = client.get("/registry/", {"serial": "CC-IN-000001-1999-1-2"}).content.decode()
    assert "No issuance or retirement holds" in none


def test_registry_project_page(client, holding, django_assert_max_num_queries):
    project = holding.owner_block.project
    with django_assert_max_num_queries(8):
        response = client.get(f"/registry/projects/{project.pk}/")

    assert response.status_code == 200
    assert "Rooftop solar, Pune" in response.content.decode()


def test_a_project_without_credits_is_not_in_the_public_registry(client, sme):
    from tests.verification.factories import project_for

    project = project_for(sme.organization)
    assert client.get(f"/registry/projects/{project.pk}/").status_code == 404


def test_certificate_page_is_in_the_sites_layout(client, certificate):
    response = client.get(f"/certificates/{certificate.public_id}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert certificate.beneficiary in html and "Download the certificate (PDF)" in html
    assert 'class="skip"' in html and 'href="/market/"' in html


def test_unknown_page_is_the_branded_404_and_the_api_keeps_json(client):
    page = client.get("/no-such-page/")
    assert page.status_code == 404
    assert "Page not found" in page.content.decode()
    assert "text/html" in page["Content-Type"]

    api = client.get("/api/no-such-endpoint/")
    assert api.status_code == 404
    assert api.json()["code"] == "not_found"


def test_server_error_page_renders_without_a_request_context():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Something went wrong on our side" in html


def test_api_root_links_to_the_docs_and_schema(client):
    response = client.get("/api/")

    assert response.status_code == 200
    body = response.json()
    assert body["docs"].endswith("/api/docs/") and body["schema"].endswith("/api/schema/")


def test_every_page_has_a_skip_link_one_h1_and_no_inline_script(client, listing, certificate):
    for url in ["/", "/market/", f"/market/{listing.pk}/", "/registry/", "/accounts/login/", "/accounts/signup/"]:
        html = client.get(url).content.decode()
        assert 'href="#content"' in html, url
        assert len(re.findall(r"<h1\b", html)) == 1, url
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url  # every script is a file


def test_every_field_has_a_label(client):
    for url in ["/accounts/login/", "/accounts/signup/", "/market/", "/registry/", "/accounts/password-reset/"]:
        html = client.get(url).content.decode()
        ids = re.findall(r'<(?:input|select|textarea)\b(?![^>]*type="(?:hidden|submit)")[^>]*\bid="([^"]+)"', html)
        assert ids, url
        for field_id in ids:
            assert f'for="{field_id}"' in html, (url, field_id)


def test_public_pages_send_the_content_security_policy(client):
    csp = client.get("/").headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
