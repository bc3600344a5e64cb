from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from carboncred.demo import DEMO_PASSWORD, demo_is_seeded, demo_logins, demo_seed, non_demo_organizations


class Command(BaseCommand):
    help = (
        "Fill the database with a demo registry (SMEs in five countries, projects of every category, screened "
        "claims, credits, listings, trades, a transfer, certificates, an emissions report each) and print the "
        "demo logins. Idempotent: a second "
        "run creates nothing. With DEBUG off it refuses a database that already holds real organisations, or a "
        "deployment served over https."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="seed even with DEBUG off and real organisations present (the demo logins share a known password)",
        )

    def handle(self, *args, force: bool, **options) -> None:
        if demo_is_seeded():
            self.stdout.write("The demo data is already there; nothing was created.")
        else:
            self._refuse_a_real_registry(force=force)
            summary = demo_seed()
            claims = ", ".join(f"{count} {status}" for status, count in sorted(summary.claims.items()))
            self.stdout.write(
                f"Seeded {summary.organizations} organisations, {summary.projects} projects, claims: {claims}; "
                f"{summary.emission_reports} emission reports, {summary.listings} listings, {summary.orders} trades, "
                f"{summary.transfers} transfer(s), {summary.certificates} retirement certificates, "
                f"{summary.statements} published GHG statement."
            )
        self._print_logins()

    def _refuse_a_real_registry(self, *, force: bool) -> None:
        if force or settings.DEBUG:
            return
        others = non_demo_organizations()
        if others:
            names = ", ".join(org.name for org in others[:3]) + (", ..." if len(others) > 3 else "")
            raise CommandError(
                f"Refusing to seed demo data: DEBUG is off and the database holds {len(others)} organisation(s) "
                f"the demo did not create ({names}). This looks like a real registry, and the demo logins "
                "share a published password. If you really mean it: manage.py seed_demo --force, or make demo FORCE=1."
            )
        # An empty database may be a production one on its first day: served over https says so.
        if settings.SECURE:
            raise CommandError(
                f"Refusing to seed demo data: DEBUG is off and this deployment is served over https "
                f"({settings.PUBLIC_BASE_URL}), and the demo logins share a published password. "
                "For a demo server: manage.py seed_demo --force, or make demo FORCE=1."
            )

    def _print_logins(self) -> None:
        self.stdout.write("")
        self.stdout.write(f"Demo logins - DEMO ONLY, every one has the password {DEMO_PASSWORD!r}:")
        for login in demo_logins():
            self.stdout.write(f"  {login.email:<36} {login.role}; {login.organization}")
        self.stdout.write(
            f"Sign in at {settings.PUBLIC_BASE_URL}/accounts/login/ (the API: POST /api/token/ {{email, password}}; "
            "the admin is /admin/)."
        )
