"""The public transparency endpoints: checkpoints with their signed notes, consistency proofs, the key."""

import base64
import itertools

import pytest

from ledger import merkle, notes
from ledger.models import Checkpoint, LedgerEntry
from ledger.signing import key_ring
from tests.ledger.factories import checkpoint_made
from tests.ledger.test_chain import make_entries

pytestmark = pytest.mark.django_db


def checkpoints_at(*sizes: int) -> list[Checkpoint]:
    """Checkpoints of exactly these sizes (ascending), made as the registry makes them."""
    made: list[Checkpoint] = []
    entries = 0
    for size in sizes:
        make_entries(size - entries)
        entries = size
        made.append(checkpoint_made())
    assert [c.size for c in made] == list(sizes)
    return made


def leaves() -> list[bytes]:
    return [merkle.leaf_hash(bytes(h)) for h in LedgerEntry.objects.order_by("seq").values_list("hash", flat=True)]


def test_checkpoints_are_listed_newest_first_with_hex_roots(api_client, django_assert_max_num_queries):
    made = checkpoints_at(3, 7, 20)

    with django_assert_max_num_queries(2):
        response = api_client.get("/api/ledger/checkpoints/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3 and body["next"] is None
    assert [item["size"] for item in body["results"]] == [20, 7, 3]
    newest = body["results"][0]
    assert newest["root"] == made[-1].root_hex and newest["root"] == newest["root"].lower()
    assert newest["signed"] is True and set(newest) == {"size", "root", "created_at", "signed"}


def test_checkpoint_list_is_paginated(api_client):
    checkpoints_at(2, 3, 4)

    body = api_client.get("/api/ledger/checkpoints/?page_size=2").json()

    assert body["count"] == 3 and [item["size"] for item in body["results"]] == [4, 3]
    assert api_client.get(body["next"]).json()["results"][0]["size"] == 2


def test_a_checkpoint_page_carries_its_signed_note_which_verifies_with_the_published_key(api_client):
    (checkpoint,) = checkpoints_at(5)

    response = api_client.get("/api/ledger/checkpoints/5/")
    key = api_client.get("/api/ledger/public-key/").json()

    assert response.status_code == 200
    body = response.json()
    assert body["size"] == 5 and body["root"] == checkpoint.root_hex
    head = notes.open_checkpoint(body["note"], notes.parse_verifier_key(key["public_key"]), origin=key["origin"])
    assert (head.size, head.root) == (5, bytes(checkpoint.root))
    # The body is exactly the C2SP checkpoint: origin, size, base64 root; then the signature line.
    origin, size, root64, blank, signature, end = body["note"].split("\n")
    assert (origin, size, root64, blank, end) == (
        key["origin"],
        "5",
        base64.b64encode(checkpoint.root).decode(),
        "",
        "",
    )
    assert signature.startswith(f"\u2014 {key['origin']} ")


def test_unknown_checkpoint_sizes_are_404(api_client):
    checkpoints_at(4)

    for size in (3, 5, 0, 10**30):
        response = api_client.get(f"/api/ledger/checkpoints/{size}/")
        assert response.status_code == 404, size
        assert response.json()["code"] == "checkpoint_not_found"


def test_a_checkpoint_stored_before_signing_is_listed_with_a_null_note(api_client):
    make_entries(3)
    # As migration 0005 leaves older rows: no note (the root is right; only the signature is missing).
    Checkpoint.objects.create(size=3, root=merkle.root_of(leaves()), frontier=b"".join(_frontier(leaves())), note=None)

    listed = api_client.get("/api/ledger/checkpoints/").json()["results"][0]
    detail = api_client.get("/api/ledger/checkpoints/3/").json()

    assert listed["signed"] is False
    assert detail["note"] is None and detail["size"] == 3


def _frontier(leaf_hashes: list[bytes]) -> list[bytes]:
    frontier: list[bytes] = []
    merkle.extend(frontier, 0, leaf_hashes)
    return frontier


def test_consistency_proofs_between_every_pair_of_stored_checkpoints_match_the_rfc_reference(api_client):
    sizes = (1, 2, 3, 7, 8, 16, 17, 31, 33, 47)
    made = checkpoints_at(*sizes)
    roots = {c.size: bytes(c.root) for c in made}
    all_leaves = leaves()

    for first, second in itertools.combinations_with_replacement(sizes, 2):
        response = api_client.get(f"/api/ledger/consistency/?first={first}&second={second}")
        assert response.status_code == 200, (first, second, response.json())
        body = response.json()
        proof = [bytes.fromhex(node) for node in body["proof"]]
        assert (body["first"], body["second"]) == (first, second)
        # The reference: RFC 9162 §2.1.4.1 PROOF(m, D[n]) over every leaf in memory.
        assert proof == merkle.consistency_path(first, all_leaves[:second]), (first, second)
        assert merkle.verify_consistency(first, second, roots[first], roots[second], proof)
        assert all(node == node.lower() and len(node) == 64 for node in body["proof"])


def test_consistency_from_any_size_up_to_a_checkpoint(api_client):
    checkpoints_at(21)
    all_leaves = leaves()

    for first in range(1, 22):
        proof = [
            bytes.fromhex(h)
            for h in api_client.get(f"/api/ledger/consistency/?first={first}&second=21").json()["proof"]
        ]
        assert proof == merkle.consistency_path(first, all_leaves), first


def test_a_consistency_proof_reads_a_bounded_number_of_rows(api_client, django_assert_max_num_queries):
    checkpoints_at(40, 100)

    # The latest checkpoint, the second one; then the entry group and the stored nodes of the plan.
    with django_assert_max_num_queries(2):
        response = api_client.get("/api/ledger/consistency/?first=40&second=40")
    with django_assert_max_num_queries(4):
        response = api_client.get("/api/ledger/consistency/?first=37&second=40")

    assert response.status_code == 200 and response.json()["proof"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("first=8&second=5", "first"),  # first > second
        ("first=5&second=9", "second"),  # beyond the latest checkpoint (8)
        ("first=9&second=9", "second"),
        ("first=0&second=5", "first"),
        ("first=-1&second=5", "first"),
        ("first=abc&second=5", "first"),
        ("first=1", "second"),
        ("second=5", "first"),
        ("first=1&second=99999999999999999999999", "second"),
    ],
)
def test_impossible_consistency_requests_are_400_naming_the_field(api_client, query, field):
    checkpoints_at(5, 8)

    response = api_client.get(f"/api/ledger/consistency/?{query}")

    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"], response.json()


def test_consistency_before_any_checkpoint_is_400(api_client):
    make_entries(3)

    response = api_client.get("/api/ledger/consistency/?first=1&second=3")

    assert response.status_code == 400 and response.json()["code"] == "consistency_out_of_range"


def test_consistency_to_a_size_that_is_no_checkpoint_is_404(api_client):
    checkpoints_at(5, 8)

    response = api_client.get("/api/ledger/consistency/?first=2&second=6")

    assert response.status_code == 404 and response.json()["code"] == "checkpoint_not_found"


def test_the_public_key_is_the_c2sp_verifier_key_of_the_signing_key(api_client, settings):
    response = api_client.get("/api/ledger/public-key/")

    assert response.status_code == 200
    body = response.json()
    ring = key_ring()
    verifier = notes.parse_verifier_key(body["public_key"])
    assert verifier.public_key == ring.verifier.public_key
    assert body["origin"] == settings.LEDGER_ORIGIN == verifier.name
    assert body["key_id"] == verifier.key_id_hex and len(body["key_id"]) == 8
    assert body["public_key"].startswith(f"{body['origin']}+{body['key_id']}+")
    assert body["algorithm"] == "ed25519" and body["previous_keys"] == []
