"""The OpenAPI schema tells the truth: every operation's error answers, public operations without a
token, readable unique operation ids, and query parameters typed as the server reads them."""

from collections import Counter

import pytest
from drf_spectacular.generators import SchemaGenerator

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method.upper(), operation


def test_every_error_response_has_the_one_error_shape(schema):
    assert set(schema["components"]["schemas"]["Error"]["required"]) == {"detail", "code"}
    for path, method, operation in operations(schema):
        errors = {code: response for code, response in operation["responses"].items() if int(code) >= 400}
        assert errors, f"{method} {path} documents no error"
        for code, response in errors.items():
            assert response["description"], f"{method} {path} {code}"
            if code == "414":  # the HTTP server's request-line limit, before the API: no body promised
                assert "content" not in response, f"{method} {path} {code}"
                continue
            assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}, (
                f"{method} {path} {code}"
            )


def test_operations_with_query_parameters_document_a_too_long_url(schema):
    for path, method, operation in operations(schema):
        has_query = any(parameter["in"] == "query" for parameter in operation.get("parameters", []))
        assert ("414" in operation["responses"]) == has_query, f"{method} {path}"


def test_error_statuses_follow_what_each_operation_can_answer(schema):
    responses = {(path, method): set(op["responses"]) for path, method, op in operations(schema)}
    # A body: 400 invalid, 413 too large, 415 wrong media type; a token: 401; a write: 403 (standing).
    assert {"400", "401", "403", "413", "415"} <= responses["/api/projects/", "POST"]
    # An id in the path: 404; a paginated list: 400 (bad page_size) and 404 (page beyond the last).
    assert {"401", "404"} <= responses["/api/projects/{id}/", "GET"]
    assert {"400", "401", "404"} <= responses["/api/projects/", "GET"]
    # Reads need no standing: no 403 for a plain read; verifiers-only reads do refuse.
    assert "403" not in responses["/api/projects/", "GET"]
    assert "403" in responses["/api/ledger/verify/", "GET"]
    # Idempotency-Key reused with another body: 422. Declared by the view: 409 on retire.
    assert {"409", "422"} <= responses["/api/retire/", "POST"]
    # Public operations need no token, so no 401 (except the token endpoints: wrong credentials).
    assert "401" not in responses["/api/marketplace/", "GET"]
    assert "401" not in responses["/api/auth/register/", "POST"]
    assert "401" in responses["/api/token/", "POST"]
    assert "429" in responses["/api/token/", "POST"]


def test_public_operations_carry_no_security_and_the_rest_need_a_token(schema):
    public = {
        ("/api/auth/register/", "POST"),
        ("/api/token/", "POST"),
        ("/api/token/refresh/", "POST"),
        ("/api/marketplace/", "GET"),
        ("/api/ledger/entries/", "GET"),
        ("/api/certificates/verify/{public_id}/", "GET"),
        ("/api/emission-factors/", "GET"),
    }
    for path, method, operation in operations(schema):
        if (path, method) in public:
            assert operation["security"] == [], f"{method} {path}"
    # A person's token, or an organisation's API key (accounts.authentication).
    assert operations_by_id(schema)["me_retrieve"]["security"] == [{"jwtAuth": []}, {"apiKeyAuth": []}]


def operations_by_id(schema):
    return {operation["operationId"]: operation for _, _, operation in operations(schema)}


def test_operation_ids_are_unique_and_readable(schema):
    ids = Counter(operation["operationId"] for _, _, operation in operations(schema))
    assert [name for name, count in ids.items() if count > 1] == []
    by_id = operations_by_id(schema)
    for expected in [
        "register",
        "token",
        "token_refresh",
        "buy",
        "retire",
        "projects_list",
        "projects_create",
        "projects_retrieve",
        "listings_destroy",
        "verifications_approve",
        "sites_partial_update",
    ]:
        assert expected in by_id
    assert not [name for name in ids if name.startswith("auth_") or name.endswith("_create_create")]
    for operation in by_id.values():
        assert operation["summary"]
    assert by_id["verifications_approve"]["summary"] == "Approve verification"


