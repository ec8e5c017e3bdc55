"""On PostgreSQL funding's workflow events are append-only (issue #13): a BEFORE UPDATE OR DELETE trigger per event
table calling the shared `xiji_refuse_change()` (schools 0011, xiji_afterschool/dbguards.py)."""

from django.db import migrations

from xiji_afterschool import dbguards


class Migration(migrations.Migration):
    dependencies = [("funding", "0005_model_classes"), ("schools", "0011_append_only_events")]
    operations = [
        dbguards.append_only("funding_claimevent", "funding_modelclassevent", "funding_payschemeevent", "funding_payrunevent", "funding_settlementevent", "funding_spendingplanevent"),
    ]
