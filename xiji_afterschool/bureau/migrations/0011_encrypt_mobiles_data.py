"""Seal the mobiles this app holds (issue 14 item 6): each row read in clear, written sealed with the first key."""

from django.db import migrations

from xiji_afterschool.fields import seal_app

seal, unseal = seal_app("bureau")


class Migration(migrations.Migration):
    dependencies = [("bureau", "0010_encrypt_mobiles")]

    operations = [migrations.RunPython(seal, unseal)]
