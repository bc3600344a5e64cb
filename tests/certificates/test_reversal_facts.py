"""What a certificate says about a reversed issuance, in each state of its compensation (no database)."""

import datetime

import pytest

from certificates.facts import ReversalFacts

AT = datetime.datetime(2026, 3, 14, 9, 26, tzinfo=datetime.UTC)


def facts(*, drawn: int, shortfall: int) -> ReversalFacts:
    return ReversalFacts(
        reversed_at=AT,
        reason="Meter data copied",
        in_circulation_kg=drawn + shortfall,
        buffer_cancelled_kg=drawn,
        shortfall_kg=shortfall,
        cancel_entry_seq=40,
        buffer_cancel_entry_seq=41 if drawn + shortfall else None,
    )


@pytest.mark.parametrize(
    ("drawn", "shortfall", "headline", "says"),
    [
        (
            1_500,
            0,
            "Issuance reversed, compensated from the buffer pool",
            "1,500 kg of the pool's credits were cancelled",
        ),
        (1_000, 500, "Issuance reversed, partly compensated", "500 kg are not compensated yet"),
        (0, 1_500, "Issuance reversed, not compensated yet", "buffer pool compensated 0 kg"),
    ],
)
def test_the_certificate_says_how_far_the_buffer_pool_made_up_for_the_reversal(drawn, shortfall, headline, says):
    reversal = facts(drawn=drawn, shortfall=shortfall)

    assert reversal.compensated is (shortfall == 0)
    assert reversal.headline == headline
    assert says in reversal.statement
    assert reversal.statement.startswith(
        "The issuance these credits came from was reversed on 14 March 2026, 09:26 UTC."
    )
    assert "(ledger entry #41)" in reversal.statement
    assert reversal.statement.endswith("This retirement stays valid.")
