"""Public verification: the JSON and the page a QR code opens, for genuine and forged records."""

from decimal import Decimal

import pytest
from django.db import connection

from certificates.selectors import checkpoint_covering
from certificates.services import certificate_checkpoint_ensure
from ledger.hashing import entry_hash
from ledger.models import Checkpoint, LedgerEntry
from ledger.services import credits_issue
from tests.accounts.factories import UserFactory
from tests.certificates.factories import retire
from tests.conftest import client_for
from tests.ledger.factories import issue
from tests.ledger.tamper import triggers_off
from tests.projects.factories import ProjectFactory


def verify_url(certificate) -> str:
    return f"/api/certificates/verify/{certificate.public_id}/"


def page_url(certificate) -> str:
    return f"/certificates/{certificate.public_id}/"


@pytest.fixture
def uncheckpointed_certificate(db):
    """A retirement whose after-commit checkpoint has not run (test transactions never commit)."""
    organization = UserFactory.create().organization
    block = issue(owner=organization, quantity_kg=1000, buffer_share=Decimal(0)).owner_block
    issue(owner=organization, quantity_kg=500)  # one more entry, so the proof has an audit path to check
    return retire(organization=organization, block=block, quantity_kg=250, beneficiary="Acme Widgets Pvt Ltd")


@pytest.fixture
def certificate(uncheckpointed_certificate):
    """A retirement as it is once committed: the checkpoint stored on commit covers it."""
    certificate_checkpoint_ensure(seq=uncheckpointed_certificate.ledger_entry_id)
    return uncheckpointed_certificate


def forge_quantity(certificate, *, rehash: bool) -> None:
    entry = certificate.ledger_entry
    canonical = entry.canonical.replace('"quantity_kg":250', '"quantity_kg":2500')
    assert canonical != entry.canonical
    digest = entry_hash(seq=entry.seq, prev_hash=bytes(entry.prev_hash), canonical=canonical.encode())
    # As a database superuser could: the ledger's append-only triggers switched off (PostgreSQL).
    with triggers_off() as cursor:
        if rehash:
            cursor.execute(
                "UPDATE ledger_ledgerentry SET canonical = %s, hash = %s WHERE seq = %s", [canonical, digest, entry.seq]
            )
        else:
            cursor.execute("UPDATE ledger_ledgerentry SET canonical = %s WHERE seq = %s", [canonical, entry.seq])


def checks(data) -> dict[str, bool]:
    return {check["name"]: check["ok"] for check in data["checks"]}


@pytest.mark.django_db
def test_verification_json_for_a_genuine_certificate(api_client, certificate):
    response = api_client.get(verify_url(certificate))

    assert response.status_code == 200
    data = response.json()
    assert data["valid"] is True
    assert checks(data) == {
        "entry_hash": True,
        "entry_matches_certificate": True,
        "inclusion_proof": True,
        "issuance_entry": True,
        "movement_entries": True,
    }
    stated = data["certificate"]
    assert stated["serial"] == certificate.serial
    assert stated["quantity_kg"] == 250
    assert stated["quantity_t"] == "0.250"
    assert stated["beneficiary"] == "Acme Widgets Pvt Ltd"
    assert stated["retired_by"]["name"] == certificate.organization.name
    assert stated["methodology"] is None, "the issuer recorded none: not invented"
    entry = data["ledger_entry"]
    assert entry["seq"] == certificate.ledger_entry_id
    assert entry["hash"] == entry["recomputed_hash"] == certificate.entry_hash
    proof = data["proof"]
    assert proof["verified"] is True
    assert proof["leaf_index"] == certificate.ledger_entry_id - 1
    assert proof["checkpoint"]["size"] >= certificate.ledger_entry_id
    covering = checkpoint_covering(seq=certificate.ledger_entry_id)
    assert covering is not None
    assert proof["checkpoint"]["root"] == covering.root_hex
    assert proof["audit_path"], "entries before and after the retirement make a non-trivial path"


@pytest.mark.django_db
def test_public_endpoints_let_a_cdn_cache_briefly(api_client, certificate):
    for url in (verify_url(certificate), page_url(certificate)):
        cache_control = api_client.get(url)["Cache-Control"]
        assert "public" in cache_control
        assert "max-age=60" in cache_control


@pytest.mark.django_db
def test_public_page_states_the_facts_and_the_verdict(client, certificate):
    response = client.get(page_url(certificate))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "<h1>Verified</h1>" in html
    assert certificate.serial in html
    assert "Acme Widgets Pvt Ltd" in html
    assert certificate.entry_hash in html
    assert verify_url(certificate) in html


