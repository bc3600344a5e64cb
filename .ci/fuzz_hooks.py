"""Schemathesis hooks for `.ci/fuzz` (loaded through SCHEMATHESIS_HOOKS): hostile shapes the schema
never suggests, spliced into the bodies it generates.

Schemathesis generates values that fit (or just miss) the schema. An attack on the running service
found 500s with shapes outside that space: a lone surrogate escape in any string ("\\ud800"), an
integer beyond a bigint, a body nested far deeper than any request of the API. Each generated body
is sent as generated or with one of its values (or the whole body) replaced by such a shape; every
answer must still be below 500. A form or multipart body (the document upload) gets only the shapes
its client can encode. tests/security/test_bad_input.py sends the same shapes to every field in the
test suite, where a failure is quicker to read.
"""

from typing import Any

import schemathesis
from hypothesis import strategies as st

LONE_SURROGATES = ["\ud800", "\udfff", "x\udc00y"]
HUGE_INTEGERS = [2**63, 2**64, -(2**63) - 1, 10**40]
ODD_NUMBERS = [1e308, -0.0, 1.5]
ODD_STRINGS = ["\u0000", "1e999999999", "NaN", "\u202e"]
# Deeper than core.parsers.MAX_JSON_DEPTH, shallow enough for the client's own JSON encoder.
DEEP = 200


def _paths(value: Any, trail: tuple = ()) -> list[tuple]:
    """Every location in a generated body, containers included."""
    found = [trail]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*trail, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*trail, index))
    return found


def _replace(value: Any, trail: tuple, new: Any) -> Any:
    if not trail:
        return new
    head, rest = trail[0], trail[1:]
    if isinstance(value, dict):
        return {**value, head: _replace(value[head], rest, new)}
    copy = list(value)
    copy[head] = _replace(copy[head], rest, new)
    return copy


def _every(value: Any, kind: type, new: Any) -> Any:
    """``value`` with every leaf of type ``kind`` replaced by ``new`` (``bool`` is not an ``int`` here)."""
    if isinstance(value, dict):
        return {key: _every(item, kind, new) for key, item in value.items()}
    if isinstance(value, list):
        return [_every(item, kind, new) for item in value]
    if isinstance(value, kind) and not isinstance(value, bool):
        return new
    return value


def _nested(depth: int) -> Any:
    value: Any = 1
    for level in range(depth):
        value = [value] if level % 2 else {"a": value}
    return value


SHAPES = [*LONE_SURROGATES, *HUGE_INTEGERS, *ODD_NUMBERS, *ODD_STRINGS, None, [], {}]
# What a form or multipart body (the document upload) can carry: the client encodes its fields as
# UTF-8, which a lone surrogate is not, and a form has no nesting.
FORM_SHAPES = [*HUGE_INTEGERS, *ODD_NUMBERS, *ODD_STRINGS]


def _takes_json(context) -> bool:
    """Whether the operation's body is JSON (else a form or multipart upload)."""
    operation = getattr(context, "operation", None)
    raw = getattr(getattr(operation, "definition", None), "raw", None)
    content = raw.get("requestBody", {}).get("content", {}) if isinstance(raw, dict) else {}
    return not content or any("json" in media_type for media_type in content)


@schemathesis.hook
def flatmap_body(context, body):
    if not isinstance(body, dict | list):
        return st.just(body)
    locations = _paths(body)
    if not _takes_json(context):
        fields = [trail for trail in locations if len(trail) == 1 and not isinstance(body[trail[0]], bytes)]
        if not isinstance(body, dict) or not fields:
            return st.just(body)
        return st.one_of(
            st.just(body),
            st.tuples(st.sampled_from(fields), st.sampled_from(FORM_SHAPES)).map(
                lambda choice: _replace(body, choice[0], choice[1])
            ),
        )
    spliced = st.tuples(st.sampled_from(locations), st.sampled_from(SHAPES)).map(
        lambda choice: _replace(body, choice[0], choice[1])
    )
    # As generated, or hostile: one value replaced by any shape; every string a lone surrogate;
    # every integer beyond a bigint; the whole body nested deep.
    return st.one_of(
        st.just(body),
        spliced,
        st.sampled_from(LONE_SURROGATES).map(lambda shape: _every(body, str, shape)),
        st.sampled_from(HUGE_INTEGERS).map(lambda shape: _every(body, int, shape)),
        st.just(_nested(DEEP)),
    )
