"""On PostgreSQL safety's workflow events are append-only (issue #13): a BEFORE UPDATE OR DELETE trigger per event
table calling the shared `xiji_refuse_change()` (schools 0011, xiji_afterschool/dbguards.py)."""

from django.db import migrations

from xiji_afterschool import dbguards


class Migration(migrations.Migration):
    dependencies = [("safety", "0002_append_only_triggers"), ("schools", "0011_append_only_events")]
    operations = [
        dbguards.append_only("safety_latealertevent", "safety_earlyleaveevent", "safety_incidentevent", "safety_insuranceclaimevent", "safety_hazardevent"),
    ]
