"""{% load inspections %}: the special inspections' part of the school admin's home.

`{% school_rectifications school %}` lists the school's rectifications waiting for its answer (R35), overdue first.
A template tag keeps the dependency where it belongs: schools' Python code never imports the console; only the
template names the tag library, and the selector applies the viewer's scope like any other read."""

from django import template
from django.utils import timezone

from ..selectors import inspections as inspections_selectors

register = template.Library()


@register.inclusion_tag("bureau/inspections/_school_rectifications.html", takes_context=True)
def school_rectifications(context, school):
    request = context.get("request")
    if request is None or school is None:
        return {}
    rows = list(inspections_selectors.rectifications_waiting(viewer=request.user, school=school)[:20])
    return {"rectifications": rows, "today": timezone.localdate()}
