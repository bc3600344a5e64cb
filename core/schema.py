"""The OpenAPI schema's conventions, applied to every operation (``DEFAULT_SCHEMA_CLASS``).

Clients generate code from the schema, so it must say what the server really answers. On top of
what drf-spectacular derives from serializers, :class:`AutoSchema` adds to every operation:

* the error responses it can give, each with the one error body of ``core.errors`` (the ``Error``
  component): 400 when it takes a body, query parameters or headers; 401 when it needs a token;
  403 when a permission can refuse a signed-in user (any write: the organisation's standing or role
  may forbid it; reads only behind permissions that say they can refuse them); 404 when its path
  names an object, and on paginated lists (a page beyond the last); 413 and 415 when it takes a
  body; 414 (no body: the HTTP server's request-line limit) when it takes query parameters; 422 when
  it takes an ``Idempotency-Key``; 429 when it is throttled. A view declares what
  only it can answer (409 for a conflict with the current state, 404 for an id in the body, 403 for
  a rule of its own) in ``error_statuses`` — a collection of statuses, or a dict by HTTP method —
  or in ``extend_schema(responses=...)``, where a body-less ``OpenApiResponse`` keeps its description
  and gets the error body;
* ``security: []`` on public (``AllowAny``) operations, so no client sends, or asks for, a token;
* an operation id read from the path (``projects_list``, ``projects_retrieve``, ``projects_create``,
  ``sites_partial_update``, ``listings_destroy``; a POST to an endpoint that is not a collection is
  named by the path alone: ``buy``, ``verifications_approve``; ``auth_`` is dropped: ``register``),
  stable and unique, and a short summary when the view gives none.

A request serializer that refuses unknown keys sets ``schema_closed = True``: its schema gets
``additionalProperties: false``.

Request constraints follow the server (``_map_serializer_field``, ``_loosen_to_what_the_server_reads``):
decimal strings get a pattern with their bounds, lists that refuse to be empty ``minItems: 1``, text
no null character (nor blank-only text where blanks are refused), a field's ``schema_min_length``
(a password) its ``minLength``, query filters an allowed empty value (no filter), the
Idempotency-Key 1..255 characters; an unknown ``?format=`` is a 404. A list view with
``csv_columns`` (core.csv) documents ``?format=csv`` and its ``text/csv`` answer.

A permission class tells the schema that it can refuse reads with ``schema_refuses_reads = True``
(the default for any permission but ``AllowAny`` and ``IsAuthenticated``), or that it refuses only
writes with ``schema_refuses_reads = False``.
"""

import re
from decimal import Decimal
from typing import Any

from django.db import models
from drf_spectacular import openapi
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import permissions, serializers
from rest_framework.mixins import ListModelMixin

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Answered by the HTTP server in front of Django, so not in the error shape: no body is promised.
NO_BODY_STATUSES = {414}
BODY_METHODS = {"POST", "PUT", "PATCH"}

ERROR_DESCRIPTIONS = {
    400: "Invalid input: `detail` says what is wrong, `errors` names each offending field.",
    401: "No token, or an invalid or expired one.",
    403: "Signed in, but not allowed: a permission, the organisation's role or its standing forbids it.",
    404: "Not found, or not yours.",
    409: "The request conflicts with the current state (e.g. not enough quantity, already closed).",
    413: "The request body is too large.",
    414: "The URL is too long: the HTTP server's request-line limit, answered before the API (no JSON body).",
    415: "The body's media type is not accepted.",
    422: "This Idempotency-Key was already used with a different request.",
    429: "Too many requests: wait `retry_after_seconds` (also in the `Retry-After` header).",
}

ACTIONS = {"GET": "retrieve", "POST": "create", "PUT": "update", "PATCH": "partial_update", "DELETE": "destroy"}
SUMMARY_VERBS = {
    "list": "List",
    "retrieve": "Get",
    "create": "Create",
    "update": "Replace",
    "partial_update": "Update",
    "destroy": "Delete",
}


