"""On PostgreSQL bureau's workflow events are append-only (issue #13): a BEFORE UPDATE OR DELETE trigger per event
table calling the shared `xiji_refuse_change()` (schools 0011, xiji_afterschool/dbguards.py)."""

from django.db import migrations

from xiji_afterschool import dbguards


class Migration(migrations.Migration):
    dependencies = [("bureau", "0008_school_reports"), ("schools", "0011_append_only_events")]
    operations = [
        dbguards.append_only("bureau_feedbackevent", "bureau_inspectionevent", "bureau_rectificationevent", "bureau_reportwindowevent", "bureau_schoolreportevent"),
    ]
