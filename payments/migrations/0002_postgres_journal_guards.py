"""PostgreSQL only: the journal's invariants held by the database as well as by the service.

- Every journal entry balances: a deferred constraint trigger checks, at commit, that the postings
  of each entry that received one sum to zero and number at least two. A transaction that would
  leave an unbalanced entry fails as a whole.
- Entries and postings are append-only: UPDATE and DELETE are refused (a correction is a new,
  reversing entry). TRUNCATE is left to operators resetting a database (and the test suite's flush).

Nothing here changes the model state; on SQLite the service's own check is the guard.
"""

from django.db import migrations

FORWARD = """
CREATE FUNCTION payments_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    total bigint;
    legs integer;
BEGIN
    SELECT COALESCE(SUM(amount), 0), COUNT(*) INTO total, legs
        FROM payments_posting WHERE entry_id = NEW.entry_id;
    IF total <> 0 OR legs < 2 THEN
        RAISE EXCEPTION 'journal entry % does not balance: % over % posting(s)', NEW.entry_id, total, legs
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER payments_posting_balanced AFTER INSERT ON payments_posting
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION payments_entry_balanced();

CREATE FUNCTION payments_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% on % refused: the journal is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER payments_posting_no_change BEFORE UPDATE OR DELETE ON payments_posting
    FOR EACH ROW EXECUTE FUNCTION payments_refuse_change();
CREATE TRIGGER payments_journalentry_no_change BEFORE UPDATE OR DELETE ON payments_journalentry
    FOR EACH ROW EXECUTE FUNCTION payments_refuse_change();
"""

BACKWARD = """
DROP TRIGGER payments_journalentry_no_change ON payments_journalentry;
DROP TRIGGER payments_posting_no_change ON payments_posting;
DROP FUNCTION payments_refuse_change();
DROP TRIGGER payments_posting_balanced ON payments_posting;
DROP FUNCTION payments_entry_balanced();
"""


def _on_postgres(sql: str):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(sql)  # no parameters: the '%' of RAISE stays as written

    return run


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_journal")]

    operations = [migrations.RunPython(_on_postgres(FORWARD), _on_postgres(BACKWARD), elidable=False)]
