"""{% load funding %}: funding's parts shown on other apps' pages.

The school's service class list (schools/classes/service_class_list.html) marks the classes recognised as model
custody classes (R36) through `{% recognised_model_classes school school_year as ids %}`. As with `{% load safety %}`,
schools' Python code never imports funding; only the template names the tag library, and the selector applies the
viewer's scope (a viewer who may not read model classes gets an empty set).

The school administrator's home offers the year's annual claim through `{% school_claim_offer school %}`: computed
as it would be started (classes from the filed plan or the classes formed × planned days × hours × rate), one button
away from its form; once started, the claim itself with its status and the way to it."""

from django import template
from django.utils.translation import gettext as _

from schools.models import Stage
from schools.selectors import calendar as calendar_selectors
from xiji_afterschool import permissions
from xiji_afterschool.errors import DomainError

from ..models import Claim, ModelClass
from ..selectors import claims as claims_selectors
from ..selectors import model_classes as model_class_selectors
from ..services import claims as claims_services

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


@register.inclusion_tag("funding/claims/_school_offer.html", takes_context=True)
def school_claim_offer(context, school):
    """The school's annual claim of the current year: the claim if started, else the offer with its amount."""
    request = context.get("request")
    if request is None or school is None or not permissions.can(request.user, "claim.edit", school):
        return {}
    school_year = calendar_selectors.current_school_year()
    if school_year is None:
        return {}
    claims = claims_selectors.claim_list(viewer=request.user, school_year=school_year).filter(school=school)
    offer = {
        "school": school,
        "school_year": school_year,
        "claim": claims.filter(kind=Claim.Kind.ANNUAL).first(),
        "csrf_token": context.get("csrf_token"),
        "shown": True,
    }
    if offer["claim"] is not None:
        return offer
    prefill = claims_selectors.claim_prefill(school=school, school_year=school_year)
    offer["source"] = prefill["source"]
    if sum(prefill["classes"].values()) < 1:
        offer["problem"] = _(
            "There is nothing to start the claim from: file the school plan with its funding estimate, "
            "or form the service classes first."
        )
        return offer
    try:
        preview = claims_services.annual_claim_preview(
            school=school, school_year=school_year, classes=prefill["classes"]
        )
    except DomainError as exc:
        offer["problem"] = exc.message
        return offer
    offer["lines"] = [line | {"stage_label": Stage(line["stage"]).label} for line in preview["lines"]]
    offer["amount"] = preview["requested_amount"]
    return offer
