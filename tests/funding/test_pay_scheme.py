"""The school's teacher pay scheme (R27): writing it, HR's review, versions; and its pages."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from funding.models import PayScheme, PaySchemeEvent
from funding.services import pay as services
from xiji_afterschool.errors import DomainError

ST = PayScheme.Status


GOOD = {
    "weight_responsible": Decimal("1.00"),
    "weight_substitute": Decimal("1.20"),
    "weight_assistant": Decimal("0.50"),
    "performance_min": Decimal("0.80"),
    "performance_max": Decimal("1.20"),
    "assessment": "学生满意度与教学常规检查各占一半",
}


def _save(world, **changes):
    return services.pay_scheme_save(
        actor=world.school_admin, school=world.school_a, school_year=world.school_year, cleaned_data={**GOOD, **changes}
    )


def test_first_save_creates_version_one_and_edits_keep_it(world):
    scheme = _save(world)
    assert (scheme.version, scheme.status, scheme.created_by) == (1, ST.DRAFT, world.school_admin)
    assert scheme.weight_substitute == Decimal("1.20")
    again = _save(world, weight_assistant=Decimal("0.60"))
    assert again.pk == scheme.pk and again.version == 1
    assert PayScheme.objects.get(pk=scheme.pk).weight_assistant == Decimal("0.60")


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"weight_responsible": Decimal("0.00")}, "more than 0 and at most 3.00"),
        ({"weight_substitute": Decimal("-1.00")}, "more than 0 and at most 3.00"),
        ({"weight_assistant": Decimal("3.01")}, "more than 0 and at most 3.00"),
        ({"weight_assistant": Decimal("0.505")}, "at most two decimal places"),
        ({"weight_responsible": "abc"}, "as a number"),
        ({"weight_responsible": None}, "as a number"),
        ({"performance_min": Decimal("0.49")}, "county's bounds"),
        ({"performance_max": Decimal("1.51")}, "county's bounds"),
        ({"performance_min": Decimal("1.05")}, "must contain 1.00"),
        ({"performance_max": Decimal("0.95")}, "must contain 1.00"),
        ({"performance_min": Decimal("0.805")}, "at most two decimal places"),
    ],
)
def test_scheme_values_outside_the_rules_are_refused(world, english, changes, message):
    with pytest.raises(DomainError, match=message):
        _save(world, **changes)
    assert not PayScheme.objects.exists()


def test_the_county_bounds_themselves_are_allowed(world):
    scheme = _save(world, performance_min=Decimal("0.50"), performance_max=Decimal("1.50"), weight_responsible="3.00")
    assert (scheme.performance_min, scheme.performance_max, scheme.weight_responsible) == (
        Decimal("0.50"),
        Decimal("1.50"),
        Decimal("3.00"),
    )


def test_only_the_schools_own_admin_writes_the_scheme(world):
    for actor in (world.other_school_admin, world.hr, world.bureau, world.service_teacher):
        with pytest.raises(PermissionDenied):
            services.pay_scheme_save(
                actor=actor, school=world.school_a, school_year=world.school_year, cleaned_data=GOOD
            )
    assert not PayScheme.objects.exists()


def test_submit_needs_the_assessment(world, english):
    scheme = _save(world, assessment="   ")
    with pytest.raises(DomainError, match="how performance is assessed"):
        services.pay_scheme_submit(actor=world.school_admin, scheme=scheme)
    scheme.refresh_from_db()
    assert scheme.status == ST.DRAFT and not scheme.events.exists()


def test_hr_approves_and_an_edit_after_approval_makes_version_two(world):
    scheme = _save(world)
    services.pay_scheme_submit(actor=world.school_admin, scheme=scheme, note="请审核")
    assert (scheme.status, scheme.submitted_by) == (ST.SUBMITTED, world.school_admin)
    services.pay_scheme_approve(actor=world.hr, scheme=scheme, note="同意")
    scheme.refresh_from_db()
    assert (scheme.status, scheme.reviewed_by) == (ST.APPROVED, world.hr) and scheme.reviewed_at
    events = list(scheme.events.values_list("action", "from_status", "to_status", "actor", "note"))
    assert events == [
        ("submit", "draft", "submitted", world.school_admin.pk, "请审核"),
        ("approve", "submitted", "approved", world.hr.pk, "同意"),
    ]

    v2 = _save(world, weight_responsible=Decimal("1.50"))
    assert (v2.version, v2.status) == (2, ST.DRAFT) and v2.pk != scheme.pk
    scheme.refresh_from_db()
    assert scheme.weight_responsible == Decimal("1.00") and scheme.status == ST.APPROVED  # v1 never changes
    assert services.scheme_in_force(school=world.school_a, school_year=world.school_year) == scheme
    services.pay_scheme_submit(actor=world.school_admin, scheme=v2)
    services.pay_scheme_approve(actor=world.hr, scheme=v2)
    assert services.scheme_in_force(school=world.school_a, school_year=world.school_year) == v2


def test_an_edit_while_submitted_starts_the_next_version_and_the_old_one_cannot_be_resubmitted(world, english):
    scheme = _save(world)
    services.pay_scheme_submit(actor=world.school_admin, scheme=scheme)
    v2 = _save(world, weight_assistant=Decimal("0.70"))
    assert v2.version == 2
    services.pay_scheme_return(actor=world.hr, scheme=scheme, note="请说明助教权重")
    with pytest.raises(DomainError, match="Version 2 of this scheme exists"):
        services.pay_scheme_submit(actor=world.school_admin, scheme=scheme)


def test_hr_returns_with_a_reason_and_the_school_resubmits(world, english):
    scheme = _save(world)
    services.pay_scheme_submit(actor=world.school_admin, scheme=scheme)
    with pytest.raises(DomainError, match="needs a comment"):
        services.pay_scheme_return(actor=world.hr, scheme=scheme, note="  ")
    scheme.refresh_from_db()
    assert scheme.status == ST.SUBMITTED
    services.pay_scheme_return(actor=world.hr, scheme=scheme, note="助教权重过低")
    assert scheme.status == ST.RETURNED and scheme.reviewed_by == world.hr
    edited = _save(world, weight_assistant=Decimal("0.80"))
    assert edited.pk == scheme.pk  # a returned scheme is edited in place
    services.pay_scheme_submit(actor=world.school_admin, scheme=edited)
    assert edited.status == ST.SUBMITTED


def test_wrong_state_and_wrong_role_are_refused(world, english):
    scheme = _save(world)
    with pytest.raises(DomainError, match="cannot be done now"):
        services.pay_scheme_approve(actor=world.hr, scheme=scheme)
    with pytest.raises(DomainError, match="cannot be done now"):
        services.pay_scheme_return(actor=world.hr, scheme=scheme, note="x")
    services.pay_scheme_submit(actor=world.school_admin, scheme=scheme)
    with pytest.raises(DomainError, match="cannot be done now"):
        services.pay_scheme_submit(actor=world.school_admin, scheme=scheme)
    for actor in (world.school_admin, world.bureau, world.auditor, world.finance):
        with pytest.raises(PermissionDenied):
            services.pay_scheme_approve(actor=actor, scheme=scheme)
    with pytest.raises(PermissionDenied):
        services.pay_scheme_submit(actor=world.hr, scheme=scheme)
    services.pay_scheme_approve(actor=world.hr, scheme=scheme)
    with pytest.raises(DomainError, match="cannot be done now"):
        services.pay_scheme_return(actor=world.hr, scheme=scheme, note="晚了")
    assert PaySchemeEvent.objects.count() == 2


# ---------------------------------------------------------------- pages


def _form(**changes):
    data = {**GOOD, **changes}
    return {k: str(v) for k, v in data.items()}


def test_edit_page_saves_and_refuses_bad_input_without_writing(client, world, english):
    client.force_login(world.school_admin)
    url = reverse("funding:pay-scheme-edit", args=[world.school_a.pk, world.school_year.pk])
    assert client.get(url).status_code == 200
    for bad in (
        {"weight_responsible": "-1"},
        {"weight_responsible": "1.005"},
        {"weight_assistant": "4"},
        {"performance_min": "0.3"},
        {"performance_min": "1.1"},
        {"weight_substitute": "abc"},
    ):
        response = client.post(url, _form(**bad))
        assert response.status_code == 200, bad
        assert response.context["form"].errors, bad
    assert not PayScheme.objects.exists()
    response = client.post(url, _form())
    assert response.status_code == 302
    assert PayScheme.objects.get().weight_substitute == Decimal("1.20")


def test_detail_page_buttons_by_role_and_hr_lands_on_the_submitted_version(client, world):
    scheme = _save(world)
    services.pay_scheme_submit(actor=world.school_admin, scheme=scheme)
    v2 = _save(world, weight_assistant=Decimal("0.70"))
    url = reverse("funding:pay-scheme-detail", args=[world.school_a.pk, world.school_year.pk])
    client.force_login(world.school_admin)
    response = client.get(url)
    assert response.context["scheme"] == v2 and response.context["can_submit"] and not response.context["can_review"]
    client.force_login(world.hr)
    response = client.get(url)
    assert response.context["scheme"] == scheme and response.context["can_review"]
    assert not response.context["can_edit"] and not response.context["can_submit"]
    assert client.get(url + "?version=2").context["scheme"] == v2
    client.force_login(world.auditor)
    response = client.get(url)
    assert not response.context["can_review"] and not response.context["can_edit"]


def test_review_views(client, world, english):
    scheme = _save(world)
    client.force_login(world.school_admin)
    client.post(reverse("funding:pay-scheme-submit", args=[scheme.pk]), {"note": ""})
    scheme.refresh_from_db()
    assert scheme.status == ST.SUBMITTED
    client.force_login(world.hr)
    response = client.post(reverse("funding:pay-scheme-return", args=[scheme.pk]), {"note": ""}, follow=True)
    assert "This field is required" in response.content.decode()
    scheme.refresh_from_db()
    assert scheme.status == ST.SUBMITTED
    client.post(reverse("funding:pay-scheme-approve", args=[scheme.pk]), {"note": "同意"})
    scheme.refresh_from_db()
    assert scheme.status == ST.APPROVED
    # A crafted second approval: a clear message, nothing written.
    response = client.post(reverse("funding:pay-scheme-approve", args=[scheme.pk]), {"note": ""}, follow=True)
    assert "cannot be done now" in response.content.decode()
    assert scheme.events.count() == 2


def test_list_is_hrs_queue_and_the_schools_own(client, world):
    mine = _save(world)
    services.pay_scheme_submit(actor=world.school_admin, scheme=mine)
    other = services.pay_scheme_save(
        actor=world.other_school_admin, school=world.school_b, school_year=world.school_year, cleaned_data=GOOD
    )
    url = reverse("funding:pay-scheme-list")
    client.force_login(world.hr)
    assert list(client.get(url).context["schemes"]) == [mine]  # default: awaiting review
    assert set(client.get(url + "?status=").context["schemes"]) == {mine, other}
    client.force_login(world.school_admin)
    response = client.get(url)
    assert list(response.context["schemes"]) == [mine] and response.context["own_schools"] == [world.school_a]
    client.force_login(world.other_school_admin)
    assert list(client.get(url + "?status=bogus").context["schemes"]) == [other]
