"""Append-only tables on PostgreSQL (issue #13): one shared function `xiji_refuse_change()` and, per table, a BEFORE
UPDATE OR DELETE row trigger calling it. Used by the apps' migrations (`append_only("app_table", ...)`), so keep what a
call produces stable: a migration that ran must mean the same thing later.

TRUNCATE is not guarded here: the test runner's flush (TransactionTestCase) truncates every table, and a database
role that may not TRUNCATE is the deployment's part. SQLite has no such triggers; the services never update or delete
these rows there either."""

from django.db import migrations

FUNCTION = r"""
CREATE OR REPLACE FUNCTION xiji_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'xiji: % of % refused: the table is append-only (an audit or event record is never changed)',
        TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
"""
DROP_FUNCTION = "DROP FUNCTION IF EXISTS xiji_refuse_change();"


def trigger_name(table: str) -> str:
    return f"{table}_append_only"[:63]


def _run(schema_editor, sql: str) -> None:
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(sql)  # no parameters: the % signs are PL/pgSQL's own


def refuse_change_function() -> migrations.RunPython:
    """The shared function (schools' migration; every other app's triggers depend on it)."""
    return migrations.RunPython(
        lambda apps, schema_editor: _run(schema_editor, FUNCTION),
        lambda apps, schema_editor: _run(schema_editor, DROP_FUNCTION),
    )


def append_only(*tables: str) -> migrations.RunPython:
    """BEFORE UPDATE OR DELETE row triggers refusing any change of the rows of `tables`."""
    forward = "\n".join(
        f"CREATE TRIGGER {trigger_name(t)} BEFORE UPDATE OR DELETE ON {t} "
        f"FOR EACH ROW EXECUTE FUNCTION xiji_refuse_change();"
        for t in tables
    )
    backward = "\n".join(f"DROP TRIGGER IF EXISTS {trigger_name(t)} ON {t};" for t in tables)
    return migrations.RunPython(
        lambda apps, schema_editor: _run(schema_editor, forward),
        lambda apps, schema_editor: _run(schema_editor, backward),
    )


# ---------------------------------------------------------------- anonymising (issue #14 item 4)

# Whether an UPDATE changes nothing but the named personal columns, each one it changes to the anonymised word, empty
# or null
# (schools/rules/retention.py ANONYMISED): the one change the nightly sweep makes to an append-only row.
# (A personal column left as it is may hold anything: the sweep may anonymise some fields of a row and not others.)
ONLY_ANONYMISING = r"""
CREATE OR REPLACE FUNCTION xiji_only_anonymising(old_row jsonb, new_row jsonb, personal text[]) RETURNS boolean AS $$
    SELECT (new_row - personal) = (old_row - personal)
       AND NOT EXISTS (SELECT 1 FROM unnest(personal) AS c
                       WHERE (new_row -> c) IS DISTINCT FROM (old_row -> c)
                         AND new_row ->> c IS NOT NULL AND new_row ->> c NOT IN ('已匿名', ''))
$$ LANGUAGE sql IMMUTABLE;

CREATE OR REPLACE FUNCTION xiji_refuse_change_but_anonymising() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND xiji_only_anonymising(to_jsonb(OLD), to_jsonb(NEW), TG_ARGV) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'xiji: % of % refused: the table is append-only (only its personal fields may be anonymised)',
        TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
"""


def _sql_list(columns) -> str:
    return ", ".join(f"'{c}'" for c in columns)


def allow_anonymising(table: str, *columns: str) -> migrations.RunPython:
    """Replace an `append_only` table's trigger by one that still refuses every DELETE and every UPDATE except one
    setting only `columns` to the anonymised word, empty or null. Backward: the plain refusal again."""
    name = trigger_name(table)
    forward = (
        ONLY_ANONYMISING
        + f"DROP TRIGGER IF EXISTS {name} ON {table};\n"
        + f"CREATE TRIGGER {name} BEFORE UPDATE OR DELETE ON {table} "
        + f"FOR EACH ROW EXECUTE FUNCTION xiji_refuse_change_but_anonymising({_sql_list(columns)});"
    )
    backward = (
        f"DROP TRIGGER IF EXISTS {name} ON {table};\n"
        f"CREATE TRIGGER {name} BEFORE UPDATE OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION xiji_refuse_change();"
    )
    return migrations.RunPython(
        lambda apps, schema_editor: _run(schema_editor, forward),
        lambda apps, schema_editor: _run(schema_editor, backward),
    )
