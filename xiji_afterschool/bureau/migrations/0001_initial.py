# The county console's first migration: the app's own models follow in later ones.

from django.db import migrations


class Migration(migrations.Migration):
    initial = True

    dependencies = [("schools", "0008_county_leadership")]

    operations = []
