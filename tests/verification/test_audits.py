"""Audits of automatic issuances: the sampling policy, its reproducible draw, the queue for verifiers
(confirm, reverse) and the published seeds."""

import hashlib
import hmac
import itertools
import math
import re
import textwrap
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from ledger.models import LedgerEntry
from tests.accounts.factories import UserFactory
from tests.conftest import client_for
from tests.verification.reversals import REVERSE, fund_pool, issued_claim
from tests.verification.test_issuance import HONEST, submit
from verification import sampling
from verification.models import Audit
from verification.selectors import audit_seeds

KEY = b"a fixed key, so that every draw in these tests is the same on every run"
POLICY = {"min_rate": Decimal("0.05"), "max_rate": Decimal("0.50"), "exponent": Decimal(2)}
AUDITS = "/api/audits/"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "VERIFICATION.md"
# Approved claims whose evidence numbers differ from each other's (shared ones would send the later
# claims to review as evidence seen in another organisation's claim).
DISTINCT = [
    case
    for case in HONEST
    if case.name in {"india_50kwp_70mwh", "gb_led_40pct", "gb_cardboard_20t", "ke_diesel_to_solar"}
]


def binomial_interval(n: int, p: float, confidence: float = 0.999) -> tuple[int, int]:
    """The central ``confidence`` interval of Binomial(n, p): [L, U] with P(X < L) and P(X > U) each at
    most (1 - confidence) / 2. Exact sums of the probability mass (log space, no approximation)."""
    tail = (1 - confidence) / 2

    def pmf(k: int) -> float:
        log = math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
        return math.exp(log + k * math.log(p) + (n - k) * math.log1p(-p))

    cumulative, lower, upper = 0.0, None, n
    for k in range(n + 1):
        cumulative += pmf(k)
        if lower is None and cumulative > tail:
            lower = k
        if cumulative >= 1 - tail:
            upper = k
            break
    assert lower is not None
    return lower, upper


# --- the policy: pure functions -----------------------------------------------------------------


def test_the_rate_rises_with_risk_from_the_minimum_to_the_maximum():
    rates = [sampling.sampling_rate(Decimal(r) / 100, **POLICY) for r in range(101)]

    assert rates[0] == Decimal("0.05") and rates[-1] == Decimal("0.50")
    assert all(a <= b for a, b in itertools.pairwise(rates)), "never falls as risk rises"
    assert rates[50] == Decimal("0.162500")  # 0.05 + 0.45 x 0.5^2
    assert sampling.sampling_rate(Decimal("0.7"), **POLICY) == Decimal("0.270500")
    # Rounded up to 6 places (an audit is never made less likely by rounding); clamped outside 0..1.
    assert sampling.sampling_rate(Decimal("0.3333"), **POLICY) == Decimal("0.099991")  # 0.0999900005 up
    assert sampling.sampling_rate(Decimal("0.0001"), **POLICY) == Decimal("0.050001")
    assert sampling.sampling_rate(Decimal("-1"), **POLICY) == Decimal("0.05")
    assert sampling.sampling_rate(Decimal("7"), **POLICY) == Decimal("0.50")
    linear = {**POLICY, "exponent": Decimal(1)}
    assert sampling.sampling_rate(Decimal("0.5"), **linear) == Decimal("0.275000")


def test_the_threshold_is_exact_integer_arithmetic():
    assert sampling.threshold(Decimal(0)) == 0
    assert sampling.threshold(Decimal(1)) == 2**64
    assert sampling.threshold(Decimal("0.5")) == 2**63
    assert sampling.threshold(Decimal("0.05")) == (5 * 2**64) // 100
    assert sampling.is_sampled(2**64 - 1, Decimal(1)) and not sampling.is_sampled(0, Decimal(0))


@pytest.mark.parametrize("risk", ["0", "0.1", "0.3", "0.5", "0.69", "0.9"])
def test_the_sampling_rate_over_many_claims_matches_the_policy(risk):
    """2,000 claims per risk bucket, drawn with a fixed key: the count sampled lies within the 99.9 %
    binomial interval of the policy's rate. The draws are deterministic, so this cannot flake; a biased
    draw (a wrong threshold, a skewed hash slice) would land outside the interval."""
    rate = sampling.sampling_rate(Decimal(risk), **POLICY)
    bucket = int(Decimal(risk) * 100)
    draws = [
        sampling.draw_for(key=KEY, claim_id=bucket * 100_000 + n, risk=Decimal(risk), period="2025-06", **POLICY)
        for n in range(1, 2_001)
    ]

    sampled = sum(draw.sampled for draw in draws)

    lower, upper = binomial_interval(2_000, float(rate))
    assert lower <= sampled <= upper, f"{sampled} of 2,000 sampled at rate {rate}; expected {lower}..{upper}"
    assert {draw.rate for draw in draws} == {rate}


