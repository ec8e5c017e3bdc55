"""List stored ID numbers, mobiles and names that the roster's rules (schools/rules/roster.py) now refuse or would
store differently, and values that become the same person once normalised. Read-only: nothing is changed.

Run once after deploying the stricter rules (issue #14 item 7), before people meet them on a form:

    manage.py check_identifiers            # every model field that carries one of the three rules
    manage.py check_identifiers --unmasked # full values, for the support staff fixing them

Exit status 1 when something is listed, so a deployment script can stop on it.
"""

from collections import defaultdict

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from schools.rules import roster as roster_rules
from xiji_afterschool.fields import EncryptedCharField

RULES = {
    roster_rules.validate_id_number: (roster_rules.normalize_id_number, roster_rules.mask_id_number),
    roster_rules.validate_mobile: (roster_rules.normalize_mobile, roster_rules.mask_mobile),
    roster_rules.validate_name: (roster_rules.normalize_name, lambda value: value),
}


def checked_fields():
    """(model, field, validator) for every concrete field that carries one of the roster's rules."""
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            for validator in field.validators:
                if any(validator is rule for rule in RULES):  # Django's own validators are not hashable
                    yield model, field, validator


class Command(BaseCommand):
    help = "List stored ID numbers, mobiles and names the roster's rules refuse or would store differently."

    def add_arguments(self, parser):
        parser.add_argument("--unmasked", action="store_true", help="print ID numbers and mobiles in full")

    def handle(self, *args, unmasked=False, **options):
        found = 0
        for model, field, validator in checked_fields():
            normalize, mask = RULES[validator]
            show = (lambda value: ascii(value)) if unmasked else (lambda value, mask=mask: ascii(mask(value)))
            label = f"{model._meta.label}.{field.name}"
            same = defaultdict(list)
            rows = model._default_manager.exclude(**{f"{field.name}__isnull": True}).exclude(**{field.name: ""})
            for pk, value in rows.values_list("pk", field.name).iterator():
                normalized = normalize(value)
                same[normalized].append(pk)
                try:
                    validator(normalized)
                except ValidationError as exc:
                    found += 1
                    self.stdout.write(f"{label} pk={pk} {show(value)}: {exc.code} — {exc.messages[0]}")
                    continue
                if normalized != value:
                    found += 1
                    self.stdout.write(
                        f"{label} pk={pk} {show(value)}: stored unnormalised, would be {show(normalized)}"
                    )
            # Two rows, one person: the second account the issue found. An encrypted column is unique by its digest
            # (which normalises, so such pairs cannot be stored any more); listed all the same for what is there.
            if field.unique or isinstance(field, EncryptedCharField):
                for normalized, pks in same.items():
                    if len(pks) > 1:
                        found += 1
                        self.stdout.write(f"{label} pks={pks} {show(normalized)}: the same value once normalised")
        if found:
            raise CommandError(f"{found} stored value(s) to correct (see above).")
        self.stdout.write("All stored ID numbers, mobiles and names pass the roster's rules.")
