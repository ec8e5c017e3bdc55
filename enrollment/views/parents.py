"""A parent's account: register (public, the mobile proved by an SMS code) and link a child with the code of the
Letter to Parents.

Pages are short and phone-first: most parents use a cheap phone on a slow connection.
"""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from schools.models import MobileCode
from schools.selectors import calendar as calendar_selectors
from schools.views import verification as verification_views
from xiji_afterschool import permissions
from xiji_afterschool.errors import DomainError

from ..forms.parents import ChildLinkForm, RegisterForm
from ..selectors import homes as homes_selectors
from ..services import parents as services

# ---------------------------------------------------------------- accounts


def _next_for(user, children):
    """Where a parent goes once children are linked: straight to the one child's page (the letter, apply and sign)
    when that child can apply, else the home page with every child and its status."""
    if len(children) == 1:
        school_year = calendar_selectors.current_school_year()
        rows = homes_selectors.parent_home_rows(parent=user, school_year=school_year)
        row = next((r for r in rows if r["student"].pk == children[0].pk), None)
        if row is not None and row["can_apply"]:
            return redirect("enrollment:application-create", student_pk=children[0].pk)
    return redirect("enrollment:parent-home")


def register(request):
    """Public: a parent creates an account with their mobile number, proved by a code sent to it (issue 14). One page:
    the number and "send the code" (step=send), then the code, the name and the password on the same page. The answer
    to "send" is the same whether or not the number has an account."""
    if request.user.is_authenticated:
        return redirect("home")
    request_form, form, notice = verification_views.code_step(
        request, purpose=MobileCode.Purpose.REGISTER, form_class=RegisterForm, submit_step="register"
    )
    if form is not None and form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            user, children = services.parent_register(
                mobile=data["mobile"], code=data["code"], full_name=data["full_name"], password=data["password1"]
            )
        except DomainError as exc:
            form.add_error("code", exc.message)
        else:
            login(request, user, backend="schools.services.accounts.MobileOrUsernameBackend")
            messages.success(request, _("Welcome! Your account is ready."))
            if children:
                names = "、".join(student.name for student in children)
                messages.success(
                    request,
                    _("The school has your number: %(names)s are linked to your account.") % {"names": names},
                )
            if not children:
                return redirect("enrollment:child-link")  # the next step: the code on the Letter to Parents
            return _next_for(user, children)
    context = {"request_form": request_form, "form": form, "notice": notice}
    return render(request, "enrollment/parents/register.html", context)


@login_required
def child_link(request):
    permissions.require(request.user, "child.link")
    form = ChildLinkForm(request.POST or None, initial={"code": request.GET.get("code", "")[:20]})
    if request.method == "POST" and form.is_valid():
        try:
            student = services.child_link(
                actor=request.user, code=form.cleaned_data["code"], relation=form.cleaned_data["relation"]
            )
        except DomainError as exc:
            form.add_error("code", exc.message)
        else:
            messages.success(request, _("%(name)s is now linked to your account.") % {"name": student.name})
            return _next_for(request.user, [student])
    return render(request, "enrollment/parents/child_link.html", {"form": form})


urlpatterns = [
    path("register/", register, name="register"),
    path("children/link/", child_link, name="child-link"),
]
