"""The one JSON parser of the API: RFC 8259 text the rest of the code can hold, or a 400.

DRF's parser hands on whatever ``json.loads`` returns, and fails with a 500 on two kinds of input
an attacker sends at no cost:

* a lone surrogate escape (``"\\ud800"``): valid JSON syntax, but no Unicode character. It reaches
  a serializer, which may echo it in an error message no response can encode as UTF-8, or a
  database that refuses it. RFC 8259 §8.2 leaves such strings' behaviour unpredictable; we refuse
  them. (An escaped surrogate *pair*, how many clients send emoji, is one character and is kept.)
* deep nesting: ``[[[[…]]]]`` 100,000 levels deep makes the C decoder raise ``RecursionError``.
  Bodies deeper than :data:`MAX_JSON_DEPTH` are refused; no request of the API nests beyond 4.

Both answers are the usual ``parse_error`` 400. ``NaN`` and ``Infinity`` stay refused
(``STRICT_JSON``), and the text must be UTF-8.
"""

import json
import re
from collections.abc import Iterable

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# The deepest arrays-in-objects a body may nest. The API's deepest request (a claim's evidence
# items) is 3; this leaves room for clients that wrap, and stays far from the interpreter's limit.
MAX_JSON_DEPTH = 32

# A surrogate can only enter a str through a \u escape: strict UTF-8 decoding refuses encoded ones.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


class StrictJSONParser(JSONParser):
    """JSON bodies: UTF-8, no lone surrogates, at most :data:`MAX_JSON_DEPTH` levels deep."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        raw = stream.read() if stream is not None else b""
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            raise ParseError(f"JSON parse error - the body is not valid {encoding} text.") from None
        try:
            data = json.loads(text, parse_constant=_refuse_constant if self.strict else None)
        except RecursionError:
            raise ParseError(f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels.") from None
        except ValueError as error:
            raise ParseError(f"JSON parse error - {error}") from None
        # Cheap checks first: fewer brackets than the limit cannot nest past it, and without a
        # surrogate escape in the text there is no surrogate in the data.
        if text.count("[") + text.count("{") > MAX_JSON_DEPTH and _depth(data) > MAX_JSON_DEPTH:
            raise ParseError(f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels.")
        if _SURROGATE_ESCAPE.search(text) and _has_lone_surrogate(data):
            raise ParseError(
                "JSON parse error - a string holds a lone surrogate (\\ud800-\\udfff without its pair), "
                "which is not Unicode text."
            )
        return data


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


def _depth(data: object) -> int:
    """How many arrays and objects deep ``data`` nests (iteratively: it may be very deep)."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, level = stack.pop()
        children: Iterable[object]
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_JSON_DEPTH:
            return deepest
        stack.extend((child, level + 1) for child in children)
    return deepest


def _has_lone_surrogate(data: object) -> bool:
    try:
        # ensure_ascii=False keeps the str as parsed; UTF-8 cannot encode a lone surrogate.
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