# The one error body of every 4xx/5xx answer (core.errors). Some errors add fields of their own
# (e.g. ``available_kg`` on a 409 for a short listing, ``retry_after_seconds`` on a 429).
ERROR_SCHEMA = {
    "type": "object",
    "description": "The one error body of every 4xx/5xx answer; some errors add fields of their own.",
    "properties": {
        "detail": {"type": "string", "description": "A sentence for a person."},
        "code": {"type": "string", "description": "A stable machine-readable code, e.g. `invalid`, `not_found`."},
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": "Validation errors only: each offending field (nested as `lines.0.quantity`) "
            "and its messages.",
        },
    },
    "required": ["detail", "code"],
}


def _declared(view: Any, method: str) -> set[int]:
    declared = getattr(view, "error_statuses", ())
    if isinstance(declared, dict):
        declared = declared.get(method, ())
    return {int(status) for status in declared}


def _refuses_reads(permission: Any) -> bool:
    if type(permission) in (permissions.AllowAny, permissions.IsAuthenticated):
        return False
    return bool(getattr(permission, "schema_refuses_reads", True))


def decimal_pattern(field: serializers.DecimalField) -> str | None:
    """A pattern for a decimal string that the field accepts, bounds included where a pattern can say
    them: no sign when the minimum is not negative, not zero when it is positive (its smallest step
    or more), at most the whole digits of the maximum, and one digit at least."""
    places = field.decimal_places
    whole = field.max_whole_digits
    if whole is None or places is None:
        return None
    low, high = field.min_value, field.max_value
    sign = "" if low is not None and low >= 0 else "-?"
    top = ""
    if high is not None and high > 0 and high == 10 ** (len(str(int(high))) - 1) and int(high) == high:
        whole = len(str(int(high))) - 1  # 100000.00: five digits, or exactly 100000
        top = f"|{int(high)}(?:\\.0{{0,{places}}})?"
    fraction = f"(?:\\.\\d{{0,{places}}})?" if places else ""
    if low is not None and low > 0 and places and low == Decimal(1).scaleb(-places):
        # Positive: a non-zero whole part, or a zero one with a non-zero fraction.
        nonzero_fraction = "|".join(f"0{{{zeros}}}[1-9]\\d{{0,{places - zeros - 1}}}" for zeros in range(places))
        body = f"0*[1-9]\\d{{0,{whole - 1}}}{fraction}|0*\\.(?:{nonzero_fraction})"
        return f"^(?:{body}{top})$"
    if whole == 0:
        return f"^{sign}(?:0?{fraction})$"
    return (
        f"^{sign}(?:\\d{{1,{whole}}}{fraction}|\\.\\d{{1,{places}}}{top})$" if places else f"^{sign}\\d{{1,{whole}}}$"
    )


def _singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


