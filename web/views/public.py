"""The public pages: what CarbonCred is, the market, the registry. Anyone may read them; they never write."""

from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_safe

from accounts.models import VerificationStatus
from accounts.selectors import organizations_by_id, organizations_count
from certificates.selectors import certificates_by_entry
from core.errors import NotFoundError
from core.routers import reads_from_replica
from ledger.models import EntryKind
from ledger.selectors import parse_serial, public_project_get, registry_entries, registry_figures
from marketplace.selectors import (
    integrity_flags_for,
    marketplace_listing_count,
    marketplace_listing_get,
    marketplace_listing_list,
)
from marketplace.serializers import MarketplaceListInputSerializer
from projects.models import Project
from verification.selectors import issuances_for_project
from web.calls import PageError, form_errors, htmx_target, parse, throttled, too_many
from web.explain import claim_explained
from web.forms import BuyForm, MarketFilterForm, RegistrySearchForm

PAGE_SIZE = 20


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 10**6 else 1


@require_safe
@reads_from_replica
def home(request: HttpRequest) -> HttpResponse:
    """What CarbonCred is, with live figures and the way to the market."""
    if (wait := throttled(request)) is not None:
        return too_many(request, wait)
    figures = registry_figures()
    context = {
        "issued_kg": figures["issued_kg"],
        "retired_kg": figures["retired_kg"],
        "open_listings": marketplace_listing_count(),
        "organizations": organizations_count(),
        "organizations_verified": organizations_count(verification_status=VerificationStatus.VERIFIED),
        "cheapest": list(marketplace_listing_list()[:3]),
    }
    return render(request, "web/public/home.html", context)


@require_safe
@reads_from_replica
def market(request: HttpRequest) -> HttpResponse:
    """Open listings with the API's filters; htmx swaps just the results when a filter changes."""
    if (wait := throttled(request)) is not None:
        return too_many(request, wait)
    form = MarketFilterForm(request.GET or None)
    present = {key: value for key, value in request.GET.items() if value != "" and key in form.fields}
    status = 200
    try:
        filters = parse(MarketplaceListInputSerializer, present)
    except PageError as error:
        form_errors(form, error)
        filters, status = parse(MarketplaceListInputSerializer, {}), 400
    ordering = filters.pop("ordering")
    count = marketplace_listing_count(**filters)
    rows_counted: Any = _Counted(marketplace_listing_list(ordering=ordering, **filters), count)
    paginator: Paginator = Paginator(rows_counted, PAGE_SIZE)
    page = paginator.get_page(_page_number(request))
    rows = list(page.object_list)
    flags = integrity_flags_for(rows)
    context = {"form": form, "page": page, "rows": [(row, flags.get(row["id"], [])) for row in rows], "count": count}
    results_only = htmx_target(request) == "results"
    template = "web/public/market_results.html" if results_only else "web/public/market.html"
    response = render(request, template, context, status=status)
    add_never_cache_headers(response)  # a cached page would go on offering credits already sold
    return response


class _Counted:
    """Rows counted separately (marketplace_listing_count), for Django's paginator."""

    def __init__(self, rows: Any, count: int) -> None:
        self.rows, self._count = rows, count

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index: Any) -> Any:
        return self.rows[index]


def _project_evidence(project_id: int) -> list[dict[str, Any]]:
    """Each issuance behind a project's credits: its period, quantities, evidence and screening in words."""
    items = []
    for issuance in issuances_for_project(project_id=project_id)[:10]:
        claim = issuance.claim
        evidence = list(claim.evidence.all())
        kinds: dict[str, int] = {}
        for item in evidence:
            kinds[item.get_kind_display()] = kinds.get(item.get_kind_display(), 0) + 1
        items.append(
            {
                "issuance": issuance,
                "claim": claim,
                "evidence_count": len(evidence),
                "evidence_kinds": sorted(kinds.items()),
                "explanation": claim_explained(claim),
            }
        )
    return items


