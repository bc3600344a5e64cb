"""Finding 6: bad input is a 400, never a 500 — whatever the field, whoever sends it.

Found on the running service: a lone surrogate (``"\\ud800"``) in a choice field was echoed in the
error and the response could not be encoded (also on the unauthenticated registration); a deeply
nested body raised RecursionError in the JSON parser; ``claimed_reduction_kg`` of 2^63 reached the
database. Fixed generically: the one JSON parser refuses invalid Unicode and nesting deeper than
``core.parsers.MAX_JSON_DEPTH`` with a 400, every integer an input serializer accepts is bounded by
its column, and the renderer replaces what UTF-8 cannot encode instead of failing.

The schema-driven tests put each bad shape into every field of every request body of the OpenAPI
schema (nested ones too), authenticated and not.
"""

import json
from typing import Any

import pytest
from django.apps import apps
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import User
from core.ids import MAX_ID
from tests.security.test_ids import _resolve, concrete, nest

pytestmark = pytest.mark.django_db

LONE_SURROGATES = ["\ud800", "\udfff", "a\udc00b", "\ud83d"]  # a high or low half without its pair
HUGE_INTEGERS = [2**63, 2**64, -(2**63) - 1, 10**30]
ODD_NUMBERS = ["1e999999999", "-1e999999999", "NaN", "Infinity", "1E-999999999", "0E+999999", 1e308, "1" * 200]
ODD_STRINGS = [
    "\u0000",
    "a\u0000b",
    "x" * 100_000,
    "\u202e",
    "\ufeff",
    "\U0001d518\U0001d52b\U0001d526\U0001d520\U0001d52c\U0001d521\U0001d522",
]

REGISTER = "/api/auth/register/"


def raw_post(client: APIClient, path: str, body: Any, method: str = "post"):
    """Sends ``body`` as JSON text with every non-ASCII character escaped (``\\ud800`` stays a lone
    surrogate escape, as an attacker writes it), so the client library never refuses to encode it."""
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=True)
    return getattr(client, method)(path, data=text.encode("ascii"), content_type="application/json")


@pytest.fixture(scope="module")
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def leaves(schema: dict, node: dict, trail: tuple = ()):
    """``(trail, type)`` of every scalar in a request body schema, objects and arrays walked into."""
    node = _resolve(schema, node)
    kind = node.get("type")
    if "properties" in node:
        for name, child in node["properties"].items():
            yield from leaves(schema, child, (*trail, name))
    elif kind == "array" and "items" in node:
        yield from leaves(schema, node["items"], (*trail, 0))
    elif kind == "object":
        yield (*trail, "key"), "string"  # a free-form object (claim parameters): any key, any value
    elif "enum" in node or kind in ("string", "integer", "number", "boolean"):
        yield trail, "string" if "enum" in node else kind
    for variant in node.get("oneOf", []) + node.get("allOf", []):
        yield from leaves(schema, variant, trail)


def body_operations(schema: dict):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if content:
                yield path, method, list(leaves(schema, content["schema"]))


def shapes_for(kind: str) -> list[Any]:
    common = [*LONE_SURROGATES, *HUGE_INTEGERS, *ODD_STRINGS[:2]]
    if kind == "integer":
        return [*common, *ODD_NUMBERS]
    if kind == "number":
        return [*common, *ODD_NUMBERS]
    return [*common, *ODD_STRINGS]


@pytest.fixture
def unthrottled(monkeypatch, settings):
    """Thousands of requests from one client: no throttle or lockout may hide what they get."""
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", dict.fromkeys(SimpleRateThrottle.THROTTLE_RATES))
    settings.AXES_FAILURE_LIMIT = 10**9


@pytest.mark.parametrize("who", ["verifier", "anonymous"])
def test_no_bad_shape_in_any_field_of_any_body_is_a_server_error(schema, who, verifier_client, api_client, unthrottled):
    client = verifier_client if who == "verifier" else api_client
    client.raise_request_exception = False  # collect every 500 instead of stopping at the first
    server_errors, checked = [], 0
    for path, method, fields in body_operations(schema):
        for trail, kind in fields:
            for shape in shapes_for(kind):
                checked += 1
                response = raw_post(client, concrete(path), nest(trail, shape), method)
                if response.status_code == 429:
                    pytest.fail(f"throttled at {path}: the test would hide what the rest get")
                if response.status_code >= 500:
                    server_errors.append(f"{method.upper()} {path} {'.'.join(map(str, trail))}={shape!r:.40}")

    assert checked > 500
    assert not server_errors, "\n".join(server_errors)


@pytest.mark.parametrize("shape", LONE_SURROGATES)
@pytest.mark.parametrize("field", ["email", "password", "organization_name", "country", "sector", "website"])
def test_a_lone_surrogate_in_the_public_registration_is_400(api_client, field, shape):
    body = {
        "email": "new@example.com",
        "password": "a-long-unusual-passphrase-42",
        "organization_name": "New Ltd",
        "country": "GB",
        field: shape,
    }

    response = raw_post(api_client, REGISTER, body)

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "parse_error"
    assert not User.objects.exists()


