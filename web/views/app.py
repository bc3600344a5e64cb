"""The SME's workspace: dashboard, emissions, projects, claims, holdings, orders, certificates.

Every read is a selector scoped to the signed-in person's organisation, every write the service the
API calls, with the API's input serializer in front (web.calls). After a write the page redirects
(post/redirect/get), so reloading never repeats it.
"""

import csv
import io
from datetime import date
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.roles import Ability
from accounts.selectors import organizations_by_id
from certificates.selectors import certificate_get_for, certificate_list_for
from certificates.serializers import RetirementCreateInputSerializer
from certificates.services import certificate_pdf, retirement_create
from core.errors import NotFoundError
from emissions.activities import ACTIVITIES
from emissions.selectors import emission_latest_period_end_for, emission_report_list_for
from emissions.serializers import EmissionReportCreateInputSerializer
from emissions.services import emission_report_create
from ledger.models import BlockStatus
from ledger.selectors import holdings_list_for, holdings_totals_for, movements_for_organization
from marketplace.selectors import listing_list_for, order_list_for, transfer_list_for
from marketplace.serializers import BuyInputSerializer, ListingCreateInputSerializer, TransferCreateInputSerializer
from marketplace.services import listing_buy, listing_create, listing_withdraw, transfer_create
from projects.selectors import project_list_for
from projects.serializers import ProjectCreateInputSerializer
from projects.services import project_create
from reports.selectors import ghg_statement_for
from sites.selectors import site_list_for
from verification.models import EvidenceItem
from verification.selectors import claim_get_for, claim_list_for
from verification.serializers import claim_submission_parse
from verification.services import claim_submit
from web import charts
from web.calls import PageError, call, form_errors, htmx_target, parse
from web.explain import claim_explained
from web.forms import (
    EVIDENCE_FIELDS,
    PARAMETER_FIELDS,
    BuyForm,
    ClaimForm,
    EmissionCsvForm,
    EmissionLineForm,
    EmissionReportForm,
    ListForm,
    ProjectForm,
    RetireForm,
    TransferForm,
)
from web.views.common import app_page, can, organization, page_number, person
from web.views.documents import document_choices, upload

PAGE_SIZE = 25
EMPTY_LINES = 3
CSV_COLUMNS = ("activity", "quantity", "unit", "region")
CSV_MAX_BYTES = 512 * 1024
MONTH_LABELS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


# --- dashboard --------------------------------------------------------------------------------


def _dashboard_year(request: HttpRequest, latest: date | None) -> int:
    """``?year=``, else the year of the latest reported period, else this year."""
    raw = request.GET.get("year", "")
    if raw.isdigit() and 1990 <= int(raw) <= 2999:
        return int(raw)
    return latest.year if latest is not None else timezone.localdate().year


@require_safe
@app_page
def dashboard(request: HttpRequest) -> HttpResponse:
    org = organization(request)
    totals = holdings_totals_for(organization=org)
    year = _dashboard_year(request, emission_latest_period_end_for(organization=org))
    statement = ghg_statement_for(organization=org, year=year)
    months = [MONTH_LABELS[m.month.month - 1] for m in statement.monthly]
    scope_chart = charts.stacked_bars(
        chart_id="chart-scopes",
        title=f"Emissions by scope and month, {year}",
        description="Stacked bars: scope 1, scope 2 and scope 3 emissions in tonnes CO2e for each month; "
        "the table below has the numbers.",
        categories=months,
        series=[
            charts.Series("Scope 1", [m.scope1_kg for m in statement.monthly]),
            charts.Series("Scope 2", [m.scope2_kg for m in statement.monthly]),
            charts.Series("Scope 3", [m.scope3_kg for m in statement.monthly]),
        ],
    )
    credits_chart = charts.proportion_bar(
        chart_id="chart-credits",
        title="Credits held, listed and retired",
        description="One bar split into the credits you hold available, have listed for sale and have retired.",
        parts=[("Held", totals["available_kg"]), ("Listed", totals["listed_kg"]), ("Retired", totals["retired_kg"])],
    )
    # Net balance month by month: the statement's emissions so far minus its retirements so far.
    running, net = 0, []
    retired_by_month = [0] * len(statement.monthly)
    for retirement in statement.retirements:
        retired_by_month[retirement.retired_at.month - 1] += retirement.quantity_kg
    for index, month in enumerate(statement.monthly):
        running += month.scope1_kg + month.scope2_kg + month.scope3_kg - retired_by_month[index]
        net.append(running)
    net_chart = charts.line(
        chart_id="chart-net",
        title=f"Net balance over {year}",
        description="Emissions reported so far minus credits retired so far, at the end of each month, in tonnes CO2e.",
        categories=months,
        values=net,
    )
    moves = movements_for_organization(organization=org, limit=10)
    names = organizations_by_id(ids={m.counterparty_id for _, m in moves if m.counterparty_id is not None})
    activity = [
        {
            "entry": entry,
            "move": move,
            "counterparty": names.get(move.counterparty_id) if move.counterparty_id else None,
        }
        for entry, move in moves
    ]
    context = {
        "totals": totals,
        "year": year,
        "statement": statement,
        "months": list(zip(months, statement.monthly, net, retired_by_month, strict=True)),
        "scope_chart": scope_chart,
        "credits_chart": credits_chart,
        "net_chart": net_chart,
        "activity": activity,
        "organization": org,
    }
    return render(request, "web/app/dashboard.html", context)


