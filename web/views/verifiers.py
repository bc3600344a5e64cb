"""The verifiers' other queues: organisations asking to be verified, and issuances drawn for audit.

Decisions go through the services the API calls (``/api/organizations/{id}/verify|reject|suspend/``,
``/api/audits/{id}/confirm/``, ``/api/reduction-data/{id}/reverse/``), behind the API's input
serializers; everyone but a verifier gets the 403 page.
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from accounts.models import Organization, VerificationStatus
from accounts.selectors import namesakes_for, organization_review_get, organization_review_list
from accounts.serializers import (
    OrganizationDecisionInputSerializer,
    OrganizationSuspendInputSerializer,
    OrganizationVerifyInputSerializer,
)
from accounts.services import organization_reject_request, organization_suspend, organization_verify
from core.errors import NotFoundError
from documents.selectors import documents_by_id
from sites.models import Site
from sites.selectors import site_review_list
from sites.serializers import SiteReviewDecisionInputSerializer
from sites.services import site_approve, site_reject
from verification.models import Audit
from verification.selectors import audit_get, audit_list, claim_review_get
from verification.serializers import AuditConfirmInputSerializer, ReversalInputSerializer
from verification.services import audit_confirm, claim_reverse
from web.calls import PageError, call, form_errors, parse
from web.forms import (
    AuditConfirmForm,
    OrganizationRejectForm,
    OrganizationSuspendForm,
    OrganizationVerifyForm,
    ReversalForm,
    ReviewDecisionForm,
)
from web.views.common import page_number, person, verifier_page
from web.views.review import claim_facts, claim_page

PAGE_SIZE = 25


# --- organisations ----------------------------------------------------------------------------


@require_safe
@verifier_page
def organizations(request: HttpRequest) -> HttpResponse:
    wanted = request.GET.get("verification_status", VerificationStatus.PENDING)
    status = wanted if wanted in VerificationStatus.values else ""
    page = Paginator(organization_review_list(verification_status=status or None), PAGE_SIZE).get_page(
        page_number(request)
    )
    rows = list(page.object_list)
    namesakes = namesakes_for(rows)
    latest = {org.pk: next(iter(org.verification_requests.all()), None) for org in rows}
    cited = {org_id: list(request_.document_ids) if request_ else [] for org_id, request_ in latest.items()}
    documents = documents_by_id(ids=[pk for ids in cited.values() for pk in ids])
    context = {
        "page": page,
        "rows": [
            {
                "organization": org,
                "request": latest[org.pk],
                "documents": [documents[pk] for pk in cited[org.pk] if pk in documents],
                "namesakes": namesakes.get(org.pk, []),
            }
            for org in rows
        ],
        "status": status,
        "statuses": [("", "Any standing"), *VerificationStatus.choices],
    }
    return render(request, "web/review/organizations.html", context)


def _organization_page(
    request: HttpRequest, organization_id: int, *, forms_: dict[str, forms.Form] | None = None, status: int = 200
) -> HttpResponse:
    organization = organization_review_get(organization_id=organization_id)
    verification_requests = list(organization.verification_requests.all())
    ids = [pk for request_ in verification_requests for pk in request_.document_ids]
    documents = documents_by_id(ids=ids)
    context = {
        "organization": organization,
        "requests": [
            (request_, [documents[pk] for pk in request_.document_ids if pk in documents])
            for request_ in verification_requests
        ],
        "namesakes": namesakes_for([organization]).get(organization.pk, []),
        "history": list(organization.status_changes.select_related("changed_by")),
        "own": organization.pk == person(request).organization_id,
        "verify_form": OrganizationVerifyForm(auto_id="verify-%s"),
        "reject_form": OrganizationRejectForm(auto_id="reject-%s"),
        "suspend_form": OrganizationSuspendForm(auto_id="suspend-%s"),
        **(forms_ or {}),
        "refused": next(iter((forms_ or {}).values()), None),
    }
    return render(request, "web/review/organization.html", context, status=status)


@require_safe
@verifier_page
def organization_detail(request: HttpRequest, organization_id: int) -> HttpResponse:
    return _organization_page(request, organization_id)


ORGANIZATION_DECISIONS: dict[str, tuple[type[forms.Form], type, Callable[..., Organization], str]] = {
    "verify": (OrganizationVerifyForm, OrganizationVerifyInputSerializer, organization_verify, "verified"),
    "reject": (OrganizationRejectForm, OrganizationDecisionInputSerializer, organization_reject_request,
               "request turned down: it is unverified again"),
    "suspend": (OrganizationSuspendForm, OrganizationSuspendInputSerializer, organization_suspend,
                "suspended: it can only read now, and its open listings were withdrawn"),
}  # fmt: skip


@require_POST
@verifier_page
def organization_decide(request: HttpRequest, organization_id: int, decision: str) -> HttpResponse:
    form_class, serializer_class, service, done = ORGANIZATION_DECISIONS[decision]
    form = form_class(request.POST, auto_id=f"{decision}-%s")
    data: dict[str, Any] = {name: request.POST.get(name, "") for name in form.fields}
    try:
        payload = parse(serializer_class, data)
        organization = call(service, organization_id=organization_id, reviewer=person(request), **payload)
    except PageError as error:
        if error.status == 404:
            raise NotFoundError() from None
        form_errors(form, error)
        return _organization_page(request, organization_id, forms_={f"{decision}_form": form}, status=error.status)
    messages.success(request, f"{organization.name}: {done}.")
    return redirect("web:review-organization", organization_id=organization.pk)


# --- audits and reversals ---------------------------------------------------------------------


@require_safe
@verifier_page
def audits(request: HttpRequest) -> HttpResponse:
    wanted = request.GET.get("status", Audit.Status.OPEN)
    status = wanted if wanted in Audit.Status.values else ""
    paginator = Paginator(audit_list(status=status or None), PAGE_SIZE)
    context = {
        "page": paginator.get_page(page_number(request)),
        "status": status,
        "statuses": [("", "Every audit"), *Audit.Status.choices],
    }
    return render(request, "web/review/audits.html", context)


def _audit_page(
    request: HttpRequest, audit_id: int, *, forms_: dict[str, forms.Form] | None = None, status: int = 200
) -> HttpResponse:
    audit = audit_get(audit_id=audit_id)
    claim = claim_review_get(claim_id=audit.claim_id)
    context = {
        **claim_facts(claim),
        "audit": audit,
        "own": claim.project.owner_id == person(request).organization_id,
        "confirm_form": AuditConfirmForm(auto_id="confirm-%s"),
        "reverse_form": ReversalForm(auto_id="reverse-%s"),
        **(forms_ or {}),
        "refused": next(iter((forms_ or {}).values()), None),
    }
    return render(request, "web/review/audit.html", context, status=status)


@require_safe
@verifier_page
def audit_detail(request: HttpRequest, audit_id: int) -> HttpResponse:
    return _audit_page(request, audit_id)


@require_POST
@verifier_page
def audit_confirm_page(request: HttpRequest, audit_id: int) -> HttpResponse:
    form = AuditConfirmForm(request.POST, auto_id="confirm-%s")
    try:
        payload = parse(AuditConfirmInputSerializer, {"note": request.POST.get("note", "")})
        audit = call(audit_confirm, audit_id=audit_id, reviewer=person(request), **payload)
    except PageError as error:
        if error.status == 404:
            raise NotFoundError() from None
        form_errors(form, error)
        return _audit_page(request, audit_id, forms_={"confirm_form": form}, status=error.status)
    messages.success(request, f"Audit {audit.pk} confirmed: the issuance of claim {audit.claim_id} stands.")
    return redirect("web:audit", audit_id=audit.pk)


@require_POST
@verifier_page
def claim_reverse_page(request: HttpRequest, claim_id: int) -> HttpResponse:
    """Reverse a claim's issuance, from its audit's page or its review page (``next`` says which)."""
    form = ReversalForm(request.POST, auto_id="reverse-%s")
    audit_id = request.POST.get("audit", "")
    try:
        payload = parse(ReversalInputSerializer, {"reason": request.POST.get("reason", "")})
        result = call(claim_reverse, claim_id=claim_id, reviewer=person(request), **payload)
    except PageError as error:
        if error.status == 404:
            raise NotFoundError() from None
        form_errors(form, error)
        if audit_id.isdigit():
            return _audit_page(request, int(audit_id), forms_={"reverse_form": form}, status=error.status)
        return claim_page(request, claim_id, reverse_form=form, status=error.status)
    ledger = result.ledger.reversal
    messages.success(
        request,
        f"Claim {claim_id} reversed: {ledger.cancelled_kg:,} kg cancelled from its owner, "
        f"{ledger.buffer_cancelled_kg:,} kg cancelled from the buffer pool.",
    )
    if audit_id.isdigit():
        return redirect("web:audit", audit_id=int(audit_id))
    return redirect("web:review-claim", claim_id=claim_id)


# --- sites ------------------------------------------------------------------------------------


@require_safe
@verifier_page
def sites(request: HttpRequest) -> HttpResponse:
    """Sites by status (under review first): where they are, their meters, why they wait."""
    wanted = request.GET.get("status", Site.Status.UNDER_REVIEW)
    status = wanted if wanted in Site.Status.values else ""
    page = Paginator(site_review_list(status=status or None), PAGE_SIZE).get_page(page_number(request))
    own = person(request).organization_id
    context = {
        "page": page,
        "rows": [(site, ReviewDecisionForm(auto_id=f"site-{site.pk}-%s"), site.owner_id == own) for site in page],
        "status": status,
        "statuses": [("", "Every site"), *Site.Status.choices],
    }
    return render(request, "web/review/sites.html", context)


@require_POST
@verifier_page
def site_decide(request: HttpRequest, site_id: int, decision: str) -> HttpResponse:
    service = site_approve if decision == "approve" else site_reject
    try:
        payload = parse(SiteReviewDecisionInputSerializer, {"note": request.POST.get("note", "")})
        site = call(service, site_id=site_id, reviewer=person(request), **payload)
    except PageError as error:
        if error.status == 404:
            raise NotFoundError() from None
        messages.error(request, " ".join(m for found in error.errors.values() for m in found))
        return redirect("web:review-sites")
    if site.status == Site.Status.ACTIVE:
        messages.success(request, f"Site {site.pk} ({site.name}) cleared: its claims may be approved by screening.")
    else:
        messages.success(request, f"Site {site.pk} ({site.name}) rejected: claims on it are refused.")
    return redirect("web:review-sites")
