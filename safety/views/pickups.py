"""Who may take a child (R30, issue 11 §1): a child's pick-up page (the guardian on the phone; the class teacher
reads; the school admin records paper requests and sets bus and dormitory places), the school's list with counts per
class, and the school's bus routes and dormitories."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from schools.models import School
from xiji_afterschool import auditing, permissions, uploads
from xiji_afterschool.clients import client_address
from xiji_afterschool.errors import DomainError, form_errors
from xiji_afterschool.exports import write_xlsx, xlsx_response

from ..forms.pickups import (
    BusRouteForm,
    CollectorForm,
    DelegationForm,
    DormitoryForm,
    PickupFilterForm,
    TravelEndForm,
    TravelForm,
    WalkHomeForm,
)
from ..models import BusRoute, Dormitory, TravelArrangement
from ..reports import pickups as reports
from ..rules import pickups as rules
from ..selectors import pickups as selectors
from ..services import pickups as services


def _student(request, pk):
    student = get_object_or_404(selectors.pickup_students(viewer=request.user), pk=pk)
    permissions.require(request.user, "pickup.view", student)
    return student


def _back(student):
    return redirect("safety:pickup-student", pk=student.pk)


def _travel_form(student, data=None):
    return TravelForm(
        data,
        routes=BusRoute.objects.filter(school_id=student.school_id, active=True),
        dormitories=Dormitory.objects.filter(school_id=student.school_id),
        initial={"valid_from": timezone.localdate()},
        prefix="travel",
    )


@login_required
def pickup_student(request, pk):
    """One child's pick-up arrangements: the roster guardians, the authorised adults with their pick-up codes,
    the delegations, the permission to go home alone, the bus or dormitory place; forms for what the viewer may do."""
    student = _student(request, pk)
    user, today = request.user, timezone.localdate()
    can = lambda action: permissions.can(user, action, student)  # noqa: E731
    may_add, may_paper = can("collector.add"), can("collector.record_paper")
    context = {
        "student": student,
        "data": selectors.child_pickups(student=student, today=today),
        "today": today,
        "may_add": may_add,
        "may_paper": may_paper,
        "may_revoke": can("collector.revoke"),
        "may_delegate": can("delegation.add"),
        "may_walk": (can("walk_home.sign") or can("walk_home.record_paper")),
        "may_withdraw": can("walk_home.withdraw"),
        "may_travel": can("travel.set"),
        "walk_grade_ok": rules.may_go_home_alone(student.grade),
        "min_grade": rules.MIN_GRADE_TO_GO_HOME_ALONE,
        "collector_form": CollectorForm(
            paper=not may_add and may_paper, initial={"valid_from": today}, prefix="collector"
        ),
        "delegation_form": DelegationForm(initial={"date": today}, prefix="delegation"),
        "travel_form": _travel_form(student),
        "end_form": TravelEndForm(initial={"last_day": today}),
    }
    return render(request, "safety/pickups/pickup_student.html", context)


@login_required
@require_POST
def collector_add(request, pk):
    student = _student(request, pk)
    paper = not permissions.can(request.user, "collector.add", student)
    permissions.require(request.user, "collector.record_paper" if paper else "collector.add", student)
    form = CollectorForm(request.POST, request.FILES, paper=paper, prefix="collector")
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return _back(student)
    data = form.cleaned_data
    try:
        collector = services.collector_add(
            actor=request.user, student=student, name=data["name"], relation=data["relation"],
            mobile=data["mobile"], valid_from=data["valid_from"], valid_until=data["valid_until"],
            photo=data.get("photo"), paper=paper, paper_reference=data.get("paper_reference", ""),
        )  # fmt: skip
    except DomainError as exc:
        messages.error(request, exc.message)
        return _back(student)
    messages.success(
        request,
        _("%(name)s may now collect %(child)s. Pick-up code: %(code)s — give it to them.")
        % {"name": collector.name, "child": student.name, "code": collector.pickup_code},
    )
    return _back(student)


@login_required
@require_POST
def collector_revoke(request, pk):
    collector = get_object_or_404(selectors.collector_list(viewer=request.user), pk=pk)
    try:
        services.collector_revoke(actor=request.user, collector=collector)
        messages.success(request, _("%(name)s was removed from the list.") % {"name": collector.name})
    except DomainError as exc:
        messages.error(request, exc.message)
    return _back(collector.student)


@login_required
@auditing.download("collector_photo", model="safety.Collector")
def collector_photo(request, pk):
    """The adult's photo, only to those who may open the child's pick-up page."""
    collector = get_object_or_404(selectors.collector_list(viewer=request.user), pk=pk)
    _student(request, collector.student_id)
    if not collector.photo:
        raise Http404
    return uploads.photo_response(collector.photo)


@login_required
@require_POST
def delegation_add(request, pk):
    student = _student(request, pk)
    permissions.require(request.user, "delegation.add", student)
    form = DelegationForm(request.POST, prefix="delegation")
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return _back(student)
    try:
        delegation = services.delegation_add(actor=request.user, student=student, **form.cleaned_data)
        messages.success(
            request,
            _("Recorded: %(name)s collects %(child)s on %(date)s.")
            % {"name": delegation.name, "child": student.name, "date": delegation.date.isoformat()},
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    return _back(student)


@login_required
@require_POST
def delegation_cancel(request, pk):
    delegation = get_object_or_404(selectors.delegation_list(viewer=request.user), pk=pk)
    try:
        services.delegation_cancel(actor=request.user, delegation=delegation)
        messages.success(request, _("The delegation was cancelled."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return _back(delegation.student)


@login_required
def walk_home_sign(request, pk):
    """The permission to go home alone: the duties, the route, the period and the typed signature with the tick."""
    student = _student(request, pk)
    paper = not permissions.can(request.user, "walk_home.sign", student)
    permissions.require(request.user, "walk_home.record_paper" if paper else "walk_home.sign", student)
    grade_ok = rules.may_go_home_alone(student.grade)
    today = timezone.localdate()
    latest = rules.walk_home_latest_until(today, selectors.semesters_around(today))
    form = WalkHomeForm(request.POST or None, paper=paper, initial={"valid_from": today, "valid_until": latest})
    if request.method == "POST" and grade_ok and form.is_valid():
        data = form.cleaned_data
        signature = services.WalkHomeSignature(
            signer_name=data["signer_name"], accepted=data["accepted"], ip_address=client_address(request)
        )
        try:
            services.walk_home_sign(
                actor=request.user, student=student, route=data["route"], valid_from=data["valid_from"],
                valid_until=data["valid_until"], leave_by=data["leave_by"], signature=signature, paper=paper,
                paper_reference=data.get("paper_reference", ""),
            )  # fmt: skip
            messages.success(request, _("The permission to go home alone is signed and recorded."))
            return _back(student)
        except DomainError as exc:
            form.add_error(None, exc.message)
    context = {
        "student": student, "form": form, "paper": paper, "grade_ok": grade_ok, "latest": latest,
        "min_grade": rules.MIN_GRADE_TO_GO_HOME_ALONE,
    }  # fmt: skip
    return render(request, "safety/pickups/walk_home_sign.html", context)


@login_required
@require_POST
def walk_home_withdraw(request, pk):
    permission = get_object_or_404(selectors.walk_home_list(viewer=request.user), pk=pk)
    try:
        services.walk_home_withdraw(actor=request.user, permission=permission)
        messages.success(request, _("The permission to go home alone was withdrawn."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return _back(permission.student)


@login_required
@require_POST
def travel_set(request, pk):
    student = _student(request, pk)
    permissions.require(request.user, "travel.set", student)
    form = _travel_form(student, request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return _back(student)
    try:
        services.travel_set(actor=request.user, student=student, **form.cleaned_data)
        messages.success(request, _("The bus or dormitory place is recorded."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return _back(student)


@login_required
@require_POST
def travel_end(request, pk):
    arrangement = get_object_or_404(selectors.travel_list(viewer=request.user), pk=pk)
    permissions.require(request.user, "travel.end", arrangement.student)
    form = TravelEndForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return _back(arrangement.student)
    try:
        services.travel_end(actor=request.user, arrangement=arrangement, last_day=form.cleaned_data["last_day"])
        messages.success(
            request,
            _("The bus or dormitory place ends after %(date)s.") % {"date": form.cleaned_data["last_day"].isoformat()},
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    return _back(arrangement.student)


# ---------------------------------------------------------------- the school


@login_required
def pickup_list(request):
    """The school's 接送安排: counts per class and the children, filtered by class and by what is arranged, so the
    school sees who has nothing but the guardians. The class teacher sees their class."""
    permissions.require(request.user, "pickup.list")
    today = timezone.localdate()
    form = PickupFilterForm(request.GET or None, classes=selectors.pickup_classes(viewer=request.user))
    filters = form.cleaned_data if form.is_valid() else {}
    admin_class = filters.get("admin_class")
    counts, students = selectors.pickup_overview(
        viewer=request.user, date=today, admin_class_id=admin_class and admin_class.pk, show=filters.get("show", "")
    )
    # A whole school is hundreds of children: the list shows once a class or a filter is chosen (a class teacher's
    # one class shows at once).
    show_children = bool(admin_class or filters.get("show")) or len(counts) <= 1
    context = {"form": form, "counts": counts, "students": students, "today": today, "show_children": show_children}
    return render(request, "safety/pickups/pickup_list.html", context)


@login_required
@auditing.download("pickups")
def pickup_export(request):
    """The list as filtered, as an Excel workbook (names and relations; no mobiles, no codes)."""
    permissions.require(request.user, "pickup.list")
    today = timezone.localdate()
    form = PickupFilterForm(request.GET or None, classes=selectors.pickup_classes(viewer=request.user))
    filters = form.cleaned_data if form.is_valid() else {}
    admin_class = filters.get("admin_class")
    _counts, students = selectors.pickup_overview(
        viewer=request.user, date=today, admin_class_id=admin_class and admin_class.pk, show=filters.get("show", "")
    )
    allowed = selectors.allowed_today(student_ids=[s.pk for s in students], date=today)
    header, rows = reports.pickup_rows(students=students, allowed=allowed)
    content = write_xlsx(title=_("Pick-up arrangements"), header=header, rows=rows)
    return xlsx_response(content, f"{_('Pick-up arrangements')}-{today:%Y%m%d}.xlsx")


def _transport_school(request, school_pk=None) -> School:
    schools = selectors.transport_schools(viewer=request.user)
    if not schools:
        permissions.require(request.user, "transport.manage")  # 403 for everyone without the right
    wanted = school_pk or request.GET.get("school")
    school = next((s for s in schools if str(s.pk) == str(wanted)), None) if wanted else schools[0]
    if school is None:
        raise Http404
    permissions.require(request.user, "transport.manage", school)
    return school


@login_required
def transport(request):
    """The school's bus routes (stops, departure, escort, riders today) and dormitories (teacher, boarders today)."""
    school = _transport_school(request)
    today = timezone.localdate()
    staff = services.escort_candidates(school)
    riders = selectors.current_travel(today).filter(student__school=school).select_related("student__admin_class")
    by_route, by_dorm = {}, {}
    for arrangement in riders.order_by("student__admin_class__grade", "student__name"):
        if arrangement.kind == TravelArrangement.Kind.BUS:
            by_route.setdefault(arrangement.bus_route_id, []).append(arrangement)
        else:
            by_dorm.setdefault(arrangement.dormitory_id, []).append(arrangement)
    routes = list(selectors.bus_route_list(viewer=request.user, school=school))
    dorms = list(selectors.dormitory_list(viewer=request.user, school=school))
    for route in routes:
        route.today_riders = by_route.get(route.pk, [])
    for dorm in dorms:
        dorm.today_boarders = by_dorm.get(dorm.pk, [])
    context = {
        "school": school,
        "schools": selectors.transport_schools(viewer=request.user),
        "routes": routes,
        "dormitories": dorms,
        "route_form": BusRouteForm(staff=staff, prefix="route"),
        "dormitory_form": DormitoryForm(staff=staff, prefix="dorm"),
    }
    return render(request, "safety/pickups/transport.html", context)


