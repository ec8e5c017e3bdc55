"""On PostgreSQL the fund's running totals are guarded like the ledger they summarise (R24, issue 13 item 7).

`Fund.allocated` must equal the fund's allocation entries and `Fund.spent` its spending entries less their
reversals. The services move a total and write its ledger entry in one transaction (funding/services/ledger.py), so
the check is a DEFERRABLE INITIALLY DEFERRED constraint trigger: it runs at commit, after both. A hand-typed
`UPDATE funding_fund SET spent = 0`, or a ledger entry inserted without its total, fails at commit; the totals can
move only with an entry of the append-only ledger (migration 0002), which shows who recorded it.

TRUNCATE bypasses row triggers; it is refused by privilege instead: the application's database role (created by
`manage.py db_roles`) has no TRUNCATE and does not own the tables, so it can neither truncate nor disable a trigger.
The owner (which runs `migrate`, and the test suite's flush) keeps TRUNCATE.

Before the triggers are created the migration checks every existing fund against its ledger and stops, naming the
funds, if one does not match: the county must know before the guard starts.
"""

from django.db import migrations

CHECK_FUNCTION = r"""
CREATE OR REPLACE FUNCTION funding_fund_totals_mismatch(target bigint)
RETURNS TABLE (allocated numeric, spent numeric, ledger_allocated numeric, ledger_spent numeric) AS $$
    SELECT f.allocated, f.spent, l.allocated, l.spent
    FROM funding_fund f,
         LATERAL (
             SELECT coalesce(sum(e.amount) FILTER (WHERE e.kind = 'allocation'), 0) AS allocated,
                    coalesce(sum(e.amount) FILTER (WHERE e.kind = 'spending'), 0)
                    - coalesce(sum(e.amount) FILTER (WHERE e.kind = 'reversal'), 0) AS spent
             FROM funding_ledgerentry e WHERE e.fund_id = f.id
         ) l
    WHERE f.id = target AND (f.allocated <> l.allocated OR f.spent <> l.spent);
$$ LANGUAGE sql STABLE;
"""

FORWARD = r"""
CREATE OR REPLACE FUNCTION funding_fund_totals_check() RETURNS trigger AS $$
DECLARE
    target bigint;
    bad record;
BEGIN
    IF TG_TABLE_NAME = 'funding_fund' THEN
        target := NEW.id;
    ELSE
        target := NEW.fund_id;
    END IF;
    SELECT * INTO bad FROM funding_fund_totals_mismatch(target);
    IF FOUND THEN
        RAISE EXCEPTION 'funding: the totals of fund % (allocated %, spent %) do not match its ledger (allocated %, spent %): a total moves only with a ledger entry',
            target, bad.allocated, bad.spent, bad.ledger_allocated, bad.ledger_spent
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER funding_fund_totals_match_ledger AFTER INSERT OR UPDATE ON funding_fund
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION funding_fund_totals_check();

CREATE CONSTRAINT TRIGGER funding_ledgerentry_moves_totals AFTER INSERT ON funding_ledgerentry
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION funding_fund_totals_check();
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS funding_ledgerentry_moves_totals ON funding_ledgerentry;
DROP TRIGGER IF EXISTS funding_fund_totals_match_ledger ON funding_fund;
DROP FUNCTION IF EXISTS funding_fund_totals_check();
DROP FUNCTION IF EXISTS funding_fund_totals_mismatch(bigint);
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(CHECK_FUNCTION)  # no parameters: the % signs are PL/pgSQL's own
        cursor.execute(
            "SELECT f.id, m.* FROM funding_fund f, LATERAL funding_fund_totals_mismatch(f.id) m ORDER BY f.id"
        )
        bad = cursor.fetchall()
        if bad:
            listed = "; ".join(f"fund {row[0]}: allocated {row[1]} spent {row[2]}, ledger {row[3]} / {row[4]}" for row in bad)
            raise RuntimeError(f"The fund totals do not match their ledgers; correct them before migrating: {listed}")
        cursor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("funding", "0005_model_classes")]
    operations = [migrations.RunPython(forward, backward)]
