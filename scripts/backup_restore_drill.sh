#!/usr/bin/env bash
# Backup and restore drill (docs/DEPLOY.md, "Backups and restore").
#
# Dumps a populated database with pg_dump --format=custom, restores the dump into a fresh database
# with pg_restore, and proves the copy: no migration missing, ledger_verify against the source's
# head (seq and hash), ledger_replay, ledger_conservation, and the same row count in every table.
# Any mismatch fails the drill loudly (exit 1, "DRILL FAILED: ..." on stderr).
#
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres scripts/backup_restore_drill.sh
#       a scratch source is migrated and seeded (seed_demo), dumped, restored and checked
#   ... scripts/backup_restore_drill.sh --source carboncred_replica
#       drill against an existing database (a replica, last night's restore): it is only read
#   ... scripts/backup_restore_drill.sh --check-only carboncred_restored
#       only the checks, on a database restored some other way (base backup + WAL replay)
#
# DATABASE_URL names the server (its database part is ignored). Scratch databases are named
# DRILL_SOURCE_DB / DRILL_TARGET_DB (default carboncred_drill_source / carboncred_drill_restore);
# they must contain "drill", are dropped first, and are dropped again at the end unless DRILL_KEEP=1.
# The dump is kept in DRILL_DUMP_DIR when it is set (a temporary directory otherwise).
set -euo pipefail
cd "$(dirname "$0")/.."

: "${DATABASE_URL:?DATABASE_URL must name the PostgreSQL server}"
SERVER="${DATABASE_URL%/*}"
PYTHON="${PYTHON:-.venv/bin/python}"
SOURCE="${DRILL_SOURCE_DB:-carboncred_drill_source}"
TARGET="${DRILL_TARGET_DB:-carboncred_drill_restore}"
mode=seed

fail() { echo "DRILL FAILED: $*" >&2; exit 1; }
step() { echo "== $*"; }

case "${1:-}" in
  --source) [ -n "${2:-}" ] || fail "--source needs a database name"; SOURCE="$2"; mode=existing ;;
  --check-only) [ -n "${2:-}" ] || fail "--check-only needs a database name"; TARGET="$2"; mode=check ;;
  "") ;;
  *) fail "unknown argument $1 (expected --source DB or --check-only DB)" ;;
esac

scratch() {  # a database this script may drop
  [[ "$1" == *drill* ]] || fail "refusing to drop '$1': scratch database names must contain 'drill'"
}
recreate() {
  scratch "$1"
  PGOPTIONS="-c client_min_messages=warning" psql "$SERVER/postgres" -qX -v ON_ERROR_STOP=1 \
    -c "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" -c "CREATE DATABASE \"$1\""
}
manage() {  # manage.py against database $1
  local db="$1"; shift
  DATABASE_URL="$SERVER/$db" LOG_LEVEL=WARNING "$PYTHON" manage.py "$@"
}
head_of() {  # "seq:hash hex" of the ledger head in database $1 ("0:" before the first entry)
  psql "$SERVER/$1" -qAtX -v ON_ERROR_STOP=1 -c \
    "SELECT coalesce((SELECT seq || ':' || encode(hash, 'hex') FROM ledger_ledgerhead WHERE id = 1), '0:')"
}
row_counts() {  # "table count" for every table of the public schema, sorted
  psql "$SERVER/$1" -qAtX -v ON_ERROR_STOP=1 -F ' ' -c "
    SELECT format('SELECT %L, count(*) FROM %I;', tablename, tablename)
    FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename" | psql "$SERVER/$1" -qAtX -F ' ' -v ON_ERROR_STOP=1
}

check() {  # the checks on database $1; $2: the head it must have ("" to skip)
  local db="$1" expected_head="$2"
  step "checks on $db"
  manage "$db" migrate --check --noinput >/dev/null || fail "$db lacks migrations this code expects"
  local verify=(ledger_verify)
  if [ -n "$expected_head" ] && [ "$expected_head" != "0:" ]; then verify+=(--expect-head "$expected_head"); fi
  manage "$db" "${verify[@]}" || fail "ledger_verify: the restored ledger does not verify (against head $expected_head)"
  echo
  manage "$db" ledger_replay || fail "ledger_replay: the restored blocks differ from what the ledger says"
  echo
  manage "$db" ledger_conservation || fail "ledger_conservation: kilograms created or lost in the restored copy"
  echo
}

if [ "$mode" = check ]; then
  check "$TARGET" ""
  echo "drill passed: $TARGET verifies, replays and conserves"
  exit 0
fi

work="$(mktemp -d)"
dump_dir="${DRILL_DUMP_DIR:-$work}"
cleanup() {
  rm -rf "$work"
  if [ "${DRILL_KEEP:-0}" != 1 ]; then
    psql "$SERVER/postgres" -qX -c "DROP DATABASE IF EXISTS \"$TARGET\" WITH (FORCE)" >/dev/null 2>&1 || true
    if [ "$mode" = seed ]; then
      psql "$SERVER/postgres" -qX -c "DROP DATABASE IF EXISTS \"$SOURCE\" WITH (FORCE)" >/dev/null 2>&1 || true
    fi
  fi
}
trap cleanup EXIT

scratch "$TARGET"
if [ "$mode" = seed ]; then
  step "source $SOURCE: migrate, seed_demo, checkpoint"
  recreate "$SOURCE"
  manage "$SOURCE" migrate --noinput -v 0
  manage "$SOURCE" seed_demo --force >/dev/null  # a scratch database named for the drill
  manage "$SOURCE" ledger_checkpoint >/dev/null
fi

source_head="$(head_of "$SOURCE")"
source_counts="$(row_counts "$SOURCE")"
step "dump $SOURCE (head $source_head)"
dump="$dump_dir/carboncred-$SOURCE.dump"
pg_dump --format=custom --no-owner --no-privileges --file "$dump" "$SERVER/$SOURCE"
pg_restore --list "$dump" >/dev/null || fail "the dump cannot be read back"
echo "   $(du -h "$dump" | cut -f1) in $dump"

step "restore into a fresh $TARGET"
recreate "$TARGET"
pg_restore --no-owner --no-privileges --exit-on-error --dbname "$SERVER/$TARGET" "$dump" \
  || fail "pg_restore stopped with an error"

restored_head="$(head_of "$TARGET")"
[ "$restored_head" = "$source_head" ] || fail "the restored head is $restored_head, the source's $source_head"
restored_counts="$(row_counts "$TARGET")"
if [ "$restored_counts" != "$source_counts" ]; then
  diff <(echo "$source_counts") <(echo "$restored_counts") >&2 || true
  fail "row counts differ between $SOURCE and $TARGET"
fi
echo "   head $restored_head and $(echo "$restored_counts" | wc -l) tables' row counts as in the source"

check "$TARGET" "$source_head"
echo "drill passed: $SOURCE dumped and restored into $TARGET; it verifies, replays and conserves"
