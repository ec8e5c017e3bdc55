"""Seal the mobiles this app holds (issue 14 item 6): each row read in clear, written sealed with the first key."""

from django.db import migrations

from xiji_afterschool.fields import seal_app

seal, unseal = seal_app("safety")


class Migration(migrations.Migration):
    dependencies = [("safety", "0005_encrypt_mobiles")]

    operations = [migrations.RunPython(seal, unseal)]
