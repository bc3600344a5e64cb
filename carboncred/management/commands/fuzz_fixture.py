import json
from collections.abc import Callable, Iterable
from pathlib import Path

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from rest_framework_simplejwt.tokens import AccessToken

from accounts.emails import email_normalize
from accounts.models import VERIFIERS_GROUP, Organization, User
from certificates.models import RetirementCertificate
from documents.models import Document
from emissions.models import EmissionReport
from ledger.models import Checkpoint, CreditBlock, LedgerEntry
from marketplace.models import Listing, Order, Transfer
from projects.models import Project
from reports.models import IssuedReport
from sites.models import Site
from verification.models import Audit, ReductionClaim

# Existing objects schemathesis may pick instead of inventing ids, so requests get past the 404 and
# into the code behind it. Path ids draw from every row of a table (others' ids exercise the "not
# yours" answers); bodies that create something draw from the fuzzing user's own rows, or almost
# every request would stop at that 404. A new endpoint that takes an id is one row in FUZZ_BINDINGS.
DICTIONARIES: dict[str, Callable[[User], Iterable[object]]] = {
    "projects": lambda user: Project.objects.values_list("pk", flat=True),
    "own_projects": lambda user: Project.objects.filter(owner=user.organization_id).values_list("pk", flat=True),
    "claims": lambda user: ReductionClaim.objects.values_list("pk", flat=True),
    "reports": lambda user: EmissionReport.objects.values_list("pk", flat=True),
    "own_reports": lambda user: EmissionReport.objects.filter(organization=user.organization_id).values_list(
        "pk", flat=True
    ),
    "own_blocks": lambda user: CreditBlock.objects.filter(owner=user.organization_id).values_list("pk", flat=True),
    "entries": lambda user: LedgerEntry.objects.values_list("seq", flat=True),
    "checkpoint_sizes": lambda user: Checkpoint.objects.values_list("size", flat=True),
    "certificates": lambda user: RetirementCertificate.objects.values_list("pk", flat=True),
    "certificate_public_ids": lambda user: RetirementCertificate.objects.values_list("public_id", flat=True),
    "listings": lambda user: Listing.objects.values_list("pk", flat=True),
    "orders": lambda user: (str(pk) for pk in Order.objects.values_list("pk", flat=True)),
    "transfers": lambda user: (str(pk) for pk in Transfer.objects.values_list("pk", flat=True)),
    "organizations": lambda user: Organization.objects.values_list("pk", flat=True),
    "issued_reports": lambda user: IssuedReport.objects.values_list("pk", flat=True),
    "issued_sha256": lambda user: IssuedReport.objects.values_list("sha256", flat=True),
    # Years with the demo's emissions reports, so statements are computed and rendered, not refused.
    "statement_years": lambda user: sorted(
        {report.period_start.year for report in EmissionReport.objects.filter(organization=user.organization_id)}
    ),
    # Path ids are integers (the `id` converter, core.converters), as in bodies.
    "sites": lambda user: Site.objects.values_list("pk", flat=True),
    "own_sites": lambda user: Site.objects.filter(owner=user.organization_id).values_list("pk", flat=True),
    "documents": lambda user: Document.objects.values_list("pk", flat=True),
    "organization_ids": lambda user: Organization.objects.values_list("pk", flat=True),
    "audits": lambda user: Audit.objects.values_list("pk", flat=True),
}

