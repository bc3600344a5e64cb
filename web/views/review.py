"""The verifiers' queue: each claim's evidence beside its screening's reasons, decided through the
same services as ``/api/verifications/{id}/approve|reject/``."""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from core.errors import NotFoundError
from verification.models import ReductionClaim
from verification.selectors import claim_review_get, claim_review_list
from verification.serializers import ReviewDecisionInputSerializer
from verification.services import claim_approve, claim_reject
from web.calls import PageError, call, form_errors, parse
from web.explain import claim_explained
from web.forms import ReversalForm, ReviewDecisionForm
from web.views.common import page_number, person, verifier_page

PAGE_SIZE = 25


@require_safe
@verifier_page
def review(request: HttpRequest) -> HttpResponse:
    decision = request.GET.get("decision", ReductionClaim.Status.NEEDS_REVIEW)
    if decision not in ReductionClaim.Status.values:
        decision = ReductionClaim.Status.NEEDS_REVIEW
    paginator = Paginator(claim_review_list(decision=decision).order_by("created_at", "id"), PAGE_SIZE)
    context = {
        "page": paginator.get_page(page_number(request)),
        "decision": decision,
        "decisions": ReductionClaim.Status.choices,
    }
    return render(request, "web/review/queue.html", context)


@require_safe
@verifier_page
def review_claim(request: HttpRequest, claim_id: int) -> HttpResponse:
    return claim_page(request, claim_id)


def claim_facts(claim: ReductionClaim) -> dict[str, Any]:
    """What a verifier reads beside a decision: the evidence (with its files), the screening's reasons
    and the model's largest contributions, and the reversal if there was one."""
    assessment = getattr(claim, "assessment", None)
    contributions = sorted((assessment.contributions or {}).items(), key=lambda kv: -abs(kv[1])) if assessment else []
    return {
        "claim": claim,
        "assessment": assessment,
        "explanation": claim_explained(claim, verifier=True),
        "evidence": list(claim.evidence.select_related("document")),
        "contributions": contributions[:8],
        "reversal": getattr(claim, "reversal", None),
    }


def claim_page(
    request: HttpRequest,
    claim_id: int,
    *,
    form: ReviewDecisionForm | None = None,
    reverse_form: ReversalForm | None = None,
    status: int = 200,
) -> HttpResponse:
    claim = claim_review_get(claim_id=claim_id)
    context = {
        **claim_facts(claim),
        "form": form or ReviewDecisionForm(),
        "reverse_form": reverse_form or ReversalForm(auto_id="reverse-%s"),
        "own": claim.project.owner_id == person(request).organization_id,
        "audit": getattr(claim, "audit", None),
        "refused": form or reverse_form,  # a refused decision's messages, whichever form was sent
    }
    return render(request, "web/review/claim.html", context, status=status)


@require_POST
@verifier_page
def review_decide(request: HttpRequest, claim_id: int, decision: str) -> HttpResponse:
    service = claim_approve if decision == "approve" else claim_reject
    form = ReviewDecisionForm(request.POST)
    try:
        data = parse(ReviewDecisionInputSerializer, {"note": request.POST.get("note", "")})
        claim = call(service, claim_id=claim_id, reviewer=person(request), **data)
    except PageError as error:
        if error.status == 404:
            raise NotFoundError() from None
        form_errors(form, error)
        return claim_page(request, claim_id, form=form, status=error.status)
    if claim.status == ReductionClaim.Status.APPROVED:
        messages.success(request, f"Claim {claim.pk} approved; its credits were issued.")
    else:
        messages.success(request, f"Claim {claim.pk} rejected; nothing was issued.")
    return redirect("web:review")
