"""R37: fee policy sits with other departments; in this system no fee can be charged to families at all."""

import re

from django.apps import apps

FEE_WORDS = re.compile(r"fee|charge|tuition|price|payment_due|收费", re.IGNORECASE)


def test_no_model_can_record_a_fee():
    offenders = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        if model._meta.app_label in {"schools", "enrollment", "funding", "safety"}
        for field in model._meta.get_fields()
        if FEE_WORDS.search(field.name)
    ]
    assert offenders == []


def test_money_flows_only_from_the_county_to_schools():
    """The only money in the funding app comes from an allocated claim; every other entry spends it."""
    from funding.models import LedgerEntry

    kinds = set(LedgerEntry.Kind.values)
    assert kinds == {"allocation", "spending", "reversal"}
    allocation = next(f for f in LedgerEntry._meta.get_fields() if f.name == "claim")
    assert allocation.related_model._meta.label == "funding.Claim"