class AutoSchema(openapi.AutoSchema):
    def _map_model_field(self, model_field, direction):
        schema = super()._map_model_field(model_field, direction)
        # A URL column that may be blank holds "", which is no URI.
        if isinstance(model_field, models.URLField) and model_field.blank and isinstance(schema, dict):
            schema.pop("format", None)
        return schema

    def _insert_field_validators(self, field, schema):
        super()._insert_field_validators(field, schema)
        # A URL field that may be blank (read-only ones come from blank=True columns) answers "",
        # which is no URI.
        if isinstance(field, serializers.URLField) and (field.allow_blank or field.read_only):
            schema.pop("format", None)

    def _map_serializer(self, serializer, direction, bypass_extensions=False):
        schema = super()._map_serializer(serializer, direction, bypass_extensions)
        # A serializer that refuses keys it does not take (``schema_closed``) says so.
        if direction == "request" and getattr(serializer, "schema_closed", False) and isinstance(schema, dict):
            schema["additionalProperties"] = False
        return schema

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if not isinstance(schema, dict) or "$ref" in schema:
            return schema
        if isinstance(field, serializers.DecimalField) and schema.get("format") == "decimal" and "pattern" in schema:
            pattern = decimal_pattern(field)
            if pattern:
                schema["pattern"] = pattern
        # A field whose length a validator beyond the field checks (a password) says so itself.
        if getattr(field, "schema_min_length", None):
            schema["minLength"] = field.schema_min_length
        # An empty list the field refuses: at least one item.
        if isinstance(field, serializers.ListSerializer | serializers.ListField) and not field.allow_empty:
            schema.setdefault("minItems", 1)
        # Text refuses the null character (DRF's ProhibitNullCharactersValidator), and a field that
        # trims and refuses blanks refuses whitespace alone too: one visible character.
        if (
            direction == "request"
            and isinstance(field, serializers.CharField)
            and not isinstance(field, serializers.RegexField | serializers.EmailField | serializers.URLField)
            and "pattern" not in schema
            and "enum" not in schema
            and schema.get("type") == "string"
        ):
            visible = not field.allow_blank and field.trim_whitespace
            # A blank-allowing field is wrapped in oneOf [this, {maxLength: 0}]: "" is the other branch.
            schema["pattern"] = r"^[^\x00]*[^\x00\s][^\x00]*$" if visible else r"^[^\x00]+$"
        return schema

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        if self.is_public():
            operation["security"] = []
        if not operation.get("summary"):
            operation["summary"] = self._summary(operation["operationId"])
        for parameter in operation.get("parameters", []):
            self._loosen_to_what_the_server_reads(parameter)
        self._describe_csv_export(operation)
        self._add_error_responses(operation)
        return operation

    def _describe_csv_export(self, operation: dict[str, Any]) -> None:
        """A list view with ``csv_columns`` (core.csv.CsvExportMixin) answers ``?format=csv`` with the
        whole filtered list as CSV; its other operations answer JSON only."""
        columns = getattr(self.view, "csv_columns", None)
        if not columns:
            return
        for code, response in operation["responses"].items():
            if str(code).startswith("2"):
                response.get("content", {}).pop("text/csv", None)
        if not (self.method == "GET" and self._is_list_view()):
            return
        parameters = operation.setdefault("parameters", [])
        parameters[:] = [parameter for parameter in parameters if parameter["name"] != "format"]
        parameters.append(
            {
                "name": "format",
                "in": "query",
                "required": False,
                "description": "`csv`: every row of the filtered list (no pages) as a CSV file; `json` (the default): "
                "one page of JSON. `Accept: text/csv` does the same as `format=csv`.",
                "schema": {"type": "string", "enum": ["json", "csv"]},
            }
        )
        parameters.sort(key=lambda parameter: (parameter["in"], parameter["name"]))
        headers = ", ".join(f"`{header}`" for header, _ in columns)
        operation["responses"]["200"].setdefault("content", {})["text/csv"] = {
            "schema": {"type": "string", "description": f"A header row, then one row per item: {headers}."}
        }

    @staticmethod
    def _loosen_to_what_the_server_reads(parameter: dict[str, Any]) -> None:
        """Query filters read an empty value as "no filter" (core.filters) and a date-time filter
        also takes a date; the Idempotency-Key is 1 to 255 characters, not all blank."""
        schema = parameter.get("schema", {})
        if parameter["in"] == "header" and parameter["name"] == "Idempotency-Key":
            schema.update(minLength=1, maxLength=255, pattern=r"\S")
            return
        if parameter["in"] != "query" or parameter["name"] in ("page", "page_size"):
            return
        if schema.get("type") == "string":
            if schema.get("minLength") == 1:
                del schema["minLength"]
            if "pattern" in schema and not parameter.get("required"):  # an empty value is no filter
                schema["pattern"] = f"^$|{schema['pattern']}"
            if "enum" in schema and "" not in schema["enum"]:
                schema["enum"] = [*schema["enum"], ""]
            if schema.get("format") == "date-time":
                del schema["format"], schema["type"]
                schema["anyOf"] = [
                    {"type": "string", "format": "date-time"},
                    {"type": "string", "format": "date"},
                    {"type": "string", "enum": [""]},
                ]

    # --- who may call it ---------------------------------------------------------------------

    def is_public(self) -> bool:
        """No permission at all (SimpleJWT's token views), or ``AllowAny``."""
        checks = self.view.get_permissions()
        return not checks or any(isinstance(permission, permissions.AllowAny) for permission in checks)

    def get_auth(self):
        # Public operations take no token: `security: []` (get_operation), not "a token or none".
        if self.is_public():
            return []
        return super().get_auth()

    # --- error responses ---------------------------------------------------------------------

    def error_statuses(self, operation: dict[str, Any]) -> set[int]:
        """The error statuses this operation can answer (see the module docstring)."""
        method = self.method
        parameters = operation.get("parameters", [])
        statuses = _declared(self.view, method)
        takes_body = method in BODY_METHODS
        if takes_body or any(parameter["in"] in ("query", "header") for parameter in parameters):
            statuses.add(400)
        if any(parameter["in"] == "query" for parameter in parameters):
            statuses.add(414)  # gunicorn's limit_request_line, before Django: NO_BODY_STATUSES
        if takes_body:
            statuses |= {413, 415}
        if not self.is_public():
            statuses.add(401)
            if method in UNSAFE_METHODS or any(_refuses_reads(p) for p in self.view.get_permissions()):
                statuses.add(403)
        if any(parameter["in"] == "path" for parameter in parameters):
            statuses.add(404)
        if method == "GET" and self._is_list_view() and self._get_paginator() is not None:
            statuses.add(404)
        if any(parameter["in"] == "query" and parameter["name"] == "format" for parameter in parameters):
            statuses.add(404)  # DRF answers an unknown ?format= with 404
        if any(parameter["in"] == "header" and parameter["name"] == "Idempotency-Key" for parameter in parameters):
            statuses.add(422)
        if self.view.get_throttles():
            statuses.add(429)
        return statuses

    def _error_ref(self) -> dict[str, str]:
        component = ResolvedComponent(
            name="Error",
            type=ResolvedComponent.SCHEMA,
            object="core.schema.Error",
            schema=ERROR_SCHEMA,
        )
        self.registry.register_on_missing(component)
        return component.ref

    def _add_error_responses(self, operation: dict[str, Any]) -> None:
        responses = operation["responses"]
        declared = {int(code) for code in responses if str(code).isdigit() and int(code) >= 400}
        content = {"application/json": {"schema": self._error_ref()}}
        for status in sorted(self.error_statuses(operation) | declared):
            response = responses.setdefault(str(status), {"description": ERROR_DESCRIPTIONS.get(status, "")})
            if status in NO_BODY_STATUSES:
                continue
            if not response.get("content"):
                response["content"] = content
            if not response.get("description"):
                response["description"] = ERROR_DESCRIPTIONS.get(status, "An error.")
            if status == 429:
                response.setdefault("headers", {})["Retry-After"] = {
                    "schema": {"type": "integer"},
                    "description": "Seconds to wait before trying again.",
                }
        operation["responses"] = dict(sorted(responses.items(), key=lambda item: str(item[0])))

    # --- names -------------------------------------------------------------------------------

    def _resource_tokens(self) -> list[str]:
        tokens = [token.replace("-", "_") for token in self._tokenize_path()]
        if tokens[:1] == ["auth"] and len(tokens) > 1:
            tokens = tokens[1:]
        return tokens or ["root"]

    def get_operation_id(self) -> str:
        tokens = self._resource_tokens()
        if self.method == "GET" and self._is_list_view():
            action = "list"
        elif self.method == "POST" and not self._is_collection():
            return "_".join(tokens)  # an action endpoint: buy, verifications_approve, register
        else:
            action = ACTIONS.get(self.method, self.method.lower())
        return "_".join([*tokens, action])

    def _is_collection(self) -> bool:
        """Whether a POST here creates one of the things a GET on the same path lists."""
        action = getattr(self.view, "action", None)
        if action is not None:  # a viewset: its create, or an extra action that also lists (GET)
            return action == "create" or (getattr(self.view, "action_map", None) or {}).get("get") == action
        return isinstance(self.view, ListModelMixin)

    def _summary(self, operation_id: str) -> str:
        words = operation_id.split("_")
        for action, verb in sorted(SUMMARY_VERBS.items(), key=lambda item: -len(item[0])):
            suffix = action.split("_")
            if words[-len(suffix) :] == suffix and len(words) > len(suffix):
                subject = words[: -len(suffix)]
                if action != "list":
                    subject = [*subject[:-1], _singular(subject[-1])]
                return f"{verb} {' '.join(subject)}".replace("  ", " ")
        if re.search(r"\}/[\w-]+/$", self.path):  # /{id}/approve/: "Approve verification"
            return " ".join([words[-1].capitalize(), *words[:-2], _singular(words[-2])])
        return " ".join(words).capitalize()
