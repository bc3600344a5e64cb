"""The organisation's standing: its verification status, and the request to be verified (legal name,
registration number, website, documents) through the service ``POST /api/organization/verification/``
calls."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.models import VerificationStatus
from accounts.selectors import organization_verification_latest
from documents.models import Document
from documents.selectors import documents_by_id
from documents.serializers import VerificationRequestInputSerializer
from documents.services import organization_verification_submit
from web.calls import PageError, call, form_errors, parse
from web.forms import VerificationRequestForm
from web.views.common import app_page, person
from web.views.documents import document_choices, upload

STATUS_WORDS = {
    VerificationStatus.UNVERIFIED: (
        "Not verified yet",
        "You may report emissions, register sites and projects, submit claims, buy and retire. To list credits "
        "for sale or transfer them, and to have more than a small amount issued automatically, ask to be "
        "verified below.",
    ),
    VerificationStatus.PENDING: (
        "Verification requested",
        "A verifier checks your legal name and registration number against the documents you sent. You may send "
        "a corrected request meanwhile; it replaces the one waiting.",
    ),
    VerificationStatus.VERIFIED: (
        "Verified",
        "A verifier has checked who you are: you may list and transfer credits, and your registration number is "
        "shown beside your name on the market.",
    ),
    VerificationStatus.SUSPENDED: (
        "Suspended",
        "Your organisation can only read: it cannot trade, claim or upload. Its open listings were withdrawn. "
        "Write to the registry to have the suspension reviewed.",
    ),
}


@require_http_methods(["GET", "HEAD", "POST"])
@app_page
def verification(request: HttpRequest) -> HttpResponse:
    user = person(request)
    org = user.organization
    data = request.POST.copy() if request.method == "POST" else None
    form = VerificationRequestForm(
        data,
        initial={"legal_name": org.legal_name or org.name, "registration_number": org.registration_number,
                 "website": org.website},
    )  # fmt: skip
    status = 200
    if request.method == "POST" and data is not None:
        chosen = [int(pk) for pk in data.getlist("documents") if pk.isdigit()]
        body: dict[str, Any] = {
            "legal_name": data.get("legal_name", ""),
            "registration_number": data.get("registration_number", ""),
            "website": data.get("website", ""),
            "documents": chosen,
        }
        try:
            parse(VerificationRequestInputSerializer, body)  # the shape first: no file stored for a bad form
            document = upload(request, field="file", kind=Document.Kind.REGISTRATION_EXTRACT)
            if document is not None:
                body["documents"] = [*chosen, document.pk]
                data.setlist("documents", [str(pk) for pk in body["documents"]])
            call(organization_verification_submit, user=user, **parse(VerificationRequestInputSerializer, body))
        except PageError as error:
            form_errors(form, error)
            for name, found in error.errors.items():  # documents.N → the documents field
                if name and name.startswith("documents."):
                    for message in found:
                        form.add_error("documents", message)
            status = error.status
        else:
            messages.success(request, "Your request was sent: a verifier will check it.")
            return redirect("web:verification")
    form.fields["documents"].choices = document_choices(request)  # type: ignore[attr-defined]
    latest = organization_verification_latest(organization_id=org.pk)
    headline, explanation = STATUS_WORDS[VerificationStatus(org.verification_status)]
    context = {
        "form": form,
        "organization": org,
        "headline": headline,
        "explanation": explanation,
        "latest": latest,
        "latest_documents": _in_order(latest.document_ids if latest else []),
        "can_request": org.verification_status in (VerificationStatus.UNVERIFIED, VerificationStatus.PENDING),
    }
    return render(request, "web/app/verification.html", context, status=status)


def _in_order(ids: list[int]) -> list[Document]:
    found = documents_by_id(ids=ids)
    return [found[pk] for pk in ids if pk in found]