# --- emissions --------------------------------------------------------------------------------


def _lines_from_post(post: Any) -> tuple[list[dict[str, str]], list[EmissionLineForm]]:
    """The filled line rows of the form (``lines-N-field``) and a bound form for each row shown."""
    lines, forms_shown, index = [], [], 0
    while f"lines-{index}-activity" in post and index < 500:
        values = {
            name: str(post.get(f"lines-{index}-{name}", "")).strip()
            for name in ("activity", "quantity", "unit", "region")
        }
        forms_shown.append(EmissionLineForm(values, prefix=f"lines-{index}"))
        if any(values.values()):
            lines.append({key: value for key, value in values.items() if value or key != "region"})
        index += 1
    return lines, forms_shown


def _csv_lines(upload: Any) -> list[dict[str, str]]:
    """Rows of an uploaded CSV with the columns activity, quantity, unit, region."""
    if upload is None:
        raise PageError({"file": ["Choose a CSV file."]})
    if upload.size > CSV_MAX_BYTES:
        raise PageError({"file": [f"The file is larger than {CSV_MAX_BYTES // 1024} KiB."]}, status=413)
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PageError({"file": ["The file is not UTF-8 text."]}) from None
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in ("activity", "quantity", "unit") if name not in header]
    if missing:
        raise PageError(
            {"file": [f"The header row must name {', '.join(CSV_COLUMNS)}; missing: {', '.join(missing)}."]}
        )
    rows = []
    for row in reader:
        cleaned = {(key or "").strip().lower(): (value or "").strip() for key, value in row.items() if key}
        if not any(cleaned.values()):
            continue
        line = {name: cleaned.get(name, "") for name in CSV_COLUMNS if name in cleaned}
        if not line.get("region"):
            line.pop("region", None)
        rows.append(line)
    return rows


@require_http_methods(["GET", "HEAD", "POST"])
@app_page
def emissions(request: HttpRequest) -> HttpResponse:
    org = organization(request)
    report_form = EmissionReportForm(request.POST if request.POST.get("form") == "lines" else None)
    csv_form = EmissionCsvForm(
        request.POST if request.POST.get("form") == "csv" else None,
        request.FILES if request.POST.get("form") == "csv" else None,
    )
    line_forms = [EmissionLineForm(prefix=f"lines-{i}") for i in range(EMPTY_LINES)]
    status = 200
    if request.method == "POST":
        target = csv_form if request.POST.get("form") == "csv" else report_form
        try:
            if target is csv_form:
                lines = _csv_lines(request.FILES.get("file"))
            else:
                lines, line_forms = _lines_from_post(request.POST)
            data = parse(
                EmissionReportCreateInputSerializer,
                {
                    "period_start": request.POST.get("period_start", ""),
                    "period_end": request.POST.get("period_end", ""),
                    "lines": lines,
                },
            )
            report = call(emission_report_create, organization=org, **data)
        except PageError as error:
            status = error.status
            form_errors(target, error)
            if target is report_form:
                _line_errors(line_forms, error)
        else:
            messages.success(request, f"Report saved: {report.total_kg:,} kg CO2e over {report.lines.count()} line(s).")
            return redirect("web:emissions")
    paginator = Paginator(emission_report_list_for(organization=org).order_by("-period_end", "-id"), 10)
    context = {
        "report_form": report_form,
        "csv_form": csv_form,
        "line_forms": line_forms,
        "page": paginator.get_page(page_number(request)),
        "units": sorted({unit.code for activity in ACTIVITIES.values() for unit in activity.units}),
        "csv_columns": ",".join(CSV_COLUMNS),
    }
    return render(request, "web/app/emissions.html", context, status=status)