def test_page_parameters_are_typed_as_the_server_reads_them(schema):
    parameters = {p["name"]: p for p in operations_by_id(schema)["projects_list"]["parameters"]}
    assert parameters["page"]["schema"] == {"type": "integer", "minimum": 1}
    assert parameters["page_size"]["schema"] == {"type": "integer", "minimum": 1}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query", ["page_size=null", "page_size=0", "page_size=-1", "page_size=2.5", "page_size=", "page=x"]
)
def test_a_page_parameter_that_is_not_a_whole_number_is_a_400(api_client, query):
    response = api_client.get(f"/api/marketplace/?{query}")

    assert response.status_code == 400
    name = query.split("=")[0]
    assert response.json()["code"] == "invalid"
    assert name in response.json()["errors"]


@pytest.mark.django_db
def test_a_large_page_size_is_read_as_the_maximum_and_a_page_beyond_the_last_is_404(api_client):
    assert api_client.get("/api/marketplace/?page_size=5000").status_code == 200
    assert api_client.get("/api/marketplace/?page=99").status_code == 404


def component(schema, name):
    return schema["components"]["schemas"][name]


def test_request_constraints_are_the_servers(schema):
    import re

    price = component(schema, "ListingCreateInputRequest")["properties"]["price_per_tonne"]["pattern"]
    accepted = ["0.01", "1", "12.5", "99999.99", "100000", "100000.00", ".5"]
    refused = ["", "0", "0.00", "-1", "100000.01", "200000", "1.001", "abc"]
    assert [value for value in accepted if not re.search(price, value)] == []
    assert [value for value in refused if re.search(price, value)] == []

    password = component(schema, "RegisterInputRequest")["properties"]["password"]
    assert password["minLength"] == 10 and not re.search(password["pattern"], "0123456789")
    lines = component(schema, "EmissionReportCreateInputRequest")["properties"]["lines"]
    assert lines["minItems"] == 1
    title = component(schema, "ProjectCreateInputRequest")["properties"]["title"]
    assert not re.search(title["pattern"], "   ") and re.search(title["pattern"], " Roof ")

    parameters = {p["name"]: p["schema"] for p in operations_by_id(schema)["marketplace_list"]["parameters"]}
    assert "IN" in parameters["country"]["enum"] and "IND" in parameters["country"]["enum"]
    assert "USD" in parameters["currency"]["enum"] and "" in parameters["currency"]["enum"]  # empty: no filter
    key = {p["name"]: p["schema"] for p in operations_by_id(schema)["buy"]["parameters"]}["Idempotency-Key"]
    assert (key["minLength"], key["maxLength"]) == (1, 255)


@pytest.mark.parametrize("operation_id", ["holdings_list", "orders_list", "emissions_list", "ledger_entries_list"])
def test_csv_exports_are_in_the_schema(schema, operation_id):
    operation = operations_by_id(schema)[operation_id]
    formats = {p["name"]: p["schema"] for p in operation["parameters"]}["format"]
    assert formats["enum"] == ["json", "csv"]
    assert set(operation["responses"]["200"]["content"]) == {"application/json", "text/csv"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"), [("organization_name", 12), ("sector", 3.5), ("country", {}), ("country", 0)]
)
def test_a_non_string_for_a_text_field_is_a_400_not_stored(api_client, field, value):
    body = {"email": "new@example.com", "password": "a-long-password-1", "organization_name": "Acme", "country": "GB"}

    response = api_client.post("/api/auth/register/", {**body, field: value}, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]


@pytest.mark.django_db
def test_the_token_endpoint_documents_and_answers_a_token_pair(api_client, schema):
    from tests.accounts.factories import UserFactory

    UserFactory.create(email="pair@example.com", password="a-long-password-1")
    pair = api_client.post("/api/token/", {"email": "pair@example.com", "password": "a-long-password-1"}).json()

    documented = component(schema, "TokenPairOutput")
    assert set(documented["required"]) == {"access", "refresh"} == set(pair)


@pytest.mark.django_db
def test_a_length_limit_counts_the_blanks_sent_as_the_schema_does(api_client, schema):
    limit = component(schema, "RegisterInputRequest")["properties"]["sector"]["oneOf"][0]["maxLength"]
    body = {"email": "blank@example.com", "password": "a-long-password-1", "organization_name": "Acme", "country": "GB"}

    response = api_client.post("/api/auth/register/", {**body, "sector": " " * (limit + 1)}, format="json")

    assert response.status_code == 400
    assert "sector" in response.json()["errors"]
