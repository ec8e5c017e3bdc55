"""On PostgreSQL the database itself refuses to change what must never change (R23, R24, R27):
ledger entries, approved or allocated claims and their lines, confirmed settlements, approved pay runs and
their shares, published disclosures. The services refuse first with a clear message; this is the last line
against a crafted request, a bug or a hand-typed SQL statement. (SQLite has no such triggers: its flush
deletes rows one by one, which the tests need.)
"""

from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION funding_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'funding: % of % refused: %', TG_OP, TG_TABLE_NAME, TG_ARGV[0]
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER funding_ledgerentry_append_only BEFORE UPDATE OR DELETE ON funding_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION funding_refuse_change('ledger entries are never changed; record a reversal');

CREATE TRIGGER funding_disclosure_fixed BEFORE UPDATE OR DELETE ON funding_disclosure
    FOR EACH ROW EXECUTE FUNCTION funding_refuse_change('a published disclosure is never changed');

-- An approved claim keeps its amounts; after allocation nothing changes at all.
CREATE OR REPLACE FUNCTION funding_claim_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status IN ('approved', 'allocated') THEN
            RAISE EXCEPTION 'funding: an approved claim is never deleted' USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status = 'allocated' OR (OLD.status = 'approved' AND (
        NEW.status NOT IN ('approved', 'allocated')
        OR NEW.requested_amount IS DISTINCT FROM OLD.requested_amount
        OR NEW.approved_amount IS DISTINCT FROM OLD.approved_amount
        OR NEW.reduction_reason IS DISTINCT FROM OLD.reduction_reason
        OR NEW.rate IS DISTINCT FROM OLD.rate
        OR NEW.rate_date IS DISTINCT FROM OLD.rate_date
        OR NEW.class_hours_per_day IS DISTINCT FROM OLD.class_hours_per_day
        OR NEW.from_date IS DISTINCT FROM OLD.from_date
        OR NEW.school_id IS DISTINCT FROM OLD.school_id
        OR NEW.school_year_id IS DISTINCT FROM OLD.school_year_id
        OR NEW.kind IS DISTINCT FROM OLD.kind
        OR NEW.submitted_by_id IS DISTINCT FROM OLD.submitted_by_id
        OR NEW.first_reviewed_by_id IS DISTINCT FROM OLD.first_reviewed_by_id
        OR NEW.approved_by_id IS DISTINCT FROM OLD.approved_by_id
        OR NEW.approved_at IS DISTINCT FROM OLD.approved_at
    )) THEN
        RAISE EXCEPTION 'funding: an approved claim is never changed' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER funding_claim_fixed BEFORE UPDATE OR DELETE ON funding_claim
    FOR EACH ROW EXECUTE FUNCTION funding_claim_guard();

-- Child rows of a fixed parent: refused when the parent's status is one of the trigger's arguments.
CREATE OR REPLACE FUNCTION funding_child_guard() RETURNS trigger AS $$
DECLARE
    parent_id bigint;
    parent_status text;
BEGIN
    IF TG_OP = 'DELETE' THEN
        EXECUTE format('SELECT ($1).%I', TG_ARGV[1]) INTO parent_id USING OLD;
    ELSE
        EXECUTE format('SELECT ($1).%I', TG_ARGV[1]) INTO parent_id USING NEW;
    END IF;
    EXECUTE format('SELECT status FROM %I WHERE id = $1', TG_ARGV[0]) INTO parent_status USING parent_id;
    IF parent_status = ANY (TG_ARGV[2:]) THEN
        RAISE EXCEPTION 'funding: % of % refused: its % is %', TG_OP, TG_TABLE_NAME, TG_ARGV[0], parent_status
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER funding_claimline_fixed BEFORE INSERT OR UPDATE OR DELETE ON funding_claimline
    FOR EACH ROW EXECUTE FUNCTION funding_child_guard('funding_claim', 'claim_id', 'approved', 'allocated');

CREATE TRIGGER funding_settlement_fixed BEFORE UPDATE OR DELETE ON funding_settlement
    FOR EACH ROW WHEN (OLD.status = 'confirmed')
    EXECUTE FUNCTION funding_refuse_change('a confirmed settlement is never changed');

CREATE TRIGGER funding_settlementline_fixed BEFORE INSERT OR UPDATE OR DELETE ON funding_settlementline
    FOR EACH ROW EXECUTE FUNCTION funding_child_guard('funding_settlement', 'settlement_id', 'confirmed');

CREATE TRIGGER funding_payrun_fixed BEFORE UPDATE OR DELETE ON funding_payrun
    FOR EACH ROW WHEN (OLD.status = 'approved')
    EXECUTE FUNCTION funding_refuse_change('an approved pay run is never changed');

CREATE TRIGGER funding_payshare_fixed BEFORE INSERT OR UPDATE OR DELETE ON funding_payshare
    FOR EACH ROW EXECUTE FUNCTION funding_child_guard('funding_payrun', 'run_id', 'approved');
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS funding_payshare_fixed ON funding_payshare;
DROP TRIGGER IF EXISTS funding_payrun_fixed ON funding_payrun;
DROP TRIGGER IF EXISTS funding_settlementline_fixed ON funding_settlementline;
DROP TRIGGER IF EXISTS funding_settlement_fixed ON funding_settlement;
DROP TRIGGER IF EXISTS funding_claimline_fixed ON funding_claimline;
DROP TRIGGER IF EXISTS funding_claim_fixed ON funding_claim;
DROP TRIGGER IF EXISTS funding_disclosure_fixed ON funding_disclosure;
DROP TRIGGER IF EXISTS funding_ledgerentry_append_only ON funding_ledgerentry;
DROP FUNCTION IF EXISTS funding_child_guard();
DROP FUNCTION IF EXISTS funding_claim_guard();
DROP FUNCTION IF EXISTS funding_refuse_change();
"""


def _run(schema_editor, sql: str) -> None:
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(sql)  # no parameters: the % signs are PL/pgSQL's own


def forward(apps, schema_editor):
    _run(schema_editor, FORWARD)


def backward(apps, schema_editor):
    _run(schema_editor, BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("funding", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
