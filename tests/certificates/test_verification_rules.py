"""The verification verdict as pure functions over plain values."""

import pytest

from certificates.checks import (
    Verification,
    check_entry_hash,
    check_entry_matches_certificate,
    check_inclusion,
    retire_entry_claims,
    serial_key,
)

HASH = "ab" * 32
EXPECTED = {"serial": "CC-IN-000042-2025-1001-2250", "quantity_kg": 1250, "owner": 7}


def matches(**overrides):
    arguments = {
        "kind": "retire",
        "stored_hash": HASH,
        "certified_hash": HASH,
        "expected": EXPECTED,
        "payload": {**EXPECTED, "memo": {"beneficiary": "Acme"}},
    }
    return check_entry_matches_certificate(**{**arguments, **overrides})


def test_all_checks_passing_is_valid():
    verification = Verification(
        (
            check_entry_hash(stored_hash=HASH, recomputed_hash=HASH),
            matches(),
            check_inclusion(proof_ok=True, checkpoint_size=9),
        )
    )

    assert verification.valid
    assert verification.failures == ()


def test_no_checks_is_not_valid():
    assert not Verification(()).valid


def test_entry_whose_content_no_longer_hashes_to_its_hash_is_invalid():
    check = check_entry_hash(stored_hash=HASH, recomputed_hash="cd" * 32)

    assert not check.ok
    assert "altered" in check.detail
    assert not Verification((check, matches())).valid


def test_entry_disagreeing_with_the_certificate_names_the_fields():
    check = matches(payload={**EXPECTED, "quantity_kg": 9999, "owner": 8})

    assert not check.ok
    assert "owner, quantity_kg" in check.detail


def test_missing_payload_field_is_a_disagreement():
    payload = dict(EXPECTED)
    del payload["serial"]

    assert not matches(payload=payload).ok


def test_entry_of_another_kind_is_not_a_retirement():
    check = matches(kind="transfer")

    assert not check.ok
    assert "not a retirement" in check.detail


def test_entry_rehashed_after_the_certificate_was_issued_is_invalid():
    # A rewrite that recomputed the entry's own hash still differs from the hash the certificate
    # recorded (and printed) at retirement.
    check = matches(stored_hash="ef" * 32)

    assert not check.ok
    assert "recorded on the certificate" in check.detail


def test_failed_or_missing_inclusion_proof_is_invalid():
    assert not check_inclusion(proof_ok=False, checkpoint_size=9).ok
    missing = check_inclusion(proof_ok=None, checkpoint_size=None, reason="No checkpoint covers entry 12 yet.")
    assert not missing.ok
    assert missing.detail == "No checkpoint covers entry 12 yet."


def retire_payload(**overrides):
    payload = {
        "quantity_kg": 250,
        "from": "7",
        "to": "7",
        "source": "3",
        "block": "9",
        "blocks": [
            {
                "id": "3",
                "project": "4",
                "vintage": 2025,
                "serial_start": "1",
                "serial_end": "750",
                "status": "available",
            },
            {
                "id": "9",
                "project": "4",
                "vintage": 2025,
                "serial_start": "751",
                "serial_end": "1000",
                "owner": "7",
                "status": "retired",
            },
        ],
        "memo": {"beneficiary": "Acme", "reason": "2025 scope 2"},
    }
    payload.update(overrides)
    return payload


def test_retire_claims_describe_the_retired_block_not_the_source():
    claims = retire_entry_claims(retire_payload())

    assert claims == {
        "organization": "7",
        "quantity_kg": 250,
        "block": "9",
        "serial": serial_key("4", 2025, "751", "1000"),
        "serial_start": "751",
        "serial_end": "1000",
        "owner": "7",
        "status": "retired",
        "beneficiary": "Acme",
        "reason": "2025 scope 2",
    }


@pytest.mark.parametrize(
    ("payload", "key"),
    [
        (None, "serial_start"),
        ("text", "serial_start"),
        ([], "serial_start"),
        ({}, "serial_start"),
        (retire_payload(blocks="x"), "serial_start"),
        (retire_payload(blocks=[1, None]), "serial_start"),
        (retire_payload(memo=["a"]), "beneficiary"),
    ],
)
def test_retire_claims_of_a_malformed_payload_are_missing_not_an_error(payload, key):
    claims = retire_entry_claims(payload)

    assert claims[key] is None
    assert not matches(payload=claims, expected={key: "751"}).ok