def test_the_draw_is_uniform_over_many_claims():
    """The draw itself: 20,000 claims fall into ten equal bins within the 99.9 % interval each."""
    bins = [0] * 10
    salt = sampling.period_salt(KEY, "2025-06")
    for claim_id in range(1, 20_001):
        bins[sampling.draw(salt, claim_id) * 10 >> 64] += 1
    lower, upper = binomial_interval(20_000, 0.1)
    assert all(lower <= count <= upper for count in bins), bins


def test_draws_depend_on_the_claim_the_period_and_the_key():
    salt = sampling.period_salt(KEY, "2025-06")
    assert sampling.draw(salt, 1) == sampling.draw(sampling.period_salt(KEY, "2025-06"), 1)  # reproducible
    assert sampling.draw(salt, 1) != sampling.draw(salt, 2)
    assert sampling.draw(salt, 1) != sampling.draw(sampling.period_salt(KEY, "2025-07"), 1)
    assert sampling.draw(salt, 1) != sampling.draw(sampling.period_salt(b"another key", "2025-06"), 1)
    # Known answer: anyone re-implementing the draw from docs/VERIFICATION.md can compare.
    expected_salt = hmac.new(KEY, b"CarbonCred/audit-salt/v1\x002025-06", hashlib.sha256).digest()
    expected = int.from_bytes(hmac.new(expected_salt, b"CarbonCred/audit-draw/v1\x001", hashlib.sha256).digest()[:8])
    assert (salt, sampling.draw(salt, 1)) == (expected_salt, expected)
    assert sampling.salt_commitment(salt) == hashlib.sha256(b"CarbonCred/audit-commit/v1\x00" + salt).hexdigest()
    assert sampling.period_of(datetime(2025, 6, 30, 23, 59, tzinfo=UTC)) == "2025-06"


# --- sampling in the issuance -------------------------------------------------------------------


@pytest.mark.django_db
def test_at_rate_one_every_automatic_issuance_is_audited_in_its_transaction(settings, user):
    settings.AUDIT_MIN_RATE = settings.AUDIT_MAX_RATE = Decimal(1)

    claim = issued_claim(user)

    audit = Audit.objects.get(claim_id=claim["id"])
    assert (audit.status, audit.rate, audit.risk_score) == (
        "open",
        Decimal(1),
        Decimal(claim["verification"]["risk_score"]),
    )
    assert audit.period == sampling.period_of(audit.sampled_at)
    memo = LedgerEntry.objects.get(seq=claim["issuance"]["ledger_entry"]["seq"]).payload["memo"]
    assert (memo["audit_rate"], memo["audit_period"]) == ("1.000000", audit.period)


@pytest.mark.django_db
def test_at_rate_zero_no_issuance_is_audited(settings, user):
    settings.AUDIT_MIN_RATE = settings.AUDIT_MAX_RATE = Decimal(0)

    claim = issued_claim(user)

    assert not Audit.objects.exists()
    memo = LedgerEntry.objects.get(seq=claim["issuance"]["ledger_entry"]["seq"]).payload["memo"]
    assert memo["audit_rate"] == "0.000000"


