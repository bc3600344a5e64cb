import re
from pathlib import Path

import pytest

from ledger import merkle
from ledger.services import checkpoint_create, credits_reserve, credits_retire, credits_transfer
from tests.accounts.factories import OrganizationFactory, UserFactory
from tests.conftest import client_for
from tests.ledger.factories import checkpoint_made, issue
from tests.ledger.tamper import triggers_off
from tests.ledger.test_chain import make_entries

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).resolve().parents[2] / "docs" / "LEDGER.md"


def test_holdings_list_own_blocks_with_project_and_serial(auth_client, user, django_assert_max_num_queries):
    mine = issue(owner=user.organization, quantity_kg=1000).owner_block
    credits_reserve(owner=user.organization, block=mine.pk, quantity_kg=100)
    for _ in range(3):
        issue(owner=user.organization)
    issue()  # someone else's

    with django_assert_max_num_queries(4):  # user, count, page (+ savepoints)
        response = auth_client.get("/api/holdings/")

    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 5
    block = next(b for b in data["results"] if b["id"] == mine.pk)
    project = mine.project
    assert block == {
        "id": mine.pk,
        "serial": f"CC-GB-{project.pk:06d}-2025-1-800",
        "quantity_kg": 800,
        "quantity_t": "0.800",
        "project": {"id": project.pk, "title": project.title, "category": "solar", "country": "GB"},
        "vintage": 2025,
        "status": "available",
        "serial_start": 1,
        "serial_end": 800,
        "parent": None,
    }


def test_holdings_filter_by_status_and_refuse_an_unknown_one(auth_client, user):
    block = issue(owner=user.organization, quantity_kg=1000).owner_block
    listed = credits_reserve(owner=user.organization, block=block.pk, quantity_kg=100).block

    listed_only = auth_client.get("/api/holdings/?status=listed").json()
    bad = auth_client.get("/api/holdings/?status=gone")

    assert [b["id"] for b in listed_only["results"]] == [listed.pk]
    assert listed_only["results"][0]["parent"] == block.pk
    assert bad.status_code == 400 and "status" in bad.json()["errors"]


def test_holdings_need_a_token(api_client):
    assert api_client.get("/api/holdings/").status_code == 401


def test_entries_are_public_in_chain_order_with_hex_hashes(api_client):
    block = issue(quantity_kg=100).owner_block
    credits_retire(owner=block.owner, block=block.pk, quantity_kg=5, memo={"beneficiary": "Ada"})

    data = api_client.get("/api/ledger/entries/").json()

    assert [e["seq"] for e in data["results"]] == [1, 2]
    first, second = data["results"]
    assert first["prev_hash"] == "0" * 64
    assert second["prev_hash"] == first["hash"] and len(second["hash"]) == 64
    assert second["kind"] == "retire"
    assert second["payload"]["memo"] == {"beneficiary": "Ada"}
    assert second["canonical"].startswith('{"created_at":"')
    assert set(second) == {"seq", "kind", "payload", "prev_hash", "hash", "created_at", "canonical"}


def test_entries_filter_by_kind_and_by_serial(api_client):
    issued = issue(quantity_kg=1000)  # owner 1..900, buffer 901..1000
    block, project = issued.owner_block, issued.owner_block.project
    moved = credits_transfer(sender=block.owner, block=block.pk, quantity_kg=100, to=OrganizationFactory.create())
    credits_retire(owner=block.owner, block=block.pk, quantity_kg=10)  # serials 791..800
    issue(quantity_kg=1000)  # another project: serials 1..900 again

    def seqs(query):
        response = api_client.get(f"/api/ledger/entries/?{query}")
        assert response.status_code == 200, response.content
        return [e["seq"] for e in response.json()["results"]]

    prefix = f"CC-GB-{project.pk:06d}-2025"
    assert seqs("kind=transfer") == [moved.entry.seq]
    assert seqs(f"serial={prefix}-801-900") == [1, 2], "issued, then transferred"
    assert seqs(f"serial={prefix}-850") == [1, 2], "one kilogram's history"
    assert seqs(f"serial={prefix}-795") == [1, 3]
    assert seqs(f"serial={prefix}-950") == [1], "the buffer's part"
    assert seqs(f"serial={prefix}-1-1000&kind=retire") == [3]
    assert seqs("serial=850") == [1, 2, 4], "a bare number matches every project and vintage"
    assert seqs(f"serial={prefix.lower()}-850") == [1, 2]


@pytest.mark.parametrize("query", ["serial=CC-GB-1-2025", "serial=XX", "serial=CC-GB-000001-2025-9-3", "kind=mint"])
def test_entries_refuse_a_bad_filter_with_a_400(api_client, query):
    response = api_client.get(f"/api/ledger/entries/?{query}")

    assert response.status_code == 400
    assert query.split("=")[0] in response.json()["errors"]


def test_one_entry_and_a_missing_one(api_client):
    make_entries(2)

    assert api_client.get("/api/ledger/entries/2/").json()["seq"] == 2
    missing = api_client.get("/api/ledger/entries/9/")
    assert missing.status_code == 404 and missing.json()["code"] == "entry_not_found"


