"""{% load funding %}: funding's parts shown on other apps' pages.

The school's service class list (schools/classes/service_class_list.html) marks the classes recognised as model
custody classes (R36) through `{% recognised_model_classes school school_year as ids %}`. As with `{% load safety %}`,
schools' Python code never imports funding; only the template names the tag library, and the selector applies the
viewer's scope (a viewer who may not read model classes gets an empty set)."""

from django import template

from ..models import ModelClass
from ..selectors import model_classes as model_class_selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def recognised_model_classes(context, school, school_year) -> set[int]:
    """The ids of the school's service classes recognised as model classes for the year (one query)."""
    request = context.get("request")
    if request is None or school is None or school_year is None:
        return set()
    return set(
        model_class_selectors.model_class_list(viewer=request.user, school_year=school_year)
        .filter(service_class__school=school, status=ModelClass.Status.RECOGNISED)
        .values_list("service_class_id", flat=True)
    )
