"""Feedback (意见建议与投诉, R33, R37): the public form and the lookup by tracking code (no login), the handlers'
list and page with answer / refer / close, and a signed-in parent's own messages."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from xiji_afterschool import permissions
from xiji_afterschool.actions import post_action
from xiji_afterschool.clients import client_address
from xiji_afterschool.errors import DomainError

from ..forms.feedback import AnswerForm, FeedbackFilterForm, FeedbackForm, ReferForm, TrackForm
from ..selectors import feedback as selectors
from ..services import feedback as services


@never_cache
def feedback_submit(request):
    """Anyone (no login): send an opinion, a suggestion or a complaint; the answer is looked up by the code shown.
    Beyond the hourly limit per address the page answers 429 with the reason."""
    initial = {}
    if request.method == "GET" and request.GET.get("school", "").isdigit():
        initial["school"] = request.GET["school"]
    form = FeedbackForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            feedback = services.feedback_submit(
                actor=request.user,
                address=client_address(request),
                kind=data["kind"],
                sender=data["sender"],
                theme=data["theme"],
                text=data["text"],
                school=data["school"],
                name=data["name"],
                mobile=data["mobile"],
            )
        except services.TooManySubmissions as exc:
            return render(
                request, "bureau/feedback/feedback_form.html", {"form": form, "refused": exc.message}, status=429
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            request.session["feedback_code"] = feedback.code  # the thank-you page shows it once, on this device
            return redirect("bureau:feedback-sent")
    return render(request, "bureau/feedback/feedback_form.html", {"form": form})


@never_cache
def feedback_sent(request):
    """The receipt: the tracking code of what this browser just sent (else a way to the form and the lookup)."""
    code = request.session.get("feedback_code")
    feedback = selectors.feedback_by_code(code) if code else None
    return render(request, "bureau/feedback/feedback_sent.html", {"feedback": feedback})


@never_cache
def feedback_track(request):
    """Anyone with a tracking code: the message's status, due day and answer (never who answered or sent it)."""
    form = TrackForm(request.GET or None)
    feedback, looked = None, False
    if form.is_valid():
        looked = True
        feedback = selectors.feedback_by_code(form.cleaned_data["code"])
    return render(
        request, "bureau/feedback/feedback_track.html", {"form": form, "feedback": feedback, "looked": looked}
    )


@login_required
def feedback_list(request):
    """The handlers' list (bureau: all; a school's admin: its own), filtered by status, theme, kind, overdue."""
    permissions.require(request.user, "feedback.list")
    form = FeedbackFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.feedback_filtered(
        viewer=request.user,
        status=filters.get("status", ""),
        theme=filters.get("theme", ""),
        kind=filters.get("kind", ""),
        overdue=filters.get("overdue", False),
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "counts": selectors.feedback_counts(request.user),
        "stats": selectors.feedback_response_stats(request.user),
    }
    return render(request, "bureau/feedback/feedback_list.html", context)


@login_required
def feedback_mine(request):
    """A signed-in parent's own messages (sent while signed in)."""
    permissions.require(request.user, "feedback.mine")
    items = selectors.feedback_list(viewer=request.user, action="feedback.mine")
    return render(request, "bureau/feedback/feedback_mine.html", {"items": items})


def _fetch(request, pk):
    feedback = get_object_or_404(selectors.feedback_list(viewer=request.user), pk=pk)
    permissions.require(request.user, "feedback.view", feedback)
    return feedback


@login_required
def feedback_detail(request, pk):
    feedback = _fetch(request, pk)
    context = {
        "feedback": feedback,
        "events": feedback.events.select_related("actor"),
        "can_answer": permissions.can(request.user, "feedback.answer", feedback),
        "can_refer": feedback.kind == feedback.Kind.FEE_COMPLAINT
        and permissions.can(request.user, "feedback.refer", feedback),
        "can_close": permissions.can(request.user, "feedback.close", feedback),
        "answer_form": AnswerForm(),
        "refer_form": ReferForm(),
    }
    return render(request, "bureau/feedback/feedback_detail.html", context)


@login_required
@require_POST
def feedback_answer(request, pk):
    feedback = _fetch(request, pk)
    return post_action(
        request,
        feedback,
        action="feedback.answer",
        form_class=AnswerForm,
        call=lambda d: services.feedback_answer(actor=request.user, feedback=feedback, answer=d["answer"]),
        success=_("The answer is recorded; the sender reads it with the tracking code."),
        next_url=reverse("bureau:feedback-detail", args=[feedback.pk]),
    )


@login_required
@require_POST
def feedback_refer(request, pk):
    feedback = _fetch(request, pk)
    return post_action(
        request,
        feedback,
        action="feedback.refer",
        form_class=ReferForm,
        call=lambda d: services.feedback_refer(actor=request.user, feedback=feedback, note=d["note"]),
        success=_("The referral to market supervision is recorded."),
        next_url=reverse("bureau:feedback-detail", args=[feedback.pk]),
    )


@login_required
@require_POST
def feedback_close(request, pk):
    feedback = _fetch(request, pk)
    return post_action(
        request,
        feedback,
        action="feedback.close",
        call=lambda d: services.feedback_close(actor=request.user, feedback=feedback, note=d["note"]),
        success=_("Closed."),
        next_url=reverse("bureau:feedback-detail", args=[feedback.pk]),
    )


urlpatterns = [
    # Public (no login)
    path("feedback/", feedback_submit, name="feedback-submit"),
    path("feedback/sent/", feedback_sent, name="feedback-sent"),
    path("feedback/track/", feedback_track, name="feedback-track"),
    # Signed in
    path("feedback/all/", feedback_list, name="feedback-list"),
    path("feedback/mine/", feedback_mine, name="feedback-mine"),
    path("feedback/<int:pk>/", feedback_detail, name="feedback-detail"),
    path("feedback/<int:pk>/answer/", feedback_answer, name="feedback-answer"),
    path("feedback/<int:pk>/refer/", feedback_refer, name="feedback-refer"),
    path("feedback/<int:pk>/close/", feedback_close, name="feedback-close"),
]
