"""Overdue deadlines (issue #12, item 8): every overdue item at the schools the reader sees, with its link."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from xiji_afterschool import permissions

from ..reports import reminders as reports
from ..selectors import reminders as selectors


@login_required
def overdue_list(request):
    permissions.require(request.user, "overdue.view")
    today = timezone.localdate()
    items = selectors.overdue_items(request.user, today)
    may = {action: permissions.can(request.user, action) for action in {item.action for item in items}}
    rows = [
        {
            "item": item,
            "label": reports.kind_label(item.kind),
            "late": (today - item.due).days,
            "link": may[item.action],
        }
        for item in items
    ]
    return render(request, "bureau/reminders/overdue_list.html", {"rows": rows, "today": today})


urlpatterns = [
    path("overdue/", overdue_list, name="overdue-list"),
]
