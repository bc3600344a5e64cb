"""The API's renderers: the one JSON renderer, and those for endpoints that answer with a file.

:class:`JSONRenderer` never fails on text UTF-8 cannot encode. The parser (core.parsers) keeps lone
surrogates out of requests, but a response may still carry one from elsewhere (a row written before,
a query string, a library's message). DRF's renderer would raise ``UnicodeEncodeError`` — a 500 for
what should be a plain answer. Here every lone surrogate becomes U+FFFD (the replacement character)
instead.

:class:`PDFRenderer` and :class:`CSVRenderer` are for endpoints that answer with a file instead of
JSON. A view lists one of them beside ``JSONRenderer`` so a client may send ``Accept:
application/pdf`` or ``Accept: text/csv``; the view itself returns the bytes in an ``HttpResponse``.
Errors stay the one JSON error shape: :class:`FileDownloadMixin` renders any DRF ``Response`` as JSON.
"""

import re
from typing import Any

from rest_framework import renderers
from rest_framework.response import Response

_SURROGATE = re.compile("[\ud800-\udfff]")


class JSONRenderer(renderers.JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        try:
            return super().render(data, accepted_media_type, renderer_context)
        except UnicodeEncodeError:
            return super().render(_replace_surrogates(data), accepted_media_type, renderer_context)


def _replace_surrogates(value: Any) -> Any:
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_replace_surrogates(key): _replace_surrogates(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_replace_surrogates(item) for item in value]
    return value


class PDFRenderer(renderers.BaseRenderer):
    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class CSVRenderer(renderers.BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class FileDownloadMixin:
    """For a view answering with a file: an error answered to ``Accept: application/pdf`` (or
    ``text/csv``) is still rendered as the JSON error body (by :class:`JSONRenderer`)."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        if isinstance(response, Response) and not isinstance(
            getattr(response, "accepted_renderer", None), renderers.JSONRenderer
        ):
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = JSONRenderer.media_type
        return response