@pytest.mark.django_db
def test_unknown_public_id_is_404_json_on_the_api_and_html_elsewhere(client):
    api = client.get("/api/certificates/verify/doesNotExist123/")
    page = client.get("/certificates/doesNotExist123/")

    assert api.status_code == 404
    assert api.json()["code"] == "certificate_not_found"
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")


@pytest.mark.django_db
def test_the_integer_id_does_not_open_the_public_page(client, certificate):
    assert client.get(f"/certificates/{certificate.pk}/").status_code == 404
    assert client.get(f"/api/certificates/verify/{certificate.pk}/").status_code == 404


@pytest.mark.django_db
def test_a_checkpoint_covering_the_retirement_is_stored_after_commit(django_capture_on_commit_callbacks):
    organization = UserFactory.create().organization
    block = issue(owner=organization, quantity_kg=100).owner_block

    with django_capture_on_commit_callbacks(execute=True):
        certificate = retire(organization=organization, block=block)

    assert checkpoint_covering(seq=certificate.ledger_entry_id) is not None


@pytest.mark.django_db
def test_the_public_check_never_writes_a_checkpoint_it_says_the_proof_is_pending(
    api_client, uncheckpointed_certificate
):
    certificate = uncheckpointed_certificate
    assert checkpoint_covering(seq=certificate.ledger_entry_id) is None

    data = api_client.get(verify_url(certificate)).json()

    assert data["valid"] is False
    assert checks(data) == {
        "entry_hash": True,
        "entry_matches_certificate": True,
        "inclusion_proof": False,
        "issuance_entry": False,  # nothing proves the issue entry either
        "movement_entries": True,  # there were none
    }
    detail = next(check["detail"] for check in data["checks"] if check["name"] == "inclusion_proof")
    assert "No checkpoint covers this entry yet" in detail
    assert not Checkpoint.objects.exists()


@pytest.mark.django_db
def test_forged_entry_content_makes_the_certificate_invalid(api_client, client, certificate):
    certificate_checkpoint_ensure(seq=certificate.ledger_entry_id)
    forge_quantity(certificate, rehash=False)

    data = api_client.get(verify_url(certificate)).json()

    assert data["valid"] is False
    assert checks(data)["entry_hash"] is False
    assert checks(data)["entry_matches_certificate"] is False, "the payload now says 2500 kg"
    assert data["ledger_entry"]["hash"] != data["ledger_entry"]["recomputed_hash"]
    assert "<h1>Not verified</h1>" in client.get(page_url(certificate)).content.decode()


@pytest.mark.django_db
def test_forged_and_rehashed_entry_fails_its_proof_and_the_certified_hash(api_client, certificate):
    certificate_checkpoint_ensure(seq=certificate.ledger_entry_id)
    forge_quantity(certificate, rehash=True)

    data = api_client.get(verify_url(certificate)).json()

    assert data["valid"] is False
    assert checks(data) == {
        "entry_hash": True,
        "entry_matches_certificate": False,
        "inclusion_proof": False,
        "issuance_entry": True,
        "movement_entries": True,
    }
    assert data["proof"]["verified"] is False


@pytest.mark.django_db
def test_forgery_before_any_checkpoint_gets_no_proof(api_client, uncheckpointed_certificate):
    certificate = uncheckpointed_certificate
    forge_quantity(certificate, rehash=False)
    assert certificate_checkpoint_ensure(seq=certificate.ledger_entry_id) is None

    data = api_client.get(verify_url(certificate)).json()

    assert data["valid"] is False
    assert data["proof"] is None
    assert checks(data)["inclusion_proof"] is False
    assert not Checkpoint.objects.exists(), "the ledger refuses to checkpoint a broken chain"


@pytest.mark.django_db
def test_rehashed_forgery_of_the_newest_entry_is_caught_by_the_certified_hash(api_client, uncheckpointed_certificate):
    # Forged before any checkpoint covered it: nothing follows the entry, so the chain and the next
    # checkpoint both accept the forgery; the hash recorded on (and printed on) the certificate does not.
    certificate = uncheckpointed_certificate
    forge_quantity(certificate, rehash=True)
    certificate_checkpoint_ensure(seq=certificate.ledger_entry_id)

    data = api_client.get(verify_url(certificate)).json()

    assert data["valid"] is False
    assert checks(data) == {
        "entry_hash": True,
        "entry_matches_certificate": False,
        "inclusion_proof": True,
        "issuance_entry": True,
        "movement_entries": True,
    }


