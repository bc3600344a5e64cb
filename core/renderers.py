"""Renderers for endpoints that answer with a file (PDF, CSV) instead of JSON.

A view lists one of them beside ``JSONRenderer`` so a client may send ``Accept: application/pdf``
or ``Accept: text/csv``; the view itself returns the bytes in an ``HttpResponse``. Errors stay the
one JSON error shape: :class:`FileDownloadMixin` renders any DRF ``Response`` as JSON.
"""

from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response


class PDFRenderer(BaseRenderer):
    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class FileDownloadMixin:
    """For a view answering with a file: an error answered to ``Accept: application/pdf`` (or
    ``text/csv``) is still rendered as the JSON error body."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        if isinstance(response, Response) and not isinstance(
            getattr(response, "accepted_renderer", None), JSONRenderer
        ):
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = JSONRenderer.media_type
        return response
