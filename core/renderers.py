"""The one JSON renderer of the API: never fails on text UTF-8 cannot encode.

The parser (core.parsers) keeps lone surrogates out of requests, but a response may still carry
one from elsewhere (a row written before, a query string, a library's message). DRF's renderer
would raise ``UnicodeEncodeError`` — a 500 for what should be a plain answer. Here every lone
surrogate becomes U+FFFD (the replacement character) instead.
"""

import re
from typing import Any

from rest_framework import renderers

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
