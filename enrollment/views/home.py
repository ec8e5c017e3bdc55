from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from schools import selectors as school_selectors
from xiji_afterschool import permissions


@login_required
def parent_home(request):
    """A parent's own children; applications arrive with the enrollment issue."""
    permissions.require(request.user, "home.parent")
    children = school_selectors.children_of(parent=request.user)
    return render(request, "enrollment/parent_home.html", {"children": children})
