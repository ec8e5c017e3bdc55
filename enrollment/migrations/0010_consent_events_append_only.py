"""On PostgreSQL the consents' history is append-only, as every workflow's (issue #13): the shared trigger."""

from django.db import migrations

from xiji_afterschool import dbguards


class Migration(migrations.Migration):
    dependencies = [("enrollment", "0009_consent_texts")]
    operations = [
        dbguards.append_only("enrollment_consentevent"),
    ]
