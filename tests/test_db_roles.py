"""The guard under the application role (issue 13 item 7): `manage.py db_roles` gives the role gunicorn and the
workers connect as the rows only. Under it TRUNCATE, disabling a trigger and a hand-typed fund total are refused,
while the services' own writes pass. Roles are cluster-wide: each test's role has a unique name and is dropped."""

import uuid
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from funding.models import Category, LedgerEntry
from funding.services.ledger import ledger_spend

from .funding.conftest import funded  # noqa: F401 (school_a's fund with one allocated claim)

pytestmark = [pytest.mark.needs_postgres]


@pytest.fixture
def app_role(db):
    """A fresh application role made by the command in the test database; its grants and the role go after."""
    name = f"xiji_test_app_{uuid.uuid4().hex[:12]}"
    call_command("db_roles", "--app-role", name, stdout=open("/dev/null", "w"))
    yield name
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")
        cursor.execute(f'DROP OWNED BY "{name}"')  # its grants here (and on this database)
        cursor.execute(f'DROP ROLE IF EXISTS "{name}"')


def as_role(role: str, *statements, params=None):
    """Run statements as `role`, then fire the deferred checks as COMMIT would; inside a savepoint, so a refusal
    (and the SET ROLE) is rolled back and the test goes on as the owner."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'SET ROLE "{role}"')
        for statement in statements:
            cursor.execute(statement, params)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute("RESET ROLE")


def test_the_application_role_cannot_lift_the_guards(funded, app_role):  # noqa: F811
    w = funded
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, rolcreaterole, rolcreatedb, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = %s",
            [app_role],
        )
        assert cursor.fetchone() == (False, False, False, False, True)
        cursor.execute(
            "SELECT has_table_privilege(%s, 'funding_ledgerentry', 'TRUNCATE'),"
            " has_table_privilege(%s, 'funding_ledgerentry', 'INSERT'),"
            " has_table_privilege(%s, 'django_migrations', 'INSERT'),"
            " has_table_privilege(%s, 'django_migrations', 'SELECT')",
            [app_role] * 4,
        )
        assert cursor.fetchone() == (False, True, False, True)
    for statement, refusal in (
        ("TRUNCATE funding_ledgerentry CASCADE", "permission denied"),
        ("TRUNCATE funding_fund CASCADE", "permission denied"),
        ("ALTER TABLE funding_ledgerentry DISABLE TRIGGER ALL", "must be owner"),
        ("DROP TRIGGER funding_ledgerentry_append_only ON funding_ledgerentry", "must be owner"),
        ("ALTER TABLE funding_fund DISABLE TRIGGER funding_fund_totals_match_ledger", "must be owner"),
        ("SET session_replication_role = replica", "permission denied"),
        ("UPDATE funding_fund SET spent = 0, allocated = 0", "do not match its ledger"),
        ("DELETE FROM funding_ledgerentry", "ledger entries are never changed"),
        ("CREATE TABLE funding_side_door (id int)", "permission denied"),
    ):
        with pytest.raises(DatabaseError, match=refusal):
            as_role(app_role, statement)
    assert LedgerEntry.objects.count() == 1

    # The services' own writes pass under it: a spending (compare-and-set of the total, then its ledger entry).
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'SET ROLE "{app_role}"')
        entry = ledger_spend(
            actor=w.school_admin, fund=w.fund, category=Category.CONSUMABLES, amount="120.00",
            date=w.school_year.start_date, description="作业本",
        )  # fmt: skip
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute("SELECT current_user")
        assert cursor.fetchone() == (app_role,)
        cursor.execute("RESET ROLE")
    w.fund.refresh_from_db()
    assert (w.fund.spent, entry.amount) == (Decimal("120.00"), Decimal("120.00"))


def test_the_command_is_idempotent_and_takes_back_a_stray_truncate(app_role, monkeypatch):
    with connection.cursor() as cursor:
        cursor.execute(f'GRANT TRUNCATE ON funding_ledgerentry TO "{app_role}"')
    monkeypatch.setenv("XIJI_TEST_APP_PASSWORD", "s3cret-for-the-test")
    call_command(
        "db_roles", "--app-role", app_role, "--password-env", "XIJI_TEST_APP_PASSWORD", stdout=open("/dev/null", "w")
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT has_table_privilege(%s, 'funding_ledgerentry', 'TRUNCATE')", [app_role])
        assert cursor.fetchone() == (False,)
        cursor.execute("SELECT rolpassword IS NOT NULL FROM pg_authid WHERE rolname = %s", [app_role])
        assert cursor.fetchone() == (True,)
    monkeypatch.setenv("XIJI_TEST_APP_PASSWORD", "")
    with pytest.raises(CommandError, match="XIJI_TEST_APP_PASSWORD is empty or unset"):
        call_command("db_roles", "--app-role", app_role, "--password-env", "XIJI_TEST_APP_PASSWORD")
        # tables the owner creates later (a future migration) are the rows only, too
        cursor.execute("CREATE TABLE schools_later_table (id int)")
        cursor.execute(
            "SELECT has_table_privilege(%s, 'schools_later_table', 'UPDATE'),"
            " has_table_privilege(%s, 'schools_later_table', 'TRUNCATE')",
            [app_role, app_role],
        )
        assert cursor.fetchone() == (True, False)
        cursor.execute("DROP TABLE schools_later_table")


def test_the_command_refuses_a_role_that_could_lift_the_guards(app_role):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        (owner,) = cursor.fetchone()
        cursor.execute(f'ALTER ROLE "{app_role}" BYPASSRLS')
    with pytest.raises(CommandError, match="BYPASSRLS"):
        call_command("db_roles", "--app-role", app_role)
    with pytest.raises(CommandError, match="must not be the owner"):
        call_command("db_roles", "--app-role", owner)
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER ROLE "{app_role}" NOBYPASSRLS')
        cursor.execute(f'CREATE ROLE "{app_role}_tables"')
        cursor.execute(f'GRANT "{app_role}_tables" TO "{app_role}"')
        cursor.execute(f'ALTER TABLE funding_fund OWNER TO "{app_role}_tables"')
    with pytest.raises(CommandError, match="is a member of a role that does"):  # it could disable the fund's guard
        call_command("db_roles", "--app-role", app_role)
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER TABLE funding_fund OWNER TO "{owner}"')
        cursor.execute(f'DROP ROLE "{app_role}_tables"')
