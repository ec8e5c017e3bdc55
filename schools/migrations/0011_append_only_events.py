"""On PostgreSQL the audit trail and schools' workflow events are append-only (issue #13): the shared function
`xiji_refuse_change()` (xiji_afterschool/dbguards.py) and a BEFORE UPDATE OR DELETE trigger per table. The other apps'
event tables get theirs in their own migrations, which depend on this one for the function."""

from django.db import migrations

from xiji_afterschool import dbguards


class Migration(migrations.Migration):
    dependencies = [("schools", "0010_audit")]
    operations = [
        dbguards.refuse_change_function(),
        dbguards.append_only("schools_auditrecord", "schools_sessionevent", "schools_schoolplanevent"),
    ]
