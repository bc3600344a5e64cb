"""The SME's sites: register one, see its meters and readings, upload readings as CSV.

The same input serializers and services as ``/api/sites/`` and ``/api/sites/{id}/readings/`` (the
CSV is read by the API's own ``csv_rows``); another organisation's site answers 404.
"""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from sites.errors import ReadingsRejectedError
from sites.selectors import reading_list_for, reading_totals_for, site_get_for, site_list_for
from sites.serializers import SiteCreateInputSerializer, SiteUpdateInputSerializer
from sites.services import readings_import, site_create, site_update
from sites.views import csv_rows
from web.calls import PageError, call, form_errors, parse
from web.forms import ReadingsCsvForm, SiteChangeForm, SiteForm
from web.views.common import app_page, organization, page_number

PAGE_SIZE = 25
READINGS_PAGE_SIZE = 50
CSV_MAX_BYTES = 1024 * 1024  # 10,000 rows of meter_id,unit,start,end,value fit in well under this
OUTCOME_KEY = "web.readings_outcome"
REJECTED_SHOWN = 200


def _meter_ids(text: str) -> list[str]:
    """One meter id per line (commas and semicolons separate too); blank lines dropped."""
    for separator in (",", ";"):
        text = text.replace(separator, "\n")
    return [line.strip() for line in text.splitlines() if line.strip()]


@require_http_methods(["GET", "HEAD", "POST"])
@app_page
def sites(request: HttpRequest) -> HttpResponse:
    org = organization(request)
    form = SiteForm(request.POST or None, initial={"country": str(org.country)})
    status = 200
    if request.method == "POST":
        data: dict[str, Any] = {
            name: request.POST.get(name, "").strip()
            for name in ("name", "country", "latitude", "longitude", "address", "capacity_kw")
            if request.POST.get(name, "").strip() != "" or name == "address"
        }
        data["meter_ids"] = _meter_ids(request.POST.get("meter_ids", ""))
        try:
            site = call(site_create, owner=org, **parse(SiteCreateInputSerializer, data))
        except PageError as error:
            form_errors(form, error, prefix="meter_ids.")
            status = error.status
        else:
            if site.status == site.Status.UNDER_REVIEW:
                messages.warning(
                    request, f"Site “{site.name}” registered (number {site.pk}); a verifier looks at it first."
                )
            else:
                messages.success(request, f"Site “{site.name}” registered (number {site.pk}).")
            return redirect("web:site", site_id=site.pk)
    paginator = Paginator(site_list_for(organization=org), PAGE_SIZE)
    context = {"form": form, "page": paginator.get_page(page_number(request))}
    return render(request, "web/app/sites.html", context, status=status)


def _site_page(
    request: HttpRequest,
    site_id: int,
    *,
    form: ReadingsCsvForm | None = None,
    change_form: SiteChangeForm | None = None,
    outcome: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    org = organization(request)
    site = site_get_for(organization=org, site_id=site_id)
    current = {
        "name": site.name,
        "address": site.address,
        "meter_ids": "\n".join(meter.meter_id for meter in site.active_meters),  # type: ignore[attr-defined]
        "capacity_kw": "" if site.capacity_kw is None else str(site.capacity_kw),
    }
    readings = reading_list_for(organization=org, site_id=site.pk).order_by("-start", "-id")
    context = {
        "site": site,
        "meters": reading_totals_for(organization=org, site_id=site.pk),
        "readings": Paginator(readings, READINGS_PAGE_SIZE).get_page(page_number(request)),
        "form": form or ReadingsCsvForm(),
        "change_form": change_form or SiteChangeForm(initial=current, auto_id="change-%s"),
        "outcome": outcome,
    }
    return render(request, "web/app/site_detail.html", context, status=status)


@require_safe
@app_page
def site_detail(request: HttpRequest, site_id: int) -> HttpResponse:
    outcome = request.session.pop(OUTCOME_KEY, None)
    if outcome is not None and outcome.get("site") != site_id:
        outcome = None
    return _site_page(request, site_id, outcome=outcome)


def _csv_text(upload: Any) -> str:
    if upload is None:
        raise PageError({"file": ["Choose a CSV file."]})
    if upload.size > CSV_MAX_BYTES:
        raise PageError(
            {"file": [f"The file is larger than {CSV_MAX_BYTES // 1024} KiB: send it in parts."]}, status=413
        )
    try:
        return upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PageError({"file": ["The file is not UTF-8 text."]}) from None


def _outcome(site_id: int, accepted: int, duplicates: int, rejected: list[dict[str, Any]]) -> dict[str, Any]:
    """What an import did, as the page shows it (the first refused rows; their number in full)."""
    return {
        "site": site_id,
        "accepted": accepted,
        "duplicates": duplicates,
        "rejected": rejected[:REJECTED_SHOWN],
        "rejected_count": len(rejected),
    }


@require_POST
@app_page
def site_readings(request: HttpRequest, site_id: int) -> HttpResponse:
    org = organization(request)
    site = site_get_for(organization=org, site_id=site_id)  # 404 before reading the upload
    form = ReadingsCsvForm(request.POST, request.FILES)
    try:
        rows = call(csv_rows, text=_csv_text(request.FILES.get("file")))
        result = call(readings_import, owner=org, site_id=site.pk, rows=rows)
    except PageError as error:
        form.is_valid()
        outcome = None
        if isinstance(error.__cause__, ReadingsRejectedError):
            outcome = _outcome(site.pk, 0, 0, list(error.__cause__.extra.get("rejected", [])))
            form.add_error("file", "No row could be stored, so nothing was saved: the reasons are listed below.")
        else:
            for message in (message for found in error.errors.values() for message in found):
                form.add_error("file", message)
        return _site_page(request, site.pk, form=form, outcome=outcome, status=error.status)
    request.session[OUTCOME_KEY] = _outcome(
        site.pk, result.accepted, result.duplicates, [reject.as_json() for reject in result.rejected]
    )
    messages.success(
        request,
        f"{result.accepted:,} reading(s) stored, {result.duplicates:,} already stored, "
        f"{len(result.rejected):,} row(s) refused.",
    )
    return redirect("web:site", site_id=site.pk)


@require_POST
@app_page
def site_change(request: HttpRequest, site_id: int) -> HttpResponse:
    """Change a site as ``PATCH /api/sites/{id}/`` does: a new capacity, meter set or location puts it
    under review again."""
    org = organization(request)
    site = site_get_for(organization=org, site_id=site_id)
    form = SiteChangeForm(request.POST, auto_id="change-%s")
    capacity = request.POST.get("capacity_kw", "").strip()
    data: dict[str, Any] = {
        "name": request.POST.get("name", "").strip(),
        "address": request.POST.get("address", "").strip(),
        "meter_ids": _meter_ids(request.POST.get("meter_ids", "")),
        "capacity_kw": capacity or None,
    }
    was = site.status
    try:
        changed = call(site_update, owner=org, site_id=site.pk, **parse(SiteUpdateInputSerializer, data))
    except PageError as error:
        form_errors(form, error, prefix="meter_ids.")
        return _site_page(request, site.pk, change_form=form, status=error.status)
    if changed.status == changed.Status.UNDER_REVIEW and was != changed.Status.UNDER_REVIEW:
        messages.warning(request, "Site changed; a verifier looks at the change before claims on it are approved.")
    else:
        messages.success(request, "Site changed.")
    return redirect("web:site", site_id=site.pk)
