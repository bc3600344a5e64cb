"""Existing addresses in their normalised spelling (accounts.emails: NFKC, then case folding).

Addresses used to be stored ``strip().lower()``ed, so two accounts may exist whose addresses become
the same once normalised (``sam@…`` and ``ſam@…``, ``straße@…`` and ``strasse@…``). Which of them
owns the address is a decision for a person, not a migration: when any such pair exists the
migration stops, names every colliding account, and changes nothing (docs/DEPLOY.md says how to
resolve it). Otherwise each address that is not yet normalised is rewritten, one row at a time.
"""

import unicodedata
from collections import defaultdict

from django.db import migrations, models


def _normalize(value: str) -> str:
    # A frozen copy of accounts.emails.email_normalize: a migration must not change meaning when
    # the application code does.
    current = value.strip()
    for _ in range(4):
        folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", current).casefold()).strip()
        if folded == current:
            break
        current = folded
    return current


class EmailCollisionError(Exception):
    """Several accounts' addresses are one address once normalised."""


def collisions(rows):
    """``{normalised: [(pk, stored), ...]}`` for every normalised address more than one row has."""
    groups = defaultdict(list)
    for pk, stored in rows:
        groups[_normalize(stored)].append((pk, stored))
    return {address: sorted(group) for address, group in groups.items() if len(group) > 1}


def normalise_emails(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    rows = list(User.objects.order_by("pk").values_list("pk", "email"))
    clashes = collisions(rows)
    if clashes:
        lines = [
            f"  {address!r}: " + ", ".join(f"user {pk} ({stored!r})" for pk, stored in group)
            for address, group in sorted(clashes.items())
        ]
        raise EmailCollisionError(
            "These accounts' e-mail addresses become the same address once normalised (NFKC + case "
            "folding). Give all but one of each group another address (or remove the account), then "
            "migrate again; nothing was changed:\n" + "\n".join(lines)
        )
    for pk, stored in rows:
        normalised = _normalize(stored)
        if normalised != stored:
            User.objects.filter(pk=pk).update(email=normalised)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_merge_standing_and_size"),
    ]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="email",
            field=models.EmailField(
                help_text="Stored normalised (NFKC, case-folded); sign-in normalises what is typed the same way.",
                max_length=254,
                unique=True,
            ),
        ),
        migrations.RunPython(normalise_emails, migrations.RunPython.noop),
    ]
