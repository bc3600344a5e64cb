"""The OpenAPI schema's conventions, applied to every operation (``DEFAULT_SCHEMA_CLASS``).

Clients generate code from the schema, so it must say what the server really answers. On top of
what drf-spectacular derives from serializers, :class:`AutoSchema` adds to every operation:

* the error responses it can give, each with the one error body of ``core.errors`` (the ``Error``
  component): 400 when it takes a body, query parameters or headers; 401 when it needs a token;
  403 when a permission can refuse a signed-in user (any write: the organisation's standing or role
  may forbid it; reads only behind permissions that say they can refuse them); 404 when its path
  names an object, and on paginated lists (a page beyond the last); 413 and 415 when it takes a
  body; 422 when it takes an ``Idempotency-Key``; 429 when it is throttled. A view declares what
  only it can answer (409 for a conflict with the current state, 404 for an id in the body, 403 for
  a rule of its own) in ``error_statuses`` — a collection of statuses, or a dict by HTTP method —
  or in ``extend_schema(responses=...)``, where a body-less ``OpenApiResponse`` keeps its description
  and gets the error body;
* ``security: []`` on public (``AllowAny``) operations, so no client sends, or asks for, a token;
* an operation id read from the path (``projects_list``, ``projects_retrieve``, ``projects_create``,
  ``sites_partial_update``, ``listings_destroy``; a POST to an endpoint that is not a collection is
  named by the path alone: ``buy``, ``verifications_approve``; ``auth_`` is dropped: ``register``),
  stable and unique, and a short summary when the view gives none.

A permission class tells the schema that it can refuse reads with ``schema_refuses_reads = True``
(the default for any permission but ``AllowAny`` and ``IsAuthenticated``), or that it refuses only
writes with ``schema_refuses_reads = False``.
"""

import re
from typing import Any

from drf_spectacular import openapi
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import permissions
from rest_framework.mixins import ListModelMixin

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
BODY_METHODS = {"POST", "PUT", "PATCH"}

ERROR_DESCRIPTIONS = {
    400: "Invalid input: `detail` says what is wrong, `errors` names each offending field.",
    401: "No token, or an invalid or expired one.",
    403: "Signed in, but not allowed: a permission, the organisation's role or its standing forbids it.",
    404: "Not found, or not yours.",
    409: "The request conflicts with the current state (e.g. not enough quantity, already closed).",
    413: "The request body is too large.",
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


def _singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


class AutoSchema(openapi.AutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        if self.is_public():
            operation["security"] = []
        if not operation.get("summary"):
            operation["summary"] = self._summary(operation["operationId"])
        self._add_error_responses(operation)
        return operation

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