@pytest.mark.django_db
def test_anyone_can_recheck_the_draws_once_the_month_is_over(settings, api_client):
    """From public data only: the issue entries' memo (claim, period, rate) and the salt published
    after the month, which must hash to the commitment published before it."""
    settings.AUDIT_SEED_KEY = "the registry's secret"
    settings.AUDIT_MIN_RATE = settings.AUDIT_MAX_RATE = Decimal("0.5")
    now = timezone.now()
    pinned = {seed["period"]: seed for seed in api_client.get("/api/audit-seeds/").json()}
    current = sampling.period_of(now)
    assert pinned[current]["salt"] is None  # not during the month: nobody can predict a draw
    for case in DISTINCT:
        assert submit(UserFactory.create(), case).json()["status"] == "approved"
    assert not any(seed["salt"] for seed in api_client.get("/api/audit-seeds/").json() if seed["period"] >= current)

    next_month = datetime(now.year + now.month // 12, now.month % 12 + 1, 2, tzinfo=UTC)
    revealed = {seed.period: seed for seed in audit_seeds(now=next_month)}[current]
    assert revealed.salt is not None  # the month is over
    salt = bytes.fromhex(revealed.salt)
    assert sampling.salt_commitment(salt) == pinned[current]["commitment"] == revealed.commitment

    issues = [entry.payload["memo"] for entry in LedgerEntry.objects.filter(kind="issue")]
    assert len(issues) == len(DISTINCT) == 4
    for memo in issues:
        drawn = sampling.draw(salt, int(memo["claim"]))
        sampled = sampling.is_sampled(drawn, Decimal(memo["audit_rate"]))
        audit = Audit.objects.filter(claim_id=int(memo["claim"])).first()
        assert sampled == (audit is not None), memo
        if audit is not None:
            assert audit.draw == f"{drawn:016x}"


@pytest.mark.django_db
def test_seeds_are_public_and_list_next_month_before_it_starts(api_client):
    response = api_client.get("/api/audit-seeds/")

    assert response.status_code == 200
    seeds = response.json()
    now = timezone.now()
    upcoming = f"{now.year + now.month // 12}-{now.month % 12 + 1:02d}"
    assert [seed["period"] for seed in seeds[:2]] == [upcoming, sampling.period_of(now)]
    assert all(seed["salt"] is None for seed in seeds[:2])
    assert all(len(seed["commitment"]) == 64 for seed in seeds)


# --- the queue ----------------------------------------------------------------------------------


@pytest.fixture
def audited(settings, user):
    settings.AUDIT_MIN_RATE = settings.AUDIT_MAX_RATE = Decimal(1)
    claim = issued_claim(user)
    return Audit.objects.get(claim_id=claim["id"])


@pytest.mark.django_db
def test_the_queue_is_for_verifiers_only(audited, api_client, auth_client, verifier_client):
    assert api_client.get(AUDITS).status_code == 401
    assert auth_client.get(AUDITS).status_code == 403
    assert client_for(UserFactory.create()).post(f"{AUDITS}{audited.pk}/confirm/", {}, format="json").status_code == 403

    response = verifier_client.get(AUDITS)

    assert response.status_code == 200
    (item,) = response.json()["results"]
    assert item["id"] == audited.pk and item["claim"] == audited.claim_id
    assert (item["status"], item["risk_score"], item["rate"]) == ("open", str(audited.risk_score), "1.000000")
    assert item["sampled_at"] and item["draw"] == audited.draw and item["issuance"]["block"]


@pytest.mark.django_db
def test_the_queue_lists_in_a_fixed_number_of_queries(settings, verifier_client, django_assert_max_num_queries):
    settings.AUDIT_MIN_RATE = settings.AUDIT_MAX_RATE = Decimal(1)
    for case in DISTINCT:
        assert submit(UserFactory.create(), case).json()["status"] == "approved"
    assert Audit.objects.count() == 4

    with django_assert_max_num_queries(4):  # user and groups, count, page (audits, claims, owners, issuances)
        response = verifier_client.get(AUDITS, {"status": "open"})

    assert response.status_code == 200 and response.json()["count"] == 4


@pytest.mark.django_db
def test_a_verifier_confirms_an_audit_once(audited, verifier_client, verifier):
    url = f"{AUDITS}{audited.pk}/confirm/"

    first = verifier_client.post(url, {"note": "Meter photos match the readings"}, format="json")
    second = verifier_client.post(url, {"note": "again"}, format="json")

    assert first.status_code == 200, first.content
    assert (first.json()["status"], first.json()["note"], first.json()["decided_by"]) == (
        "confirmed",
        "Meter photos match the readings",
        verifier.email,
    )
    assert second.status_code == 409 and second.json()["code"] == "audit_not_open"
    assert verifier_client.get(AUDITS, {"status": "open"}).json()["count"] == 0
    assert verifier_client.get(AUDITS, {"status": "confirmed"}).json()["count"] == 1


@pytest.mark.django_db
def test_a_verifier_cannot_audit_their_own_organisation(audited):
    colleague = UserFactory.create(organization=audited.claim.project.owner, verifier=True)

    response = client_for(colleague).post(f"{AUDITS}{audited.pk}/confirm/", {}, format="json")

    assert response.status_code == 403 and response.json()["code"] == "conflict_of_interest"
    audited.refresh_from_db()
    assert audited.status == "open"


@pytest.mark.django_db
def test_reversing_a_sampled_claim_closes_its_audit(audited, verifier_client, verifier):
    fund_pool(1_000)

    response = verifier_client.post(REVERSE.format(audited.claim_id), {"reason": "Readings invented"}, format="json")

    assert response.status_code == 200, response.content
    audited.refresh_from_db()
    assert (audited.status, audited.decided_by, audited.note) == ("reversed", verifier, "Readings invented")
    assert audited.reversal.claim_id == audited.claim_id
    late = verifier_client.post(f"{AUDITS}{audited.pk}/confirm/", {}, format="json")
    assert late.status_code == 409 and late.json()["code"] == "audit_not_open"
    unknown = verifier_client.post(f"{AUDITS}{10**9}/confirm/", {}, format="json")
    assert unknown.status_code == 404


def test_the_recheck_script_in_the_docs_agrees_with_the_registry():
    match = re.search(r"<!-- audit-draw-script.*?-->\s*```python\n(.*?)```", DOCS.read_text(), re.DOTALL)
    assert match, "docs/VERIFICATION.md must keep its re-check script"
    namespace: dict = {}
    exec(textwrap.dedent(match.group(1)), namespace)  # noqa: S102 - our own documentation
    salt = sampling.period_salt(KEY, "2025-06")
    for claim_id, rate in itertools.product(range(1, 200), ("0.05", "0.162500", "0.5")):
        expected = sampling.is_sampled(sampling.draw(salt, claim_id), Decimal(rate))
        assert namespace["sampled"](salt.hex(), str(claim_id), rate) is expected
