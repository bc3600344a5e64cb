"""The backup and restore drill (scripts/backup_restore_drill.sh, docs/DEPLOY.md) end to end: a
seeded database is dumped, restored into a fresh one, and the copy verifies, replays and conserves;
a restored copy that does not is refused loudly. PostgreSQL only: pg_dump and pg_restore."""

import os
import shutil
import subprocess
import sys

import pytest
from django.conf import settings

pytestmark = pytest.mark.postgres

SCRIPT = settings.BASE_DIR / "scripts" / "backup_restore_drill.sh"
BASH, PSQL = shutil.which("bash") or "/bin/bash", shutil.which("psql") or "psql"


def server_url() -> str:
    database = settings.DATABASES["default"]
    password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
    return f"postgres://{database['USER']}{password}@{database['HOST']}:{database['PORT']}/postgres"


def drill(*arguments: str, **env: str) -> subprocess.CompletedProcess:
    keep = {key: value for key, value in os.environ.items() if key in {"PATH", "HOME", "SECRET_KEY"}}
    return subprocess.run(  # noqa: S603 - our own script
        [BASH, str(SCRIPT), *arguments],
        cwd=settings.BASE_DIR,
        env={**keep, "DATABASE_URL": server_url(), "PYTHON": sys.executable, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def psql(database: str, sql: str) -> None:
    subprocess.run(  # noqa: S603 - the PostgreSQL client, fixed statements
        [PSQL, server_url().rsplit("/", 1)[0] + f"/{database}", "-qX", "-v", "ON_ERROR_STOP=1", "-c", sql],
        check=True,
        capture_output=True,
    )


@pytest.fixture
def databases():
    names = {"DRILL_SOURCE_DB": f"cc_drill_{os.getpid()}_source", "DRILL_TARGET_DB": f"cc_drill_{os.getpid()}_restore"}
    yield names
    for name in names.values():
        psql("postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_seeded_database_survives_dump_and_restore_and_a_tampered_copy_fails_the_checks(databases):
    result = drill(**databases, DRILL_KEEP="1")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "drill passed" in result.stdout
    assert '"first_bad_seq": null' in result.stdout  # ledger_verify ran, against the source's head
    assert '"differences": []' in result.stdout  # replay and conservation ran

    # The same checks refuse a restored copy whose blocks no longer match the ledger.
    target = databases["DRILL_TARGET_DB"]
    psql(target, "ALTER TABLE ledger_creditblock DISABLE TRIGGER USER")
    psql(
        target,
        "UPDATE ledger_creditblock SET serial_end = serial_end - 1 WHERE id = (SELECT min(id) FROM ledger_creditblock)",
    )

    tampered = drill("--check-only", target)

    assert tampered.returncode != 0
    assert "DRILL FAILED: ledger_replay" in tampered.stderr


def test_the_drill_refuses_to_drop_a_database_not_named_for_it():
    result = drill(DRILL_TARGET_DB="carboncred")

    assert result.returncode != 0
    assert "must contain 'drill'" in result.stderr
