"""Model custody classes (R36, 示范性课后托管班): the list per year, the bureau's proposal, a model class's page
with its recognition (which books the grant into the school's fund) or revocation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from schools.models import School
from schools.selectors import calendar as calendar_selectors
from xiji_afterschool import permissions
from xiji_afterschool.actions import post_action
from xiji_afterschool.errors import DomainError
from xiji_afterschool.forms import CommentForm

from ..forms.ledger import YearForm
from ..forms.model_classes import ProposeForm, RecogniseForm
from ..models import ZERO, ModelClass
from ..selectors import model_classes as selectors
from ..services import model_classes as services
from .ledger import chosen_year


@login_required
def model_class_list(request):
    """The model classes of a year: the county's every school, a school admin their own; the grants recognised."""
    permissions.require(request.user, "model_class.view")
    form, school_year = chosen_year(request)
    if not request.GET and school_year is not None:
        form = YearForm(initial={"year": school_year})
    rows = list(selectors.model_class_list(viewer=request.user, school_year=school_year)) if school_year else []
    recognised = [m for m in rows if m.status == ModelClass.Status.RECOGNISED]
    context = {
        "form": form,
        "school_year": school_year,
        "rows": rows,
        "recognised": len(recognised),
        "granted": sum((m.grant_amount for m in recognised), ZERO),
        "can_propose": permissions.can(request.user, "model_class.propose"),
    }
    return render(request, "funding/model_classes/model_class_list.html", context)


@login_required
def model_class_propose(request):
    """The bureau proposes a service class of the current year (optionally of one school: ?school=<pk>)."""
    user = request.user
    permissions.require(user, "model_class.propose")
    school_year = calendar_selectors.current_school_year()
    if school_year is None:
        messages.error(request, _("The bureau has not set up the school year yet."))
        return redirect("funding:model-class-list")
    school = None
    if request.GET.get("school", "").isdigit():
        school = get_object_or_404(
            permissions.scope(user, School.objects.all(), action="model_class.propose"), pk=request.GET["school"]
        )
    classes = selectors.proposable_classes(viewer=user, school_year=school_year, school=school)
    form = ProposeForm(request.POST or None, classes=classes, initial={"with_trade_union": True})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            model_class = services.model_class_propose(
                actor=user,
                service_class=data["service_class"],
                school_year=school_year,
                criteria=data["criteria"],
                grant_amount=data["grant_amount"],
                with_trade_union=data["with_trade_union"],
                citation=data["citation"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The service class has been proposed as a model class."))
            return redirect("funding:model-class-detail", pk=model_class.pk)
    context = {"form": form, "school_year": school_year, "school": school}
    return render(request, "funding/model_classes/model_class_propose.html", context)


def _fetch(request, pk) -> ModelClass:
    model_class = get_object_or_404(selectors.model_class_detail(viewer=request.user), pk=pk)
    permissions.require(request.user, "model_class.view", model_class)
    return model_class


@login_required
def model_class_detail(request, pk):
    model_class = _fetch(request, pk)
    may_decide = permissions.can(request.user, "model_class.recognise", model_class)
    status = ModelClass.Status
    context = {
        "model_class": model_class,
        "events": model_class.events.all(),
        "ledger_entry": getattr(model_class, "ledger_entry", None) if model_class.status != status.PROPOSED else None,
        "can_recognise": may_decide and model_class.status == status.PROPOSED,
        "can_revoke": may_decide and model_class.status in (status.PROPOSED, status.RECOGNISED),
        "recognise_form": RecogniseForm(initial={"recognised_on": timezone.localdate()}),
        "revoke_form": CommentForm(),
    }
    return render(request, "funding/model_classes/model_class_detail.html", context)


@login_required
@require_POST
def model_class_recognise(request, pk):
    model_class = _fetch(request, pk)
    return post_action(
        request,
        model_class,
        action="model_class.recognise",
        form_class=RecogniseForm,
        call=lambda data: services.model_class_recognise(
            actor=request.user, model_class=model_class, recognised_on=data["recognised_on"], note=data["note"]
        ),
        success=_("The model class has been recognised and its grant booked into the school's fund."),
        next_url=reverse("funding:model-class-detail", kwargs={"pk": model_class.pk}),
    )


@login_required
@require_POST
def model_class_revoke(request, pk):
    model_class = _fetch(request, pk)
    return post_action(
        request,
        model_class,
        action="model_class.recognise",
        call=lambda data: services.model_class_revoke(actor=request.user, model_class=model_class, reason=data["note"]),
        success=_("The model class has been revoked."),
        next_url=reverse("funding:model-class-detail", kwargs={"pk": model_class.pk}),
    )


urlpatterns = [
    path("model-classes/", model_class_list, name="model-class-list"),
    path("model-classes/propose/", model_class_propose, name="model-class-propose"),
    path("model-classes/<int:pk>/", model_class_detail, name="model-class-detail"),
    path("model-classes/<int:pk>/recognise/", model_class_recognise, name="model-class-recognise"),
    path("model-classes/<int:pk>/revoke/", model_class_revoke, name="model-class-revoke"),
]
