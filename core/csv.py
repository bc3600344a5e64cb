"""CSV exports of list endpoints: ``?format=csv`` (or ``Accept: text/csv``) answers the whole filtered
list as a streamed CSV file instead of one JSON page.

A list view adds :class:`CsvExportMixin` and names its columns in ``csv_columns``: ``(header, path)``
pairs, where ``path`` is a dotted path into the row as the view's serializer renders it
(``project.title``); a list value becomes its items joined with ``;``, an object its JSON text. The
rows are read from the view's filtered queryset in chunks (``QuerySet.iterator``) and written as
they come, so an export of any length needs little memory; JSON pagination is untouched.

Every text cell a spreadsheet would read as a formula (it begins with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return) gets a leading ``'`` (OWASP "CSV injection"); numbers the API writes itself,
negative ones included, are left as they are.
"""

import csv
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.http import StreamingHttpResponse
from django.utils import timezone
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request

from core.pagination import positive_integer
from core.renderers import CSVRenderer, FileDownloadMixin, JSONRenderer

CHUNK_SIZE = 2000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[-+]?\d+(?:\.\d+)?$")  # a signed amount is a number, not a formula

Columns = Sequence[tuple[str, str]]


def safe_cell(value: Any) -> Any:
    """``value`` as a CSV cell a spreadsheet will not run: text that would start a formula is quoted."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        value = ";".join(str(safe_cell(item)) for item in value)
    elif isinstance(value, dict):
        value = json.dumps(value, sort_keys=True, ensure_ascii=False)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER.match(value):
        return "'" + value
    return value


def _lookup(row: Any, path: str) -> Any:
    for key in path.split("."):
        if row is None:
            return None
        row = row.get(key) if isinstance(row, dict) else getattr(row, key, None)
    return row


class _Echo:
    """A file whose ``write`` hands the line back: csv.writer then yields one line at a time."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Any], columns: Columns) -> Iterator[str]:
    """The header line, then one line per row."""
    writer = csv.writer(_Echo())
    yield writer.writerow([header for header, _ in columns])
    for row in rows:
        yield writer.writerow([safe_cell(_lookup(row, path)) for _, path in columns])


def csv_response(rows: Iterable[Any], columns: Columns, *, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_lines(rows, columns), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def wants_csv(request: Request) -> bool:
    renderer = getattr(request, "accepted_renderer", None)
    return isinstance(renderer, CSVRenderer)


class CsvExportMixin(FileDownloadMixin):
    """``?format=csv`` on a list view: every row of its filtered queryset, streamed (see the module).

    Set ``csv_columns`` and ``csv_filename`` (a prefix; the date is added). Errors (a bad filter, no
    token) stay the JSON error body."""

    renderer_classes: Sequence[type[BaseRenderer]] = [JSONRenderer, CSVRenderer]
    csv_columns: Columns = ()
    csv_filename = "export"

    def csv_rows(self, queryset) -> Iterator[dict[str, Any]]:
        """Each row as the view's serializer renders it, read in chunks."""
        serializer_class = self.get_serializer_class()  # type: ignore[attr-defined]
        context = self.get_serializer_context()  # type: ignore[attr-defined]
        rows = queryset.iterator(chunk_size=CHUNK_SIZE) if hasattr(queryset, "iterator") else queryset
        for item in rows:
            yield serializer_class(item, context=context).data

    def list(self, request, *args, **kwargs):
        if not wants_csv(request):
            return super().list(request, *args, **kwargs)  # type: ignore[misc]
        # The export has no pages, but junk in page or page_size is still a 400, as for JSON.
        for name in ("page", "page_size"):
            positive_integer(request, name)
        queryset = self.filter_queryset(self.get_queryset())  # type: ignore[attr-defined]
        filename = f"{self.csv_filename}-{timezone.now():%Y-%m-%d}.csv"
        return csv_response(self.csv_rows(queryset), self.csv_columns, filename=filename)
