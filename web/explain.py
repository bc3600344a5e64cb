"""A screening's outcome in plain words, from the stored assessment: its decision and its reasons.

The reasons are the rules' own sentences. The model's per-feature contributions are for verifiers
only and never reach a claimant's or the public's page.
"""

from dataclasses import dataclass
from typing import Any

HEADLINES = {
    "approved": "Approved: the credits were issued.",
    "needs_review": "Waiting for a verifier: nothing is issued until a person has looked at it.",
    "rejected": "Refused: no credits were issued.",
    "reversed": "Reversed after issuance: the credits issued for it were cancelled.",
}
SEVERITY_HEADINGS = {
    "reject": "Why it was refused",
    "review": "Why a verifier looks at it",
    "info": "Worth knowing",
}


# The risk model's reasons carry its per-feature contributions; a claimant and the public read a
# plain sentence instead (verifiers see the model's own words on the review page).
MODEL_REASONS = {
    "model_risk": None,  # a low risk says nothing a claimant needs
    "model_risk_high": (
        "The figures are unusual next to those of similar projects, so a verifier checks them before "
        "anything is issued."
    ),
}


@dataclass(frozen=True)
class Explanation:
    headline: str
    decided_by: str
    groups: list[tuple[str, list[dict[str, Any]]]]
    review_note: str


def _for_claimant(reason: dict[str, Any]) -> dict[str, Any] | None:
    if reason.get("code") not in MODEL_REASONS:
        return reason
    plain = MODEL_REASONS[reason["code"]]
    return None if plain is None else {**reason, "detail": plain}


def claim_explained(claim: Any, *, verifier: bool = False) -> Explanation:
    """``claim`` with its ``assessment`` loaded (the claim selectors join it). Without ``verifier``,
    the model's reasons are told in plain words, without its contributions."""
    assessment = getattr(claim, "assessment", None)
    reasons = assessment.reasons if assessment is not None else []
    if not verifier:
        reasons = [plain for plain in map(_for_claimant, reasons) if plain is not None]
    groups = [
        (heading, [reason for reason in reasons if reason.get("severity") == severity])
        for severity, heading in SEVERITY_HEADINGS.items()
    ]
    if claim.decided_by == "verifier":
        decided_by = "Decided by a verifier"
        if assessment is not None and assessment.decision != claim.status:
            decided_by += f" (automated screening had said: {assessment.get_decision_display().lower()})"
    else:
        decided_by = "Decided by automated screening"
    return Explanation(
        headline=HEADLINES.get(claim.status, claim.status),
        decided_by=decided_by,
        groups=[(heading, items) for heading, items in groups if items],
        review_note=claim.review_note if claim.decided_by == "verifier" else "",
    )
