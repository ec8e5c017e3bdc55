"""On PostgreSQL the review notes of an application and the notes of a data request's history may be anonymised by
the nightly sweep (issue #14 item 4): the append-only trigger still refuses every DELETE and every other UPDATE
(xiji_afterschool/dbguards.py `allow_anonymising`)."""

from django.db import migrations

from xiji_afterschool import dbguards


class Migration(migrations.Migration):
    dependencies = [("enrollment", "0012_consent_scan_deleted_on_anonymising")]
    operations = [
        dbguards.allow_anonymising("enrollment_applicationevent", "note"),
        dbguards.allow_anonymising("enrollment_datarequestevent", "note"),
    ]