def _transport_back(school):
    return redirect(f"{reverse('safety:transport')}?school={school.pk}")


@login_required
@require_POST
def bus_route_add(request, school_pk):
    school = _transport_school(request, school_pk)
    form = BusRouteForm(request.POST, staff=services.escort_candidates(school), prefix="route")
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return _transport_back(school)
    try:
        route = services.bus_route_save(actor=request.user, school=school, **form.cleaned_data)
        messages.success(request, _("Bus route %(name)s saved.") % {"name": route.name})
    except DomainError as exc:
        messages.error(request, exc.message)
    return _transport_back(school)


@login_required
def bus_route_edit(request, pk):
    route = get_object_or_404(selectors.bus_route_list(viewer=request.user), pk=pk)
    school = _transport_school(request, route.school_id)
    staff = services.escort_candidates(school)
    initial = {"name": route.name, "stops": route.stops, "departs_at": route.departs_at, "escort": route.escort,
               "active": route.active}  # fmt: skip
    form = BusRouteForm(request.POST or None, staff=staff, initial=initial, prefix="route")
    if request.method == "POST" and form.is_valid():
        try:
            services.bus_route_save(actor=request.user, school=school, route=route, **form.cleaned_data)
            messages.success(request, _("Bus route %(name)s saved.") % {"name": route.name})
            return _transport_back(school)
        except DomainError as exc:
            form.add_error(None, exc.message)
    context = {"form": form, "school": school, "title": route.name, "what": "route"}
    return render(request, "safety/pickups/transport_edit.html", context)