def _line_errors(line_forms: list[EmissionLineForm], error: PageError) -> None:
    """``lines.N.field`` messages onto the Nth filled line's form (empty rows were skipped)."""
    filled = [form for form in line_forms if any(str(v).strip() for v in form.data.values())]
    for name, messages_ in error.errors.items():
        parts = (name or "").split(".")
        if len(parts) == 3 and parts[0] == "lines" and parts[1].isdigit() and int(parts[1]) < len(filled):
            form = filled[int(parts[1])]
            form.is_valid()
            for message in messages_:
                form.add_error(parts[2] if parts[2] in form.fields else None, message)


# --- projects ---------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@app_page
def projects(request: HttpRequest) -> HttpResponse:
    user = person(request)
    own_sites = list(site_list_for(organization=user.organization))
    wanted_site = request.GET.get("site", "")
    initial: dict[str, Any] = {}
    preset = next((site for site in own_sites if str(site.pk) == wanted_site), None)
    if preset is not None:
        initial = {"site": str(preset.pk), "country": str(preset.country)}
    form = ProjectForm(request.POST or None, initial=initial)
    form.fields["site"].choices = [("", "No site yet")] + [  # type: ignore[attr-defined]
        (str(site.pk), f"{site.name} ({site.country}, number {site.pk})") for site in own_sites
    ]
    status = 200
    if request.method == "POST":
        data: dict[str, Any] = {
            name: request.POST.get(name, "") for name in form.fields if request.POST.get(name, "") != ""
        }
        if isinstance(data.get("site"), str) and data["site"].isdigit():
            data["site"] = int(data["site"])  # the API's IdField reads a JSON integer
        try:
            project = call(project_create, owner=user.organization, **parse(ProjectCreateInputSerializer, data))
        except PageError as error:
            form_errors(form, error)
            status = error.status
        else:
            messages.success(request, f"Project “{project.title}” registered (number {project.pk}).")
            return redirect("web:projects")
    own = project_list_for(user=user).filter(owner=user.organization_id).select_related("site")
    paginator = Paginator(own, PAGE_SIZE)
    return render(
        request,
        "web/app/projects.html",
        {"form": form, "page": paginator.get_page(page_number(request)), "has_sites": bool(own_sites)},
        status=status,
    )


# --- claims -----------------------------------------------------------------------------------


def _claim_body(post: Any, category: str | None, *, has_file: bool) -> dict[str, Any]:
    """The API's claim body from the form: the parameters of the project's category, one evidence item
    (which a chosen or uploaded file backs)."""
    body: dict[str, Any] = {
        "project": post.get("project", ""),
        "period_start": post.get("period_start", ""),
        "period_end": post.get("period_end", ""),
        "parameters": {
            name: post.get(name, "") for name in PARAMETER_FIELDS.get(category or "", ()) if post.get(name, "") != ""
        },
    }
    if post.get("claimed_reduction_kg", "") != "":
        body["claimed_reduction_kg"] = post["claimed_reduction_kg"]
    evidence: dict[str, Any] = {name: post.get(f"evidence_{name}", "") for name in EVIDENCE_FIELDS}
    document = post.get("evidence_document", "")
    if document:
        evidence["document"] = int(document) if document.isdigit() else document
    if any(evidence.values()) or has_file:
        body["evidence"] = [evidence]
    # The form posts text; the API's serializers read JSON integers for ids and counts.
    for key in ("project", "claimed_reduction_kg"):
        if isinstance(body.get(key), str) and body[key].isdigit():
            body[key] = int(body[key])
    return body


