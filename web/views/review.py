"""The verifiers' queue: each claim's evidence beside its screening's reasons, decided through the
same services as ``/api/verifications/{id}/approve|reject/``."""

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
from web.forms import ReviewDecisionForm
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
    return _claim_page(request, claim_id, ReviewDecisionForm())


def _claim_page(request: HttpRequest, claim_id: int, form: ReviewDecisionForm, status: int = 200) -> HttpResponse:
    claim = claim_review_get(claim_id=claim_id)
    assessment = getattr(claim, "assessment", None)
    contributions = sorted((assessment.contributions or {}).items(), key=lambda kv: -abs(kv[1])) if assessment else []
    context = {
        "claim": claim,
        "assessment": assessment,
        "explanation": claim_explained(claim, verifier=True),
        "evidence": list(claim.evidence.all()),
        "contributions": contributions[:8],
        "form": form,
        "own": claim.project.owner_id == person(request).organization_id,
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
        return _claim_page(request, claim_id, form, status=error.status)
    if claim.status == ReductionClaim.Status.APPROVED:
        messages.success(request, f"Claim {claim.pk} approved; its credits were issued.")
    else:
        messages.success(request, f"Claim {claim.pk} rejected; nothing was issued.")
    return redirect("web:review")
