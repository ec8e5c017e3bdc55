"""Give the application its own PostgreSQL role that can only read and write rows (issue 13 item 7).

Run by the database's owner (the role that runs `migrate`) after every `migrate`:

    manage.py db_roles --app-role xiji_app [--password-env XIJI_APP_DB_PASSWORD]

The application role (gunicorn, the Celery worker and beat connect as it) gets CONNECT on the database, USAGE on the
schema, SELECT/INSERT/UPDATE/DELETE on every table (SELECT only on django_migrations), USAGE/SELECT on every sequence,
and the same by default on the tables and sequences the owner creates later. It never gets TRUNCATE and never owns a
table, so it can neither empty the ledger (TRUNCATE bypasses the row triggers) nor disable or drop a trigger.

The role is created when missing (LOGIN, NOSUPERUSER, NOCREATEDB, NOCREATEROLE, NOREPLICATION, NOBYPASSRLS: the
owner then needs CREATEROLE); an existing role is checked, never widened, and refused when it could lift a guard
(a superuser, a role that bypasses row security, the owner itself or a member of it, or the owner of an object here).
Idempotent: privileges are revoked and granted again in one transaction, so a stray TRUNCATE grant is removed.
"""

import os

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection, transaction

ROW_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"


def _as_owner(cursor, statement, refused: str) -> None:
    try:
        cursor.execute(statement)
    except DatabaseError as exc:  # the transaction rolls back as the error leaves it
        raise CommandError(f"{refused} ({str(exc).strip()})") from exc


class Command(BaseCommand):
    help = "Create or check the application's database role and grant it row privileges only (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--app-role", required=True, help="the role gunicorn and the workers connect as")
        parser.add_argument(
            "--password-env", help="name of an environment variable holding the app role's password (set it)"
        )

    def handle(self, *args, app_role, password_env=None, **options):
        if connection.vendor != "postgresql":
            raise CommandError("db_roles needs PostgreSQL (DATABASE_URL=postgres://…)")
        password = None
        if password_env:
            password = os.environ.get(password_env)
            if not password:
                raise CommandError(f"the environment variable {password_env} is empty or unset")
        from psycopg2 import sql

        role = sql.Identifier(app_role)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT current_user, current_database(), current_schema()")
            owner, database, schema = cursor.fetchone()
            if app_role == owner:
                raise CommandError("the application role must not be the owner that runs migrate")
            cursor.execute(
                "SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb, rolreplication FROM pg_roles "
                "WHERE rolname = %s",
                [app_role],
            )
            found = cursor.fetchone()
            if found is None:
                _as_owner(
                    cursor,
                    sql.SQL(
                        "CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT"
                    ).format(role),
                    f"{owner} may not create the role {app_role}: create it as the superuser (README), or give "
                    f"{owner} CREATEROLE",
                )
                self.stdout.write(f"created role {app_role}")
            else:
                attributes = ("SUPERUSER", "BYPASSRLS", "CREATEROLE", "CREATEDB", "REPLICATION")
                widened = [name for name, on in zip(attributes, found, strict=True) if on]
                if widened:
                    raise CommandError(f"role {app_role} has {', '.join(widened)}: it could lift the guards")
            cursor.execute("SELECT pg_has_role(%s, %s, 'MEMBER')", [app_role, owner])
            if cursor.fetchone()[0]:
                raise CommandError(f"role {app_role} is a member of the owner {owner}: it would own the tables")
            cursor.execute(  # owning a table, or being a member of a role that does, would let it drop a trigger
                "SELECT count(*) FROM pg_class c WHERE c.relnamespace = %s::regnamespace "
                "AND pg_has_role(%s, c.relowner, 'MEMBER')",
                [schema, app_role],
            )
            if cursor.fetchone()[0]:
                raise CommandError(
                    f"role {app_role} owns tables in {database} (or is a member of a role that does): "
                    f"reassign them to {owner} first"
                )
            if password is not None:
                _as_owner(
                    cursor,
                    sql.SQL("ALTER ROLE {} PASSWORD {}").format(role, sql.Literal(password)),
                    f"{owner} may not set the password of {app_role}: set it as the superuser, or give {owner} "
                    "CREATEROLE",
                )
            names = {"role": role, "owner": sql.Identifier(owner), "db": sql.Identifier(database)}
            names["schema"] = sql.Identifier(schema)
            for statement in (
                "GRANT CONNECT ON DATABASE {db} TO {role}",
                "GRANT USAGE ON SCHEMA {schema} TO {role}",
                "REVOKE CREATE ON SCHEMA {schema} FROM {role}",
                "REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {role}",
                f"GRANT {ROW_PRIVILEGES} ON ALL TABLES IN SCHEMA {{schema}} TO {{role}}",
                "REVOKE INSERT, UPDATE, DELETE ON TABLE django_migrations FROM {role}",
                "REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {role}",
                "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
                f"ALTER DEFAULT PRIVILEGES FOR ROLE {{owner}} IN SCHEMA {{schema}} GRANT {ROW_PRIVILEGES} ON TABLES "
                "TO {role}",
                "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema} REVOKE TRUNCATE, REFERENCES, TRIGGER "
                "ON TABLES FROM {role}",
                "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema} GRANT USAGE, SELECT ON SEQUENCES "
                "TO {role}",
            ):
                cursor.execute(sql.SQL(statement).format(**names))
        self.stdout.write(
            f"{app_role} may read and write the rows of {database} (owner {owner}); no TRUNCATE, owns nothing"
        )