# (operation path, parameter as schemathesis names it, dictionary)
FUZZ_BINDINGS = [
    ("/api/projects/{id}/", "path.id", "projects"),
    ("/api/reduction-data/{id}/", "path.id", "claims"),
    ("/api/reduction-data/", "body.project", "own_projects"),
    ("/api/verifications/{id}/", "path.id", "claims"),
    ("/api/verifications/{id}/approve/", "path.id", "claims"),
    ("/api/verifications/{id}/reject/", "path.id", "claims"),
    ("/api/reduction-data/{id}/reverse/", "path.id", "claims"),
    ("/api/audits/{id}/", "path.id", "audits"),
    ("/api/audits/{id}/confirm/", "path.id", "audits"),
    ("/api/emissions/{report_id}/", "path.report_id", "reports"),
    ("/api/verify-emissions/", "body.report", "own_reports"),
    ("/api/ledger/entries/{seq}/", "path.seq", "entries"),
    ("/api/ledger/entries/{seq}/proof/", "path.seq", "entries"),
    ("/api/ledger/checkpoints/{size}/", "path.size", "checkpoint_sizes"),
    ("/api/ledger/consistency/", "query.first", "entries"),
    ("/api/ledger/consistency/", "query.second", "checkpoint_sizes"),
    ("/api/retire/", "body.block", "own_blocks"),
    ("/api/certificates/{id}/", "path.id", "certificates"),
    ("/api/certificates/{id}/pdf/", "path.id", "certificates"),
    ("/api/certificates/verify/{public_id}/", "path.public_id", "certificate_public_ids"),
    ("/api/marketplace/{listing_id}/", "path.listing_id", "listings"),
    ("/api/listings/{listing_id}/", "path.listing_id", "listings"),
    ("/api/listings/", "body.block", "own_blocks"),
    ("/api/buy/", "body.listing", "listings"),
    ("/api/orders/{order_id}/", "path.order_id", "orders"),
    ("/api/transfers/", "body.block", "own_blocks"),
    ("/api/transfers/", "body.to_organization", "organizations"),
    ("/api/transfers/{transfer_id}/", "path.transfer_id", "transfers"),
    ("/api/reports/ghg/", "query.year", "statement_years"),
    ("/api/reports/ghg/pdf/", "query.year", "statement_years"),
    ("/api/reports/ghg/csv/", "query.year", "statement_years"),
    ("/api/reports/issued/{report_id}/", "path.report_id", "issued_reports"),
    ("/api/reports/verify/", "query.sha256", "issued_sha256"),
    ("/api/projects/", "body.site", "own_sites"),
    ("/api/sites/{id}/", "path.id", "sites"),
    ("/api/site-reviews/{id}/", "path.id", "sites"),
    ("/api/site-reviews/{id}/approve/", "path.id", "sites"),
    ("/api/site-reviews/{id}/reject/", "path.id", "sites"),
    ("/api/documents/{id}/", "path.id", "documents"),
    ("/api/documents/{id}/file/", "path.id", "documents"),
    ("/api/organizations/{id}/", "path.id", "organization_ids"),
    ("/api/organizations/{id}/verify/", "path.id", "organization_ids"),
    ("/api/organizations/{id}/reject/", "path.id", "organization_ids"),
    ("/api/organizations/{id}/suspend/", "path.id", "organization_ids"),
]
# Most draws use a real object; the rest stay generated, so odd ids are still tried.
BINDING_PROBABILITY = 0.8


def schemathesis_config(*, user: User) -> str:
    """A schemathesis.toml binding the operations' ids to objects that exist in this database."""
    lines = ["# Written by `manage.py fuzz_fixture --config` for this database; not for editing.", ""]
    filled = set()
    for name, query in DICTIONARIES.items():
        values = [value if isinstance(value, int) else str(value) for value in query(user)]
        if values:
            filled.add(name)
            lines += [f"[dictionaries.{name}]", f"values = {json.dumps(values)}", ""]
    by_path: dict[str, list[str]] = {}
    for path, parameter, dictionary in FUZZ_BINDINGS:
        if dictionary in filled:
            binding = f'{{ dictionary = "{dictionary}", probability = {BINDING_PROBABILITY} }}'
            by_path.setdefault(path, []).append(f'"{parameter}" = {binding}')
    for path, bindings in by_path.items():
        lines += [
            "[[operations]]",
            f"include-path = {json.dumps(path)}",
            f"parameters = {{ {', '.join(bindings)} }}",
            "",
        ]
    # An owner may leave (remove themselves) once another member is an owner, which the fuzzer can
    # arrange (PATCH a member's role): the fuzzing user would then sign itself out and every later
    # request be a 401. Removing members is tested in tests/accounts/test_members.py instead.
    lines += [
        "[[operations]]",
        'include-path = "/api/organization/members/{id}/"',
        'include-method = "DELETE"',
        "enabled = false",
        "",
    ]
    return "\n".join(lines)


class Command(BaseCommand):
    help = (
        "Make a fuzzing user a verifier (so every endpoint is reachable) and print an access token; with --config, "
        "also write a schemathesis config that feeds existing ids to the operations that take one. Refuses to run "
        "unless the database name contains 'fuzz', so it can never touch a real registry."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--user",
            help="act as this existing user (e.g. a seed_demo SME, so the fuzzer owns projects and credits); "
            "default: a fresh 'Fuzz Ltd' user that owns nothing",
        )
        parser.add_argument("--config", type=Path, help="write a schemathesis.toml here")

    def handle(self, *args, user: str | None, config: Path | None, **options) -> None:
        if "fuzz" not in connection.settings_dict["NAME"]:
            raise CommandError("fuzz_fixture only runs against a database whose name contains 'fuzz'.")
        if user:
            fuzzer = User.objects.filter(email=email_normalize(user)).first()
            if fuzzer is None:
                raise CommandError(f"No user {user}; run seed_demo first.")
        else:
            organization, _ = Organization.objects.get_or_create(name="Fuzz Ltd", defaults={"country": "GB"})
            fuzzer = User.objects.filter(email="fuzz@carboncred.example").first() or User.objects.create_user(
                email="fuzz@carboncred.example", password=None, organization=organization, role="owner"
            )
        fuzzer.groups.add(Group.objects.get_or_create(name=VERIFIERS_GROUP)[0])
        token = str(AccessToken.for_user(fuzzer))
        if config:
            config.write_text(schemathesis_config(user=fuzzer))
        self.stdout.write(token)