def test_a_lone_surrogate_in_a_choice_field_is_400_and_the_answer_is_valid_utf8(auth_client):
    response = raw_post(auth_client, "/api/projects/", {"title": "Roof", "category": "\ud800", "country": "GB",
                                                      "start_date": "2024-01-01"})  # fmt: skip

    assert response.status_code == 400
    response.content.decode("utf-8")  # strict: raises on anything UTF-8 cannot hold
    assert "surrogate" in response.json()["detail"] or "Unicode" in response.json()["detail"]


def test_a_surrogate_pair_is_a_character_like_any_other(auth_client):
    """Escaped pairs (how many clients send emoji) are valid JSON text and are kept."""
    response = raw_post(auth_client, "/api/projects/", {"title": "Roof \U0001f31e", "category": "solar",
                                                      "country": "GB", "start_date": "2024-01-01"})  # fmt: skip

    assert response.status_code == 201, response.content
    assert response.json()["title"] == "Roof \U0001f31e"


@pytest.mark.parametrize("depth", [65, 1_000, 100_000])
@pytest.mark.parametrize("path", [REGISTER, "/api/token/", "/api/reduction-data/", "/api/buy/"])
def test_a_deeply_nested_body_is_400(auth_client, path, depth):
    for text in ("[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth):
        response = raw_post(auth_client, path, text)

        assert response.status_code == 400, (path, depth, response.status_code)
        assert response.json()["code"] == "parse_error"


def test_nesting_within_the_limit_is_parsed(auth_client):
    """The limit is on depth, not on shape: a claim's evidence list (depth 3) and a body as deep as
    the limit still reach the serializer, which names the fields it does not like."""
    from core.parsers import MAX_JSON_DEPTH

    text = '{"project":' + "[" * (MAX_JSON_DEPTH - 1) + "]" * (MAX_JSON_DEPTH - 1) + "}"
    response = raw_post(auth_client, "/api/reduction-data/", text)

    assert response.status_code == 400
    assert "project" in response.json()["errors"]


@pytest.mark.parametrize("value", [2**63, 2**63 - 1 + 1, 2**64, 10**30, 10**4000])
def test_claimed_reduction_kg_beyond_its_column_is_400(auth_client, user, value):
    from tests.verification.factories import project_for
    from tests.verification.test_claims_api import solar_body

    body = solar_body(project_for(user.organization), claimed_reduction_kg=value)

    response = raw_post(auth_client, "/api/reduction-data/", body)

    assert response.status_code == 400, response.content
    assert "claimed_reduction_kg" in response.json()["errors"] or response.json()["code"] == "parse_error"


def test_a_body_that_is_not_utf8_is_400(auth_client):
    response = auth_client.post("/api/projects/", data=b'{"title": "\xff\xfe"}', content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_the_renderer_replaces_what_utf8_cannot_encode():
    """The last line of defence: a response holding a lone surrogate (from anywhere) still renders."""
    from core.renderers import JSONRenderer

    rendered = JSONRenderer().render({"detail": "bad \ud800 value", "errors": {"f\udfff": ["x\ud800"]}})

    assert json.loads(rendered.decode("utf-8")) == {"detail": "bad \ufffd value", "errors": {"f\ufffd": ["x\ufffd"]}}


# --- every integer an input serializer accepts fits a bigint ---------------------------------------


def _input_serializers() -> list[type[serializers.Serializer]]:
    project_apps = [config for config in apps.get_app_configs() if "site-packages" not in config.path]
    found = []
    for config in project_apps:
        try:
            module = __import__(f"{config.name}.serializers", fromlist=["*"])
        except ModuleNotFoundError:
            continue
        found += [
            value
            for name, value in vars(module).items()
            if isinstance(value, type)
            and issubclass(value, serializers.Serializer)
            and name.endswith("InputSerializer")
            and value.__module__ == module.__name__
        ]
    return found


def _fields(serializer: Any, prefix: str = ""):
    if isinstance(serializer, serializers.ListSerializer):
        yield from _fields(serializer.child, f"{prefix}0.")
        return
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        if isinstance(field, serializers.BaseSerializer):
            yield from _fields(field, f"{prefix}{name}.")
        elif isinstance(field, serializers.ListField | serializers.DictField) and field.child is not None:
            yield f"{prefix}{name}.0", field.child
        yield f"{prefix}{name}", field


def test_every_integer_field_of_every_input_serializer_is_strict_and_bounded():
    from core.fields import MIN_BIGINT, JSONIntegerField, QueryIntegerField

    serializer_classes = _input_serializers()
    assert len(serializer_classes) >= 15  # the walk found the apps' serializers
    loose = []
    for serializer_class in serializer_classes:
        for name, field in _fields(serializer_class()):
            if not isinstance(field, serializers.IntegerField):
                continue
            label = f"{serializer_class.__name__}.{name}"
            if not isinstance(field, JSONIntegerField | QueryIntegerField):
                loose.append(f"{label}: {type(field).__name__} coerces strings and floats")
            if field.max_value is None or field.max_value > MAX_ID or field.min_value is None:
                loose.append(f"{label}: unbounded")
            elif field.min_value < MIN_BIGINT:
                loose.append(f"{label}: below a bigint")

    assert not loose
