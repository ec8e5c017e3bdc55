"""The school's safety board (安全看板, issue 11 §3): one phone page, refreshed every minute."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path

from xiji_afterschool import permissions

from ..forms.alerts import ResolveForm
from ..selectors import board as selectors

REFRESH_SECONDS = 60  # the board reloads itself (an HTTP Refresh header: no script, no polling of its own)


@login_required
def board_mine(request):
    """The menu's link: the board of the viewer's school (the first, for someone who sees several)."""
    school = selectors.board_school_list(viewer=request.user).order_by("pk").first()
    if school is None:
        raise Http404
    return redirect("safety:board", school.pk)


@login_required
def board(request, pk):
    """Today's roster, open late pick-ups (top, red, with resolve buttons for those who may), the children still in
    school and who holds each, alerts resolved today, counts. Read-only for the township and the county."""
    school = get_object_or_404(selectors.board_school_list(viewer=request.user), pk=pk)
    permissions.require(request.user, "board.view", school)
    context = selectors.safety_board(viewer=request.user, school=school)
    context.update(school=school, resolve_form=ResolveForm(), refresh=REFRESH_SECONDS)
    response = render(request, "safety/board/board.html", context)
    response["Refresh"] = str(REFRESH_SECONDS)
    return response


urlpatterns = [
    path("board/", board_mine, name="board-mine"),
    path("schools/<int:pk>/board/", board, name="board"),
]