@require_safe
@reads_from_replica
def market_detail(request: HttpRequest, listing_id: int) -> HttpResponse:
    if (wait := throttled(request)) is not None:
        return too_many(request, wait)
    try:
        row = marketplace_listing_get(listing_id=listing_id)
    except NotFoundError:
        raise Http404("This listing is sold out, withdrawn or never existed.") from None
    context = {
        "row": row,
        "flags": integrity_flags_for([row]).get(row["id"], []),
        "evidence": _project_evidence(row["project_id"]),
        "buy_form": BuyForm(initial={"listing": row["id"]}),
    }
    response = render(request, "web/public/market_detail.html", context)
    add_never_cache_headers(response)
    return response


def _registry_rows(entries: list) -> list[dict[str, Any]]:
    """Issue and retire entries as the registry shows them (two more queries: organisations, certificates)."""
    certificates = certificates_by_entry(seqs=[entry.seq for entry in entries if entry.kind == EntryKind.RETIRE])
    owners = {int(entry.payload["to"]) for entry in entries if entry.kind == EntryKind.ISSUE}
    organizations = organizations_by_id(ids=owners)
    project_ids = set()
    rows = []
    for entry in entries:
        payload = entry.payload
        if entry.kind == EntryKind.ISSUE:
            block = next((b for b in payload["blocks"] if b["owner"] == payload["to"]), payload["blocks"][0])
            owner = organizations.get(int(payload["to"]))
            row = {
                "entry": entry,
                "kind": "Issued",
                "quantity_kg": payload["quantity_kg"] + payload.get("buffer_kg", 0),
                "project_id": int(payload["project"]),
                "vintage": payload["vintage"],
                "country": payload.get("country", ""),
                "first": int(block["serial_start"]),
                "last": int(block["serial_end"]),
                "party": owner.name if owner else "",
                "certificate": None,
                "memo": payload.get("memo") or {},
            }
        else:
            moved = next(b for b in payload["blocks"] if b["id"] == payload["block"])
            certificate = certificates.get(entry.seq)
            row = {
                "entry": entry,
                "kind": "Retired",
                "quantity_kg": payload["quantity_kg"],
                "project_id": int(moved["project"]),
                "vintage": moved["vintage"],
                "country": "",
                "first": int(moved["serial_start"]),
                "last": int(moved["serial_end"]),
                "party": certificate.organization.name if certificate else "",
                "certificate": certificate,
                "memo": payload.get("memo") or {},
            }
        project_ids.add(row["project_id"])
        rows.append(row)
    projects = Project.objects.in_bulk(project_ids) if project_ids else {}
    for row in rows:
        project = projects.get(row["project_id"])
        row["project"] = project
        country = row["country"] or (str(project.country) if project else "")
        row["serial"] = f"CC-{country}-{row['project_id']:06d}-{row['vintage']}-{row['first']}-{row['last']}"
    return rows


@require_safe
@reads_from_replica
def registry(request: HttpRequest) -> HttpResponse:
    """Every issuance and retirement, newest first, searchable by serial."""
    if (wait := throttled(request)) is not None:
        return too_many(request, wait)
    form = RegistrySearchForm(request.GET or None)
    serial_text = request.GET.get("serial", "").strip()
    serial = parse_serial(serial_text) if serial_text else None
    status = 200
    if serial_text and serial is None:
        form.is_valid()
        form.add_error("serial", "Not a serial: give CC-IN-000012-2025-1-900, one kilogram's serial, or a number.")
        status = 400
    paginator = Paginator(registry_entries(serial=serial), PAGE_SIZE)
    page = paginator.get_page(_page_number(request))
    context = {"form": form, "page": page, "rows": _registry_rows(list(page.object_list)), "serial": serial_text}
    results_only = htmx_target(request) == "results"
    template = "web/public/registry_results.html" if results_only else "web/public/registry.html"
    return render(request, template, context, status=status)


@require_safe
@reads_from_replica
def registry_project(request: HttpRequest, project_id: int) -> HttpResponse:
    if (wait := throttled(request)) is not None:
        return too_many(request, wait)
    try:
        project = public_project_get(project_id=project_id)
    except NotFoundError:
        raise Http404("No project with issued credits has this number.") from None
    entries = list(registry_entries(project_id=project.pk)[:PAGE_SIZE])
    listings = list(marketplace_listing_list().filter(project_id=project.pk)[:PAGE_SIZE])
    context = {
        "project": project,
        "rows": _registry_rows(entries),
        "listings": listings,
        "evidence": _project_evidence(project.pk),
    }
    return render(request, "web/public/registry_project.html", context)