@require_http_methods(["GET", "HEAD", "POST"])
@app_page
def claims(request: HttpRequest) -> HttpResponse:
    user = person(request)
    own_projects = list(project_list_for(user=user).filter(owner=user.organization_id).select_related("site"))
    data = request.POST.copy() if request.method == "POST" else None
    form = ClaimForm(data, initial={"project": request.GET.get("project", "")})
    form.fields["project"].choices = [("", "Choose a project")] + [  # type: ignore[attr-defined]
        (str(p.pk), f"{p.title} ({p.get_category_display()}, {p.country}{', site ' + p.site.name if p.site else ''})")
        for p in own_projects
    ]
    evidence_kinds = tuple(EvidenceItem.Kind.values)
    status = 200
    if request.method == "POST" and data is not None:
        by_id = {str(p.pk): p for p in own_projects}
        project = by_id.get(data.get("project", ""))
        has_file = request.FILES.get("evidence_file") is not None
        body = _claim_body(data, project.category if project else None, has_file=has_file)
        try:
            # The claim's shape first, so that a file is stored only with a claim that can take it.
            submission = call(claim_submission_parse, data=body, organization_id=user.organization_id)
            kind = data.get("evidence_kind", "")
            document = upload(request, field="evidence_file", kind=kind if kind in evidence_kinds else "other")
            if document is not None:
                submission["evidence"][0]["document"] = document.pk
                # Kept on the form: a refusal below leaves the file stored, chosen for the next try.
                data["evidence_document"] = str(document.pk)
            claim = call(claim_submit, submitted_by=user, **submission)
        except PageError as error:
            form_errors(form, error, prefix="parameters.")
            _evidence_errors(form, error)
            status = error.status
        else:
            return redirect("web:claim", claim_id=claim.pk)
    form.fields["evidence_document"].choices = [  # type: ignore[attr-defined]
        ("", "None"),
        *document_choices(request, kinds=(*evidence_kinds, "photo", "other")),
    ]
    paginator = Paginator(claim_list_for(user=user), PAGE_SIZE)
    context = {
        "form": form,
        "page": paginator.get_page(page_number(request)),
        "parameter_fields": PARAMETER_FIELDS,
        "has_projects": bool(own_projects),
    }
    return render(request, "web/app/claims.html", context, status=status)


def _evidence_errors(form: ClaimForm, error: PageError) -> None:
    for name, messages_ in error.errors.items():
        if name and name.startswith("evidence.0."):
            field = "evidence_" + name.removeprefix("evidence.0.")
            for message in messages_:
                if field in form.fields:
                    form.add_error(field, message)


