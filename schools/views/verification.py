"""The first half of every page that proves a mobile with a one-time code (the parent's registration, the password
recovery): the number and "send the code" (step=send), then the page's own form on the same page. No page of its
own, so no URLs."""

from schools.forms.verification import CodeRequestForm
from schools.services import verification as verification_services
from xiji_afterschool.clients import client_address
from xiji_afterschool.errors import DomainError


def code_step(request, *, purpose: str, form_class, submit_step: str):
    """-> (request_form, form, notice). After "send", `form` is the page's form with the number filled in and
    `notice` the answer, the same whether or not the number has an account; after `submit_step`, `form` is bound
    to the POST for the view to validate; otherwise `form` is None."""
    step = request.POST.get("step") if request.method == "POST" else None
    request_form, form, notice = CodeRequestForm(request.POST if step == "send" else None), None, None
    if step == "send" and request_form.is_valid():
        mobile = request_form.cleaned_data["mobile"]
        try:
            verification_services.code_request(mobile=mobile, purpose=purpose, address=client_address(request))
        except DomainError as exc:
            request_form.add_error("mobile", exc.message)
        else:
            notice = verification_services.CODE_SENT
            form = form_class(initial={"mobile": mobile})
    elif step == submit_step:
        form = form_class(request.POST)
    return request_form, form, notice


urlpatterns = []