@login_required
@require_POST
def dormitory_add(request, school_pk):
    school = _transport_school(request, school_pk)
    form = DormitoryForm(request.POST, staff=services.escort_candidates(school), prefix="dorm")
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return _transport_back(school)
    try:
        dormitory = services.dormitory_save(actor=request.user, school=school, **form.cleaned_data)
        messages.success(request, _("Dormitory %(name)s saved.") % {"name": dormitory.name})
    except DomainError as exc:
        messages.error(request, exc.message)
    return _transport_back(school)


@login_required
def dormitory_edit(request, pk):
    dormitory = get_object_or_404(selectors.dormitory_list(viewer=request.user), pk=pk)
    school = _transport_school(request, dormitory.school_id)
    form = DormitoryForm(
        request.POST or None, staff=services.escort_candidates(school), prefix="dorm",
        initial={"name": dormitory.name, "teacher": dormitory.teacher},
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            services.dormitory_save(actor=request.user, school=school, dormitory=dormitory, **form.cleaned_data)
            messages.success(request, _("Dormitory %(name)s saved.") % {"name": dormitory.name})
            return _transport_back(school)
        except DomainError as exc:
            form.add_error(None, exc.message)
    context = {"form": form, "school": school, "title": dormitory.name, "what": "dormitory"}
    return render(request, "safety/pickups/transport_edit.html", context)


urlpatterns = [
    path("pickups/", pickup_list, name="pickup-list"),
    path("pickups/export/", pickup_export, name="pickup-export"),
    path("pickups/student/<int:pk>/", pickup_student, name="pickup-student"),
    path("pickups/student/<int:pk>/collectors/add/", collector_add, name="collector-add"),
    path("pickups/collectors/<int:pk>/remove/", collector_revoke, name="collector-revoke"),
    path("pickups/collectors/<int:pk>/photo/", collector_photo, name="collector-photo"),
    path("pickups/student/<int:pk>/delegations/add/", delegation_add, name="delegation-add"),
    path("pickups/delegations/<int:pk>/cancel/", delegation_cancel, name="delegation-cancel"),
    path("pickups/student/<int:pk>/walk-home/", walk_home_sign, name="walk-home-sign"),
    path("pickups/walk-home/<int:pk>/withdraw/", walk_home_withdraw, name="walk-home-withdraw"),
    path("pickups/student/<int:pk>/travel/", travel_set, name="travel-set"),
    path("pickups/travel/<int:pk>/end/", travel_end, name="travel-end"),
    path("pickups/transport/", transport, name="transport"),
    path("pickups/transport/<int:school_pk>/routes/add/", bus_route_add, name="bus-route-add"),
    path("pickups/transport/routes/<int:pk>/", bus_route_edit, name="bus-route-edit"),
    path("pickups/transport/<int:school_pk>/dormitories/add/", dormitory_add, name="dormitory-add"),
    path("pickups/transport/dormitories/<int:pk>/", dormitory_edit, name="dormitory-edit"),
]
