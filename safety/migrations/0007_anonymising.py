"""On PostgreSQL safety's fixed records may be anonymised by the nightly sweep once their data class is due (issue #14
item 4), and nothing else changes: every trigger still refuses DELETE and any UPDATE touching another column or
writing anything but the anonymised word ("已匿名"), empty or null into a personal column (`xiji_only_anonymising`,
xiji_afterschool/dbguards.py). The fill-once tables (hand-over, visit, incident) keep their one fill as before.
"""

from django.db import migrations

from xiji_afterschool import dbguards

FILL_ONCE_OR_ANONYMISING = r"""
CREATE OR REPLACE FUNCTION safety_fill_once_or_anonymising() RETURNS trigger AS $$
-- TG_ARGV: the message, the personal columns (comma-separated), the column filled once, the other filled columns
DECLARE
    filled text[] := TG_ARGV[2:TG_NARGS - 1];
BEGIN
    IF TG_OP = 'UPDATE' AND xiji_only_anonymising(to_jsonb(OLD), to_jsonb(NEW), string_to_array(TG_ARGV[1], ',')) THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE'
       AND to_jsonb(OLD) ->> TG_ARGV[2] IS NULL
       AND (to_jsonb(NEW) - filled) = (to_jsonb(OLD) - filled)
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'safety: % of % refused: %', TG_OP, TG_TABLE_NAME, TG_ARGV[0]
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
"""

# trigger: (table, message, personal columns, fill-once columns) as safety 0002 wrote them
FILL_ONCE = {
    "safety_handover_append_only": (
        "safety_handover",
        "a hand-over is never changed, only its receipt filled once; record a correction",
        "recipient_name,recipient_relation,recipient_mobile,consent_note,signature,correction_reason",
        ("received_at", "received_by_id"),
    ),
    "safety_visit_fixed": (
        "safety_visit",
        "a visitor entry is never changed, only its time out filled once; record a correction",
        "name,mobile,purpose_note,host_name,correction_reason",
        ("time_out", "out_recorded_by_id"),
    ),
    "safety_incident_fixed": (
        "safety_incident",
        "an incident is never changed, only closed once; add a follow-up or a correction",
        "description,staff_present,closing_summary",
        ("closed_at", "status", "closing_summary", "closed_by_id", "updated_at"),
    ),
}
REFUSED = {  # trigger: (table, message, personal columns)
    "safety_incidentchild_fixed": (
        "safety_incidentchild",
        "incident records are never changed; add a follow-up",
        ("injury", "first_aid", "first_aid_by"),
    ),
    "safety_guardiancontact_fixed": (
        "safety_guardiancontact",
        "incident records are never changed; add a follow-up",
        ("guardian_name", "note"),
    ),
    "safety_incidentfollowup_fixed": (
        "safety_incidentfollowup",
        "incident records are never changed; add a follow-up",
        ("note",),
    ),
}


def _quoted(*values) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def _forward_sql() -> str:
    out = [dbguards.ONLY_ANONYMISING, FILL_ONCE_OR_ANONYMISING]
    for trigger, (table, message, personal, fill) in FILL_ONCE.items():
        out.append(f"DROP TRIGGER IF EXISTS {trigger} ON {table};")
        out.append(
            f"CREATE TRIGGER {trigger} BEFORE UPDATE OR DELETE ON {table} FOR EACH ROW "
            f"EXECUTE FUNCTION safety_fill_once_or_anonymising({_quoted(message, personal, *fill)});"
        )
    for trigger, (table, _message, personal) in REFUSED.items():
        out.append(f"DROP TRIGGER IF EXISTS {trigger} ON {table};")
        out.append(
            f"CREATE TRIGGER {trigger} BEFORE UPDATE OR DELETE ON {table} FOR EACH ROW "
            f"EXECUTE FUNCTION xiji_refuse_change_but_anonymising({_quoted(*personal)});"
        )
    return "\n".join(out)


def _backward_sql() -> str:
    out = []
    for trigger, (table, message, _personal, fill) in FILL_ONCE.items():
        out.append(f"DROP TRIGGER IF EXISTS {trigger} ON {table};")
        out.append(
            f"CREATE TRIGGER {trigger} BEFORE UPDATE OR DELETE ON {table} FOR EACH ROW "
            f"EXECUTE FUNCTION safety_fill_once({_quoted(message, *fill)});"
        )
    for trigger, (table, message, _personal) in REFUSED.items():
        out.append(f"DROP TRIGGER IF EXISTS {trigger} ON {table};")
        out.append(
            f"CREATE TRIGGER {trigger} BEFORE UPDATE OR DELETE ON {table} FOR EACH ROW "
            f"EXECUTE FUNCTION safety_refuse_change({_quoted(message)});"
        )
    out.append("DROP FUNCTION IF EXISTS safety_fill_once_or_anonymising();")
    return "\n".join(out)


def _run(schema_editor, sql: str) -> None:
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(sql)  # no parameters: the % signs are PL/pgSQL's own


class Migration(migrations.Migration):
    dependencies = [("safety", "0006_encrypt_mobiles_data"), ("schools", "0011_append_only_events")]
    operations = [
        migrations.RunPython(lambda a, s: _run(s, _forward_sql()), lambda a, s: _run(s, _backward_sql())),
        dbguards.allow_anonymising("safety_latealertevent", "note"),
        dbguards.allow_anonymising("safety_earlyleaveevent", "note"),
        dbguards.allow_anonymising("safety_incidentevent", "note"),
        dbguards.allow_anonymising("safety_insuranceclaimevent", "note"),
    ]
