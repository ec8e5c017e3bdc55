from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from . import navigation


@login_required
def home(request):
    """Send each person to the home page of their first role; explain when they have none yet."""
    name = navigation.home_url_name(request.user)
    if name is None:
        return render(request, "no_role.html")
    return redirect(name)