def test_head_is_public_and_names_the_latest_checkpoint(api_client):
    empty = api_client.get("/api/ledger/head/").json()
    assert empty == {
        "seq": 0,
        "hash": "0" * 64,
        "created_at": None,
        "checkpoint": {"size": 0, "root": merkle.EMPTY_ROOT.hex(), "created_at": None},
    }

    make_entries(5)
    checkpoint = checkpoint_made()
    make_entries(1)
    head = api_client.get("/api/ledger/head/").json()

    last = api_client.get("/api/ledger/entries/6/").json()
    assert (head["seq"], head["hash"]) == (6, last["hash"])
    assert head["checkpoint"]["size"] == 5 and head["checkpoint"]["root"] == checkpoint.root_hex


def test_proof_endpoint_returns_a_proof_that_verifies_against_the_head(api_client):
    make_entries(21)
    checkpoint_create()
    make_entries(1)
    root = api_client.get("/api/ledger/head/").json()["checkpoint"]["root"]
    entry = api_client.get("/api/ledger/entries/7/").json()

    proof = api_client.get("/api/ledger/entries/7/proof/").json()
    late = api_client.get("/api/ledger/entries/22/proof/")
    missing = api_client.get("/api/ledger/entries/99/proof/")

    assert (proof["seq"], proof["leaf_index"], proof["tree_size"], proof["root"]) == (7, 6, 21, root)
    assert proof["entry_hash"] == entry["hash"]
    assert proof["leaf_hash"] == merkle.leaf_hash(bytes.fromhex(entry["hash"])).hex()
    assert merkle.verify_inclusion(
        leaf_hash=bytes.fromhex(proof["leaf_hash"]),
        leaf_index=proof["leaf_index"],
        tree_size=proof["tree_size"],
        audit_path=[bytes.fromhex(h) for h in proof["audit_path"]],
        root=bytes.fromhex(root),
    )
    assert late.status_code == 409
    assert late.json()["code"] == "entry_not_checkpointed" and late.json()["checkpoint_size"] == 21
    assert missing.status_code == 404


def test_verify_is_for_verifiers_only(api_client, auth_client, verifier_client):
    make_entries(3)

    assert api_client.get("/api/ledger/verify/").status_code == 401
    assert auth_client.get("/api/ledger/verify/").status_code == 403
    response = verifier_client.get("/api/ledger/verify/")
    assert response.status_code == 200
    assert response.json() == {
        "ok": True,
        "entries_checked": 3,
        "first_bad_seq": None,
        "head_seq": 3,
        "checkpoints_checked": 0,
        "problems": [],
        "signatures_checked": 0,
        "unsigned_checkpoints": 0,
    }


def test_verify_endpoint_reports_the_first_bad_seq(verifier_client):
    make_entries(6)
    with triggers_off() as cursor:
        cursor.execute("UPDATE ledger_ledgerentry SET canonical = replace(canonical, 'retire', 'rEtire') WHERE seq = 4")

    data = verifier_client.get("/api/ledger/verify/").json()

    assert data["ok"] is False and data["first_bad_seq"] == 4


def _documented_script() -> dict:
    match = re.search(r"<!-- verify-script.*?-->\s*```python\n(.*?)```", DOCS.read_text(), re.DOTALL)
    assert match, "docs/LEDGER.md must keep its verification script"
    code = match.group(1)
    assert len([line for line in code.splitlines() if line.strip()]) <= 20, "a script short enough to read"
    namespace: dict = {}
    exec(compile(code, str(DOCS), "exec"), namespace)  # noqa: S102 - our own documentation
    return namespace


def _all_entries(client) -> list[dict]:
    entries, url = [], "/api/ledger/entries/?page_size=7"
    while url:
        page = client.get(url).json()
        entries.extend(page["results"])
        url = page["next"]
    return entries


def test_the_documented_outsider_script_reverifies_the_chain_from_the_api(api_client):
    script = _documented_script()
    block = issue(quantity_kg=5000).owner_block
    buyer = OrganizationFactory.create()
    credits_transfer(sender=block.owner, block=block.pk, quantity_kg=10, to=buyer, memo={"note": "Grüße ✓"})
    make_entries(18)

    entries = _all_entries(api_client)

    assert len(entries) == 20
    assert script["first_bad_seq"](entries) is None
    assert entries[-1]["hash"] == api_client.get("/api/ledger/head/").json()["hash"]
    with triggers_off() as cursor:
        cursor.execute("UPDATE ledger_ledgerentry SET canonical = replace(canonical, 'Grüße', 'Grusse') WHERE seq = 2")
    assert script["first_bad_seq"](_all_entries(api_client)) == 2


def test_public_endpoints_appear_in_the_schema(api_client):
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    for path in [
        "/api/holdings/",
        "/api/ledger/entries/",
        "/api/ledger/entries/{seq}/proof/",
        "/api/ledger/head/",
        "/api/ledger/verify/",
    ]:
        assert path in schema["paths"], path


def test_a_verifier_is_a_user_like_any_other_for_holdings():
    verifier = UserFactory.create(verifier=True)
    issue(owner=verifier.organization)

    assert client_for(verifier).get("/api/holdings/").json()["count"] == 1


@pytest.mark.parametrize("path", ["/api/ledger/entries/{seq}/", "/api/ledger/entries/{seq}/proof/"])
def test_a_seq_beyond_any_integer_column_is_a_404_not_a_500(api_client, path):
    make_entries(1)
    checkpoint_create()

    response = api_client.get(path.format(seq=10**30))

    assert response.status_code == 404
