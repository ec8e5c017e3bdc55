"""On PostgreSQL the notes of a feedback's history may be anonymised by the nightly sweep (issue #14 item 4): the
append-only trigger still refuses every DELETE and every other UPDATE (xiji_afterschool/dbguards.py)."""

from django.db import migrations

from xiji_afterschool import dbguards


class Migration(migrations.Migration):
    dependencies = [("bureau", "0011_encrypt_mobiles_data")]
    operations = [dbguards.allow_anonymising("bureau_feedbackevent", "note")]
