"""What changes a school's console numbers, and which school and year it is: a save or delete of one of these, or a
new event in its history (a workflow moves a status by a conditional UPDATE, which sends no signal, and always
writes an event), queues that school's refresh (services/console.school_changed). Bulk writes send no signal; the nightly refresh
covers them. `paused()` turns this off while the demo county is seeded (it refreshes once at the end)."""

import contextlib

from django.db.models.signals import post_delete, post_save

from enrollment.models import Application
from funding.models import Claim, LedgerEntry, Settlement
from safety.models import Hazard, Incident, LateAlert
from schools.models import SchoolPlan, SchoolYear, ServiceClass, ServiceClassMember, Session

from .models import Inspection, Rectification
from .services import console as console_services

_paused = False


def _current_year_id(day) -> int | None:
    return SchoolYear.objects.filter(start_date__lte=day, end_date__gte=day).values_list("pk", flat=True).first()


# model -> (school year id, school id) of a saved or deleted row
WHERE = {
    Session: lambda s: (s.service_class.school_year_id, s.service_class.school_id),
    ServiceClass: lambda c: (c.school_year_id, c.school_id),
    ServiceClassMember: lambda m: (m.service_class.school_year_id, m.service_class.school_id),
    Application: lambda a: (a.school_year_id, a.school_id),
    SchoolPlan: lambda p: (p.school_year_id, p.school_id),
    Claim: lambda c: (c.school_year_id, c.school_id),
    LedgerEntry: lambda e: (e.fund.school_year_id, e.fund.school_id),
    Settlement: lambda s: (s.school_year_id, s.school_id),
    LateAlert: lambda a: (_current_year_id(a.date), a.school_id),
    Incident: lambda i: (_current_year_id(i.occurred_at.date()), i.school_id),
    Hazard: lambda h: (_current_year_id(h.created_at.date()), h.school_id),
    Inspection: lambda i: (i.school_year_id, i.school_id),
    Rectification: lambda r: (r.finding.inspection.school_year_id, r.finding.inspection.school_id),
}


def _changed(sender, instance, **kwargs):
    if _paused or kwargs.get("raw"):
        return
    school_year_id, school_id = WHERE[sender](instance)
    if school_year_id and school_id:
        console_services.school_changed(school_year_id=school_year_id, school_id=school_id)


def _event_added(sender, instance, created=False, **kwargs):
    if created:
        record = getattr(instance, sender.record_field().name)
        _changed(type(record), record, **kwargs)


def connect() -> None:
    for model in WHERE:
        post_save.connect(_changed, sender=model, dispatch_uid=f"bureau-console-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"bureau-console-del-{model.__name__}")
        events = getattr(model, "events", None)
        if events is not None:
            event_model = events.rel.related_model
            post_save.connect(_event_added, sender=event_model, dispatch_uid=f"bureau-console-ev-{model.__name__}")


@contextlib.contextmanager
def paused():
    global _paused
    before, _paused = _paused, True
    try:
        yield
    finally:
        _paused = before
