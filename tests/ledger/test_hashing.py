"""The hash layout of docs/LEDGER.md, against RFC 8785's own examples and an independent re-computation."""

import hashlib
import json
import struct
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
import rfc8785

from ledger.hashing import (
    GENESIS_PREV_HASH,
    TAG,
    CanonicalTypeError,
    canonical_json,
    entry_body,
    entry_canonical,
    entry_hash,
    format_timestamp,
)

# RFC 8785 §3.2.2: the input as the RFC prints it, and its canonical form.
RFC8785_INPUT = r"""{
  "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
  "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
  "literals": [null, true, false]
}"""
RFC8785_OUTPUT = (
    '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
    '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
)


def test_rfc8785_example_canonicalises_as_the_rfc_prints_it():
    assert rfc8785.dumps(json.loads(RFC8785_INPUT)).decode() == RFC8785_OUTPUT


def test_rfc8785_sorts_keys_by_utf16_code_units():
    # RFC 8785 §3.2.3: the emoji (a surrogate pair, 0xD83D...) sorts before U+FB33.
    data = {
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\U0001f600": "Emoji: Grinning Face",
        "\u0080": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis",
    }

    keys = list(json.loads(rfc8785.dumps(data)))

    assert keys == ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]


@pytest.mark.parametrize(
    ("ieee754", "expected"),
    [  # RFC 8785 Appendix B
        ("0000000000000000", "0"),
        ("8000000000000000", "0"),
        ("0000000000000001", "5e-324"),
        ("7fefffffffffffff", "1.7976931348623157e+308"),
        ("4340000000000000", "9007199254740992"),
        ("44b52d02c7e14af6", "1e+23"),
        ("3eb0c6f7a0b5ed8d", "0.000001"),
        ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
    ],
)
def test_rfc8785_number_vectors(ieee754, expected):
    assert rfc8785.dumps(struct.unpack(">d", bytes.fromhex(ieee754))[0]).decode() == expected


@pytest.mark.parametrize("bad", [1.5, Decimal("1.5"), datetime(2025, 1, 1, tzinfo=UTC), {1: "x"}, {"a": [0.1]}, b"x"])
def test_canonical_json_refuses_floats_and_other_ambiguous_values(bad):
    with pytest.raises(CanonicalTypeError):
        canonical_json({"value": bad})


def test_canonical_json_refuses_integers_beyond_the_exact_json_range():
    with pytest.raises(rfc8785.IntegerDomainError):
        canonical_json({"value": 2**53})


def test_timestamps_are_utc_with_six_digits_and_z():
    moment = datetime(2025, 3, 4, 5, 6, 7, tzinfo=timezone(timedelta(hours=2)))

    assert format_timestamp(moment) == "2025-03-04T03:06:07.000000Z"
    with pytest.raises(ValueError, match="timezone-aware"):
        format_timestamp(datetime(2025, 1, 1))  # noqa: DTZ001 - the naive datetime is the point


def test_spliced_created_at_is_exactly_rfc8785_of_the_whole_entry():
    payload = {"memo": {"beneficiary": "Müller GmbH ✓ 😀", "z": "\u2028"}, "quantity_kg": 7, "to": "12"}
    body = entry_body(kind="retire", payload=payload)

    spliced = entry_canonical(created_at="2025-06-01T12:00:00.000001Z", body=body)

    whole: dict[str, Any] = {"created_at": "2025-06-01T12:00:00.000001Z", "kind": "retire", "payload": payload}
    assert spliced == rfc8785.dumps(whole)


def test_entry_hash_follows_the_documented_layout():
    canonical = b'{"created_at":"2025-01-01T00:00:00.000000Z","kind":"issue","payload":{}}'

    digest = entry_hash(seq=1, prev_hash=GENESIS_PREV_HASH, canonical=canonical)

    # docs/LEDGER.md: SHA-256("CarbonCred/ledger/v1" NUL, seq as u64 big-endian, prev_hash, canonical)
    independent = hashlib.sha256(b"CarbonCred/ledger/v1\x00" + b"\x00" * 7 + b"\x01" + b"\x00" * 32 + canonical)
    assert TAG == b"CarbonCred/ledger/v1\x00"
    assert digest == independent.digest()
    # Pinned, so that any change of the layout is a deliberate, visible one.
    assert digest.hex() == independent.hexdigest() == PINNED_GENESIS_HASH


def test_entry_hash_depends_on_every_part():
    canonical = b'{"created_at":"2025-01-01T00:00:00.000000Z","kind":"issue","payload":{}}'
    base = entry_hash(seq=2, prev_hash=b"\x01" * 32, canonical=canonical)

    assert entry_hash(seq=3, prev_hash=b"\x01" * 32, canonical=canonical) != base
    assert entry_hash(seq=2, prev_hash=b"\x02" * 32, canonical=canonical) != base
    assert entry_hash(seq=2, prev_hash=b"\x01" * 32, canonical=canonical.replace(b"issue", b"trade")) != base


PINNED_GENESIS_HASH = "6f3f32a6842ccbb30f09a78e95da82991d79c3c798fa018e5e3e7d62cf471e81"
