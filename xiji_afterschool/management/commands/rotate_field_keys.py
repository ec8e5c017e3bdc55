"""Re-seal every encrypted column with the first key of XIJI_FIELD_KEYS, and recompute the keyed digests with the
current XIJI_LOOKUP_KEY (issue 14 item 6; README, Encryption at rest):

    1. put the new key FIRST in XIJI_FIELD_KEYS, keep the old ones after it, restart the services
       (new values are sealed with the new key; old ones still open);
    2. manage.py rotate_field_keys            # as the owner role that runs migrate; batched, safe to run again
    3. manage.py rotate_field_keys --check    # exit 1 while any value still needs an old key
    4. drop the old keys from XIJI_FIELD_KEYS, restart.

    manage.py rotate_field_keys --new-key     # print a fresh key and change nothing

Rows already current are not written, so a second run changes nothing. Each table is done in its own transaction;
append-only tables (hand-overs, visitor entries) have their triggers lifted for that transaction only.
"""

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from xiji_afterschool import crypto
from xiji_afterschool.fields import encrypted_columns, reseal_model


def encrypted_models():
    return [model for model in apps.get_models() if encrypted_columns(model)]


def stale_counts() -> dict[str, int]:
    """Per model, the values not sealed with the first key (clear, or sealed with an older one)."""
    first = crypto.field_keys()[0][0]
    counts = {}
    qn = connection.ops.quote_name
    for model in encrypted_models():
        table = model._meta.db_table
        for field, _digest, _tail in encrypted_columns(model):
            column = qn(field.column)
            sql = (
                f"SELECT COUNT(*) FROM {qn(table)} WHERE {column} IS NOT NULL AND {column} <> '' "  # noqa: S608
                f"AND {column} NOT LIKE %s"
            )
            with connection.cursor() as cursor:
                cursor.execute(sql, [f"{crypto.PREFIX}{first}$%"])
                n = cursor.fetchone()[0]
            if n:
                counts[f"{model._meta.label}.{field.name}"] = n
    return counts


class Command(BaseCommand):
    help = "Re-encrypt ID numbers and mobiles with the first key of XIJI_FIELD_KEYS and recompute their digests."

    def add_arguments(self, parser):
        parser.add_argument("--new-key", action="store_true", help="print a fresh key for XIJI_FIELD_KEYS and exit")
        parser.add_argument("--check", action="store_true", help="count values still needing an older key; exit 1")
        parser.add_argument("--batch", type=int, default=1000, help="rows read per query (default 1000)")

    def handle(self, *args, new_key=False, check=False, batch=1000, **options):
        if new_key:
            self.stdout.write(crypto.new_key())
            return
        if check:
            stale = stale_counts()
            for label, n in stale.items():
                self.stdout.write(f"{label}: {n} value(s) not under the first key")
            if stale:
                raise CommandError("Some values still need an older key: run rotate_field_keys before dropping it.")
            self.stdout.write(f"Every encrypted value is under key {crypto.field_keys()[0][0]}.")
            return
        total = 0
        for model in encrypted_models():
            with transaction.atomic():
                changed = reseal_model(model, connection, batch=batch)
            total += changed
            self.stdout.write(f"{model._meta.label}: {changed} row(s) re-sealed")
        renamed = self.rename_parents()
        self.stdout.write(
            f"Done: {total} row(s) re-sealed under key {crypto.field_keys()[0][0]}, {renamed} parent user name(s) "
            "derived again."
        )

    def rename_parents(self) -> int:
        """A parent's user name is derived from the mobile's digest: a new lookup key derives a new one."""
        from schools.models import User

        renamed = 0
        with transaction.atomic():
            for pk, username, mobile in (
                User.objects.filter(username__startswith="p_")
                .exclude(mobile=None)
                .values_list("pk", "username", "mobile")
            ):
                wanted = crypto.parent_username(mobile)
                if mobile and username != wanted:
                    renamed += User.objects.filter(pk=pk).update(username=wanted)
        return renamed
