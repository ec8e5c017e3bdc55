"""{% load safety %}: safety's parts shown on other apps' pages.

The school plan's safety section (schools/plans/plan_detail.html) shows the school's current emergency plans and this
semester's drills through `{% emergency_plan_links school %}`. A template tag keeps the dependency where it belongs:
schools' Python code never imports safety (schools is the base app); only the template names the tag library, and
the selector here applies the viewer's scope like any other read."""

from django import template

from ..selectors import emergency as emergency_selectors

register = template.Library()


@register.inclusion_tag("safety/emergency/_plan_links.html", takes_context=True)
def emergency_plan_links(context, school):
    request = context.get("request")
    if request is None or school is None:
        return {}
    return emergency_selectors.plan_links(viewer=request.user, school=school)