@require_safe
@app_page
def claim_detail(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = claim_get_for(user=person(request), claim_id=claim_id)
    context = {
        "claim": claim,
        "explanation": claim_explained(claim),
        "evidence": list(claim.evidence.select_related("document")),
        "reversal": getattr(claim, "reversal", None),
    }
    return render(request, "web/app/claim_detail.html", context)


# --- holdings: list, transfer, retire ---------------------------------------------------------


@require_safe
@app_page
def holdings(request: HttpRequest) -> HttpResponse:
    org = organization(request)
    status = request.GET.get("status", "")
    blocks = holdings_list_for(organization=org, status=status if status in BlockStatus.values else None)
    page = Paginator(blocks, PAGE_SIZE).get_page(page_number(request))
    # Each block's forms get their own ids, so every label names its own field.
    actions = {
        block.pk: {
            "list": ListForm(auto_id=f"list-{block.pk}-%s"),
            "transfer": TransferForm(auto_id=f"transfer-{block.pk}-%s"),
            "retire": RetireForm(auto_id=f"retire-{block.pk}-%s"),
        }
        for block in page
        if block.status == BlockStatus.AVAILABLE and can(request, Ability.OPERATE)  # no forms for a viewer
    }
    context = {
        "page": page,
        "blocks": [(block, actions.get(block.pk)) for block in page],
        "totals": holdings_totals_for(organization=org),
        "listings": list(listing_list_for(organization=org, status="open")[:50]),
        "status": status,
        "statuses": BlockStatus.choices,
    }
    results_only = htmx_target(request) == "results"
    template = "web/app/holdings_table.html" if results_only else "web/app/holdings.html"
    return render(request, template, context)


def _block_action(request: HttpRequest, *, form_class: type, serializer_class: type, done: str, act) -> HttpResponse:
    """One action on a block: the API's serializer, the service, then back to the holdings."""
    form = form_class(request.POST)
    data: dict[str, Any] = {name: request.POST.get(name, "") for name in form.fields}
    for key in ("block", "quantity_kg", "to_organization"):
        if key in data and str(data[key]).isdigit():
            data[key] = int(data[key])
    try:
        result = act(parse(serializer_class, data))
    except PageError as error:
        form_errors(form, error)
        context = {
            "form": form,
            "block_id": request.POST.get("block", ""),
            "action": request.resolver_match.url_name,  # type: ignore[union-attr]
            # htmx swaps the form in place; without it the form is a page of its own.
            "base_template": "web/partials/bare.html" if htmx_target(request) is not None else "web/app/base.html",
        }
        return render(request, "web/app/block_action_failed.html", context, status=error.status)
    messages.success(request, done.format(result=result))
    if htmx_target(request) is not None:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = "/app/holdings/"
        return response
    return redirect("web:holdings")


@require_POST
@app_page
def holding_list(request: HttpRequest) -> HttpResponse:
    org = organization(request)
    return _block_action(
        request,
        form_class=ListForm,
        serializer_class=ListingCreateInputSerializer,
        done="Listed {result.quantity_kg:,} kg for sale (listing {result.pk}).",
        act=lambda d: call(
            listing_create,
            seller=org,
            block_id=d["block"],
            quantity_kg=d["quantity_kg"],
            price_per_tonne=d["price_per_tonne"],
            currency=d["currency"],
        ),
    )


@require_POST
@app_page
def holding_transfer(request: HttpRequest) -> HttpResponse:
    org = organization(request)
    return _block_action(
        request,
        form_class=TransferForm,
        serializer_class=TransferCreateInputSerializer,
        done="Transferred {result.quantity_kg:,} kg to {result.recipient.name}.",
        act=lambda d: call(
            transfer_create,
            sender=org,
            block_id=d["block"],
            quantity_kg=d["quantity_kg"],
            to_organization_id=d["to_organization"],
        ),
    )


@require_POST
@app_page
def holding_retire(request: HttpRequest) -> HttpResponse:
    org = organization(request)
    return _block_action(
        request,
        form_class=RetireForm,
        serializer_class=RetirementCreateInputSerializer,
        done="Retired {result.quantity_kg:,} kg for {result.beneficiary}. Your certificate is ready.",
        act=lambda d: call(
            retirement_create,
            organization=org,
            block_id=d["block"],
            quantity_kg=d["quantity_kg"],
            beneficiary=d["beneficiary"],
            reason=d["reason"],
        ),
    )


@require_POST
@app_page
def listing_withdraw_page(request: HttpRequest, listing_id: int) -> HttpResponse:
    try:
        call(listing_withdraw, seller=organization(request), listing_id=listing_id)
    except PageError as error:
        if error.status == 404:
            raise NotFoundError() from None
        messages.error(request, " ".join(m for ms in error.errors.values() for m in ms))
    else:
        messages.success(request, "Listing withdrawn; its credits are available again.")
    return redirect("web:holdings")


# --- buying (from the market page) ------------------------------------------------------------


@require_POST
@app_page
def buy(request: HttpRequest) -> HttpResponse:
    form = BuyForm(request.POST)
    data: dict[str, Any] = {name: request.POST.get(name, "") for name in ("listing", "quantity_kg")}
    for key in data:
        if str(data[key]).isdigit():
            data[key] = int(data[key])
    try:
        payload = parse(BuyInputSerializer, data)
        order = call(
            listing_buy, buyer=organization(request), listing_id=payload["listing"], quantity_kg=payload["quantity_kg"]
        )
    except PageError as error:
        form_errors(form, error)
        if isinstance(data["listing"], int):
            messages.error(request, "; ".join(f"{m}" for ms in error.errors.values() for m in ms))
            return redirect("web:market-detail", listing_id=data["listing"])
        return redirect("web:market")
    messages.success(
        request,
        f"Bought {order.quantity_kg:,} kg for {order.total + order.fee} {order.currency} (including the fee), "
        "paid from your balance. They are in your holdings.",
    )
    return redirect("web:orders")


# --- orders, transfers, certificates -----------------------------------------------------------


@require_safe
@app_page
def orders(request: HttpRequest) -> HttpResponse:
    org = organization(request)
    paginator = Paginator(order_list_for(organization=org), PAGE_SIZE)
    context = {
        "page": paginator.get_page(page_number(request)),
        "transfers": list(transfer_list_for(organization=org)[:20]),
        "organization": org,
    }
    return render(request, "web/app/orders.html", context)


@require_safe
@app_page
def certificates(request: HttpRequest) -> HttpResponse:
    paginator = Paginator(certificate_list_for(organization=organization(request)), PAGE_SIZE)
    return render(request, "web/app/certificates.html", {"page": paginator.get_page(page_number(request))})


@require_safe
@app_page
def certificate_pdf_download(request: HttpRequest, certificate_id: int) -> HttpResponse:
    certificate = certificate_get_for(organization=organization(request), certificate_id=certificate_id)
    response = HttpResponse(certificate_pdf(certificate=certificate), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"carboncred-retirement-{certificate.serial}.pdf"
    )
    patch_cache_control(response, private=True, max_age=3600)
    return response
