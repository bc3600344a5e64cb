"""Issuing the GHG statement as a document, and publishing issued documents for verification."""

import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone

from accounts.models import Organization
from core.db import atomic_with_retry
from reports.ghg.statement import Statement
from reports.models import IssuedReport
from reports.pdf import LAYOUT_VERSION, ghg_pdf_render
from reports.selectors import ghg_statement_for, issued_report_get_for, report_verify_url

PDF_CACHE_SECONDS = 24 * 60 * 60


def ghg_pdf_bytes(statement: Statement) -> bytes:
    """The statement's PDF, rendered once per statement and layout and then served from the cache.
    The render is deterministic, so a miss (another worker, an eviction) gives the same bytes."""
    verify_url = report_verify_url()
    key = f"ghg-pdf:{LAYOUT_VERSION}:{statement.fingerprint}:{hashlib.sha256(verify_url.encode()).hexdigest()[:16]}"
    data = cache.get(key)
    if data is None:
        data = ghg_pdf_render(statement, verify_url=verify_url)
        cache.set(key, data, PDF_CACHE_SECONDS)
    return data


@dataclass(frozen=True)
class IssuedDocument:
    report: IssuedReport
    data: bytes
    statement: Statement


def ghg_pdf_issue(*, organization: Organization, year: int, public: bool = False) -> IssuedDocument:
    """The organisation's statement for ``year`` as a PDF, its SHA-256 recorded (once per distinct
    document: the same data gives the same bytes and finds the same row). ``public`` publishes it,
    so anyone holding it can check it; publishing is never undone here (see ``issued_report_publish``).
    The render happens before, and outside, the short transaction that records it."""
    statement = ghg_statement_for(organization=organization, year=year)
    data = ghg_pdf_bytes(statement)
    report = _issued_record(organization=organization, statement=statement, data=data, public=public)
    return IssuedDocument(report=report, data=data, statement=statement)


@atomic_with_retry
def _issued_record(*, organization: Organization, statement: Statement, data: bytes, public: bool) -> IssuedReport:
    report, _ = IssuedReport.objects.get_or_create(
        organization=organization,
        sha256=hashlib.sha256(data).hexdigest(),
        defaults={
            "kind": IssuedReport.Kind.GHG_STATEMENT,
            "year": statement.year,
            "size_bytes": len(data),
            "fingerprint": statement.fingerprint,
            "layout_version": LAYOUT_VERSION,
            "data_as_of": statement.data_as_of,
            "public": public,
            "published_at": timezone.now() if public else None,
        },
    )
    if public and not report.public:
        report = IssuedReport.objects.select_for_update().get(pk=report.pk)
        if not report.public:
            report.public, report.published_at = True, timezone.now()
            report.save(update_fields=["public", "published_at"])
    return report


@atomic_with_retry
def issued_report_publish(*, organization: Organization, report_id: int, public: bool) -> IssuedReport:
    """Make one of the organisation's issued documents checkable by anyone (``public``), or stop
    answering for it (a document once published may have been handed out: withdrawing makes the
    public check answer "not issued by us" for it). 404 for another organisation's document."""
    report = issued_report_get_for(organization=organization, report_id=report_id)
    report = IssuedReport.objects.select_for_update().get(pk=report.pk)
    if report.public != public:
        report.public = public
        if public:
            report.published_at = timezone.now()
        report.save(update_fields=["public", "published_at"])
    return report
