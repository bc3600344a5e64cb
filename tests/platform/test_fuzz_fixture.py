"""The schemathesis config CI's fuzz run uses: ids of real objects, bound to parameters that exist."""

import tomllib

import pytest
from django.core.management import CommandError, call_command
from drf_spectacular.generators import SchemaGenerator

from carboncred.demo import demo_email
from carboncred.management.commands.fuzz_fixture import DICTIONARIES, FUZZ_BINDINGS, schemathesis_config
from ledger.models import CreditBlock
from tests.accounts.factories import UserFactory
from tests.certificates.factories import retire
from tests.ledger.factories import issue

pytestmark = pytest.mark.django_db


def _operation_parameters(operation: dict, components: dict) -> set[str]:
    names = {f"{p['in']}.{p['name']}" for p in operation.get("parameters", [])}
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
    if "$ref" in body:
        body = components[body["$ref"].rsplit("/", 1)[1]]
    names |= {f"body.{name}" for name in body.get("properties", {})}
    return names


def test_every_binding_names_an_operation_and_a_parameter_of_the_schema():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]

    for path, parameter, dictionary in FUZZ_BINDINGS:
        assert path in schema["paths"], f"{path} is not in the OpenAPI schema"
        offered = set().union(*(_operation_parameters(op, components) for op in schema["paths"][path].values()))
        assert parameter in offered, f"{path} has no {parameter} (it has {sorted(offered)})"
        assert dictionary in DICTIONARIES


def test_config_lists_existing_ids_and_only_the_users_own_for_bodies():
    user, other = UserFactory.create(), UserFactory.create()
    mine = issue(owner=user.organization).owner_block
    issue(owner=other.organization)
    retire(organization=other.organization, block=CreditBlock.objects.filter(owner=other.organization).first())

    config = tomllib.loads(schemathesis_config(user=user))

    dictionaries = {name: table["values"] for name, table in config["dictionaries"].items()}
    assert dictionaries["own_blocks"] == [mine.pk]
    certificates = other.organization.retirement_certificates.values_list("pk", flat=True)
    assert dictionaries["certificates"] == list(certificates)
    assert "own_reports" not in dictionaries  # nothing to offer: no binding to an empty dictionary
    bound = {op["include-path"]: set(op["parameters"]) for op in config["operations"] if "parameters" in op}
    # The fuzzing user may not remove members: it could remove itself once another member is an owner.
    assert {"include-path": "/api/organization/members/{id}/", "include-method": "DELETE", "enabled": False} in config[
        "operations"
    ]
    assert bound["/api/retire/"] == {"body.block"}
    assert bound["/api/transfers/"] == {"body.block", "body.to_organization"}  # one entry per operation
    assert "/api/verify-emissions/" not in bound


def test_fuzz_fixture_refuses_a_database_not_named_for_fuzzing():
    with pytest.raises(CommandError, match="fuzz"):
        call_command("fuzz_fixture", "--user", demo_email("sunrise"))