@pytest.mark.django_db
def test_certificate_disagreeing_with_its_entry_is_invalid(api_client, certificate):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE certificates_retirementcertificate SET beneficiary = %s WHERE id = %s",
            ["Someone Else Ltd", certificate.pk],
        )

    data = api_client.get(verify_url(certificate)).json()

    assert data["valid"] is False
    assert checks(data) == {
        "entry_hash": True,
        "entry_matches_certificate": False,
        "inclusion_proof": True,
        "issuance_entry": True,
        "movement_entries": True,
    }
    detail = next(check["detail"] for check in data["checks"] if check["name"] == "entry_matches_certificate")
    assert "beneficiary" in detail


@pytest.mark.django_db
def test_certificate_pointing_at_another_entry_is_invalid(api_client, certificate):
    issue_entry = LedgerEntry.objects.filter(kind="issue").order_by("seq").first()
    assert issue_entry is not None
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE certificates_retirementcertificate SET ledger_entry_id = %s WHERE id = %s",
            [issue_entry.seq, certificate.pk],
        )

    data = api_client.get(verify_url(certificate)).json()

    assert data["valid"] is False
    assert checks(data)["entry_matches_certificate"] is False


@pytest.mark.django_db
def test_verification_query_count_is_bounded(api_client, certificate, django_assert_max_num_queries):
    certificate_checkpoint_ensure(seq=certificate.ledger_entry_id)

    # certificate, history, checkpoint, stored leaves, stored nodes, the issuance's reversal (none here)
    with django_assert_max_num_queries(6):
        assert api_client.get(verify_url(certificate)).json()["valid"] is True


@pytest.mark.django_db
@pytest.mark.parametrize("canonical", ["not json", "[1, 2]", '{"kind": "retire"}'])
def test_entry_text_that_is_no_longer_an_entry_is_invalid_not_an_error(api_client, certificate, canonical):
    with triggers_off() as cursor:
        cursor.execute(
            "UPDATE ledger_ledgerentry SET canonical = %s WHERE seq = %s", [canonical, certificate.ledger_entry_id]
        )

    response = api_client.get(verify_url(certificate))

    assert response.status_code == 200
    assert response.json()["valid"] is False
    assert checks(response.json())["entry_matches_certificate"] is False


@pytest.mark.django_db
def test_methodology_and_screening_version_come_from_the_issue_entry_memo(api_client):
    organization = UserFactory.create().organization
    project = ProjectFactory.create(owner=organization)
    block = credits_issue(
        project=project,
        vintage=2025,
        quantity_kg=100,
        buffer_share=Decimal(0),
        memo={"methodology": "Grid solar, combined margin (CEA v19)", "screening_version": "engine 2026.1"},
    ).owner_block
    certificate = retire(organization=organization, block=block, quantity_kg=40)
    certificate_checkpoint_ensure(seq=certificate.ledger_entry_id)  # as after commit

    stated = api_client.get(verify_url(certificate)).json()["certificate"]

    assert stated["methodology"] == "Grid solar, combined margin (CEA v19)"
    assert stated["screening_version"] == "engine 2026.1"


@pytest.mark.django_db
def test_an_unreadable_issue_entry_is_not_verified_and_states_no_methodology(api_client, certificate):
    issue_seq = LedgerEntry.objects.filter(kind="issue").order_by("seq").values_list("seq", flat=True).first()
    with triggers_off() as cursor:
        cursor.execute("UPDATE ledger_ledgerentry SET canonical = %s WHERE seq = %s", ["not json", issue_seq])

    response = api_client.get(page_url(certificate))

    assert response.status_code == 200
    assert "cannot be verified against the ledger" in response.content.decode()
    assert "<h1>Not verified</h1>" in response.content.decode()


@pytest.mark.django_db
def test_certificate_names_the_methodology_and_screening_version_of_screened_credits(
    user, django_capture_on_commit_callbacks
):
    """Credits issued by claim screening carry their methodology onto the retirement certificate."""
    from tests.verification.test_issuance import HONEST, submit

    claim = submit(user, HONEST[0]).json()
    client = client_for(user)
    with django_capture_on_commit_callbacks(execute=True):  # the checkpoint stored on commit
        retired = client.post(
            "/api/retire/",
            {
                "block": claim["issuance"]["block"],
                "quantity_kg": 1000,
                "beneficiary": "Acme",
                "reason": "2025 footprint",
            },
            format="json",
        )
    assert retired.status_code == 201, retired.content

    public = client.get(f"/api/certificates/verify/{retired.json()['certificate']['public_id']}/").json()

    assert public["certificate"]["methodology"].startswith("CDM AMS-I.D")
    assert public["certificate"]["screening_version"].startswith("automated screening engine-")
