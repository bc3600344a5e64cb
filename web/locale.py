"""The reader's format locale: numbers and dates on the pages follow the browser's Accept-Language.

Only formats change (digit grouping, decimal mark, date order and month names); the pages' words stay
English and the API's JSON is untouched — the locale is read for pages only, never for ``/api/``.
"""

from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import trans_real

DEFAULT_FORMAT_LOCALE = "en-gb"
# Locales whose format module Django ships, by the tag a browser sends. A tag not listed falls back
# to its language (de-AT → de), then to the default.
FORMAT_LOCALES = frozenset(
    {"en", "en-gb", "en-au", "en-ie", "de", "de-ch", "fr", "es", "it", "nl", "pt", "pt-br", "pl", "cs", "sv", "da",
     "nb", "fi", "hi", "ja", "ko", "zh-hans", "ar", "tr", "el", "hu", "ro", "uk", "ru", "id", "vi", "th"}
)  # fmt: skip
_ALIASES = {"en-us": "en", "zh-cn": "zh-hans", "zh": "zh-hans", "no": "nb"}

format_locale_var: ContextVar[str] = ContextVar("format_locale", default=DEFAULT_FORMAT_LOCALE)


def format_locale_from(accept_language: str) -> str:
    """The first supported locale in an Accept-Language header (by its q weights)."""
    for tag, _quality in trans_real.parse_accept_lang_header(accept_language or ""):
        tag = _ALIASES.get(tag.lower(), tag.lower())
        if tag in FORMAT_LOCALES:
            return tag
        language = tag.split("-")[0]
        if language in FORMAT_LOCALES:
            return language
    return DEFAULT_FORMAT_LOCALE


class FormatLocaleMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            return self.get_response(request)
        token = format_locale_var.set(format_locale_from(request.headers.get("Accept-Language", "")))
        try:
            response = self.get_response(request)
        finally:
            format_locale_var.reset(token)
        patch_vary_headers(response, ("Accept-Language",))
        return response
