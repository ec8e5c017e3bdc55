"""Seal the roster's ID numbers and every mobile the schools app holds, fill their digests (issue 14 item 6), and give
parent accounts a user name derived from the mobile's digest instead of the mobile itself. The sign-in throttle's rows
(django-axes) named a typed mobile as the account: they get the same derived name, so the tables hold no clear number.
"""

from django.db import migrations

from xiji_afterschool import crypto
from xiji_afterschool.fields import seal_app
from schools.rules import roster as roster_rules

seal, unseal = seal_app("schools")


def _login_key(login: str) -> str:
    return crypto.parent_username(roster_rules.normalize_mobile(login)) if roster_rules.is_mobile(login) else login


def derive_usernames(apps, schema_editor):
    User = apps.get_model("schools", "User")
    for pk, username, mobile in User.objects.filter(mobile__isnull=False).values_list("pk", "username", "mobile"):
        if mobile and roster_rules.is_mobile(username) and roster_rules.normalize_mobile(username) == mobile:
            User.objects.filter(pk=pk).update(username=crypto.parent_username(mobile))
    for name in ("AccessAttempt", "AccessLog", "AccessFailureLog"):
        model = apps.get_model("axes", name)
        for pk, login in model.objects.exclude(username=None).values_list("pk", "username"):
            if login != _login_key(login):
                model.objects.filter(pk=pk).update(username=_login_key(login))


class Migration(migrations.Migration):
    dependencies = [
        ("schools", "0014_encrypt_identifiers"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [
        migrations.RunPython(seal, unseal),
        migrations.RunPython(derive_usernames, migrations.RunPython.noop),
    ]
