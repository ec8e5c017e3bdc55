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
