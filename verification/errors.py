"""Errors of claim screening, review and issuance; each carries its HTTP status (core.errors renders them)."""

from core.errors import ConflictError, DomainError, NotFoundError


class ClaimNotFoundError(NotFoundError):
    """No such claim, or another organisation's (the two look the same from outside)."""

    code, default_detail = "claim_not_found", "Claim not found."


class ProjectNotActiveError(DomainError):
    status_code, code = 409, "project_not_active"
    default_detail = "The project is not active: it cannot receive new claims."


class ClaimNotPendingError(ConflictError):
    code = "claim_not_pending"
    default_detail = "Only a claim that needs review can be approved or rejected."


class ConflictOfInterestError(DomainError):
    status_code, code = 403, "conflict_of_interest"
    default_detail = "A verifier cannot review a claim of their own organisation."


class ClaimTooSmallError(DomainError):
    status_code, code = 400, "claim_too_small"
    default_detail = "The reduction is too small to issue any credits to the owner after the buffer share."


class NothingToIssueError(ConflictError):
    code = "nothing_to_issue"
    default_detail = "The claim has no creditable reduction to issue."


class ReplayModelMismatchError(ConflictError):
    code = "replay_model_mismatch"
    default_detail = "The assessment was made by another model version than the one loaded."


class ClaimSlotTakenError(ConflictError):
    """A racing claim took the site or meter for an overlapping period first (PostgreSQL's exclusion
    constraint). ``claim_submit`` runs the submission once more, which then rejects it on the facts."""

    code = "site_period_overlap"
    default_detail = "Another claim holds this site or meter for an overlapping period."


class ClaimNotIssuedError(ConflictError):
    code = "claim_not_issued"
    default_detail = "Only a claim whose credits were issued can be reversed."


class ClaimAlreadyReversedError(ConflictError):
    code = "claim_already_reversed"
    default_detail = "This claim's issuance has already been reversed."


class AuditNotFoundError(NotFoundError):
    code, default_detail = "audit_not_found", "Audit not found."


class AuditNotOpenError(ConflictError):
    code = "audit_not_open"
    default_detail = "Only an open audit can be confirmed."
