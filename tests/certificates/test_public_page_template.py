"""The public HTML page rendered from plain facts: verdict in words, escaping, no external assets."""

import re

from django.template.loader import render_to_string

from certificates.checks import Check, Verification
from tests.certificates.factories import CertificateFactsFactory

PASSED = Verification((Check("entry_hash", True, "The hash recomputes."),))
FAILED = Verification((Check("entry_hash", False, "The ledger entry has been altered."),))


def render(facts, verification):
    return render_to_string(
        "certificates/public.html",
        {
            "facts": facts,
            "verification": verification,
            "not_recorded": "not recorded",
            "verify_api_url": "/api/certificates/verify/x/",
            "ledger_head_url": "/api/ledger/head/",
        },
    )


def test_page_states_the_facts_and_the_verdict():
    facts = CertificateFactsFactory.build(screening_version=None)

    html = render(facts, PASSED)

    assert "<h1>Verified</h1>" in html
    assert facts.checkpoint is not None
    for expected in [facts.serial, facts.beneficiary, facts.entry_hash, facts.checkpoint.root, "1.250 tCO2e"]:
        assert expected in html
    assert "not recorded" in html
    assert "The hash recomputes." in html


def test_page_says_plainly_when_verification_fails():
    html = render(CertificateFactsFactory.build(), FAILED)

    assert "<h1>Not verified</h1>" in html
    assert "Do not rely on it" in html
    assert "The ledger entry has been altered." in html


def test_page_escapes_what_the_buyer_typed():
    html = render(CertificateFactsFactory.build(beneficiary='<script>alert("x")</script>'), PASSED)

    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_page_loads_nothing_from_elsewhere():
    html = render(CertificateFactsFactory.build(), PASSED)

    # The site's layout loads its stylesheet and scripts from this origin (whitenoise); nothing else.
    loaded = re.findall(r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)=\"([^\"]*)\"", html)
    assert loaded and all(url.startswith("/static/") for url in loaded), loaded
    assert not re.search(r"<(img|iframe)\b", html)
    assert "@import" not in html and "url(" not in html
