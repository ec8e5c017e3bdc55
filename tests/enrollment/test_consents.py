"""The guardian's separate consent (issue #14, item 2): its own versioned text and act, required to apply (and the
sensitive one for disability or hardship), given online on the page where the parent applies and signs or entered
from paper with its scan, withdrawn by the guardian — which stops the processing it covered."""

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone

from enrollment.models import Application, Consent, ConsentEvent, ConsentText
from enrollment.selectors import consents as selectors
from enrollment.selectors import placement as placement_selectors
from enrollment.services import agreements as agreement_services
from enrollment.services import applications as applications_services
from enrollment.services import consents as services
from enrollment.services.agreements import Signature
from schools.models import AuditRecord
from xiji_afterschool.errors import DomainError
from xiji_afterschool.workflow import TransitionNotAllowed

from ..access.parents import signed_application
from ..conftest import messages_of
from ..factories_enrollment import application, scan
from .test_applications import app_data, sign_data

pytestmark = pytest.mark.usefixtures("english", "english_pages")

S = Application.Status


@pytest.fixture
def w(world):
    """Applications open; school_a's agreement text v1 published."""
    world.school_year.application_deadline = world.school_year.end_date
    world.school_year.save()
    world.text = agreement_services.agreement_text_publish(
        actor=world.school_admin, school=world.school_a, school_year=world.school_year, body="一、家长自愿参加。" * 5
    )
    return world


def give(w, kinds=("personal",), *, parent=None, student=None):
    return services.consents_give(
        actor=parent or w.parent, student=student or w.child, versions={k: 1 for k in kinds}, relation="father",
        ip_address="10.1.2.3",
    )  # fmt: skip


def apply_url(w):
    return reverse("enrollment:application-create", args=[w.child.pk])


# ---------------------------------------------------------------- the texts and the act


def test_the_seeded_texts_are_separate_versioned_and_in_plain_chinese(db):
    texts = {t.kind: t for t in ConsentText.objects.filter(version=1)}
    assert set(texts) == {"personal", "sensitive"}
    assert "第二十八条" in texts["personal"].body and "撤回" in texts["personal"].body
    assert "残疾" in texts["sensitive"].body and "经济困难" in texts["sensitive"].body
    assert selectors.current_text("personal") == texts["personal"]


def test_giving_records_the_version_time_person_relation_and_channel(w):
    personal, sensitive = give(w, ("personal", "sensitive"))
    assert (personal.kind, personal.text.version, personal.status, personal.channel) == (
        "personal",
        1,
        "given",
        "online",
    )
    assert (personal.given_by, personal.signer_name, personal.relation, personal.ip_address) == (
        w.parent, "马文清", "father", "10.1.2.3",
    )  # fmt: skip
    assert personal.given_at is not None and sensitive.kind == "sensitive"
    assert list(personal.events.values_list("action", "to_status", "actor")) == [("give", "given", w.parent.pk)]
    assert AuditRecord.objects.filter(action="workflow.consent.give").count() == 2
    # Two separate acts: giving the same kind again while it stands is refused, nothing more is written.
    with pytest.raises(DomainError, match="already given"):
        give(w)
    assert Consent.objects.count() == 2


def test_a_newer_text_published_while_reading_is_refused(w):
    ConsentText.objects.create(
        kind="personal", version=2, title="新版", body="新版同意书", effective_from=timezone.localdate()
    )
    with pytest.raises(DomainError, match="changed while you were reading"):
        give(w)  # the guardian read version 1
    assert not Consent.objects.exists()
    assert (
        services.consents_give(actor=w.parent, student=w.child, versions={"personal": 2}, relation="father")[
            0
        ].text.version
        == 2
    )


def test_another_parent_cannot_give_or_withdraw_for_a_child_not_theirs(w, client):
    consent = give(w)[0]
    with pytest.raises(PermissionDenied):
        give(w, parent=w.other_parent)
    client.force_login(w.other_parent)
    assert client.get(reverse("enrollment:consent-withdraw", args=[consent.pk])).status_code == 404
    assert client.post(reverse("enrollment:consent-withdraw", args=[consent.pk]), {"confirm": "on"}).status_code == 404
    assert (
        client.post(reverse("enrollment:consent-give", args=[w.child.pk]), {"consent-personal": "on"}).status_code
        == 404
    )
    consent.refresh_from_db()
    assert consent.is_live


# ---------------------------------------------------------------- required for applying


def test_applying_online_requires_the_personal_consent(w, client):
    client.force_login(w.parent)
    page = client.post(apply_url(w), {**app_data(), "step": "details"}).content.decode()
    # Two separate, unticked boxes, each text to unfold.
    assert 'name="consent-personal"' in page and 'name="consent-sensitive"' in page
    assert "checked" not in page.split('name="consent-personal"')[1].split(">")[0]
    assert page.count("<details") >= 2 and "儿童个人信息处理同意书" in page
    unticked = {**app_data(economic_hardship=""), **sign_data(1), "consent-personal": "", "consent-sensitive": ""}
    response = client.post(apply_url(w), {**unticked, "step": "sign"})
    assert response.status_code == 200
    assert "consent to the processing of your child&#x27;s personal information" in response.content.decode()
    assert not Application.objects.exists() and not Consent.objects.exists()
    # The service refuses too, whatever the form said.
    with pytest.raises(DomainError, match="must first give the consent"):
        applications_services.application_submit(
            actor=w.parent, student=w.child, data={**_service_data()}, text_version=1,
            signature=Signature("马文清", "father"),
        )  # fmt: skip
    # Ticked: the consent and the application are written together.
    client.post(apply_url(w), {**unticked, "consent-personal": "on", "step": "sign"})
    app = Application.objects.get()
    consent = Consent.objects.get()
    assert (consent.kind, consent.student, consent.given_by, consent.channel) == (
        "personal",
        w.child,
        w.parent,
        "online",
    )
    assert app.status == S.SUBMITTED


def _service_data(**overrides):
    data = {
        "service_kind": "regular", "extended_reason": "", "pickup_difficulty": "父母都在外打工", "dual_working": True,
        "migrant_child": False, "disability": False, "economic_hardship": False, "priority_note": "",
        "preferences": ["homework"], "pickup_person": "马爷爷", "pickup_relation": "grandfather",
        "pickup_mobile": "13909540002",
    }  # fmt: skip
    data.update(overrides)
    return data


def test_disability_or_hardship_needs_the_separate_sensitive_consent(w, client):
    client.force_login(w.parent)
    data = {**app_data(disability="on"), **sign_data(1), "consent-sensitive": "", "step": "sign"}
    response = client.post(apply_url(w), data)
    assert response.status_code == 200 and "You ticked disability or economic hardship" in response.content.decode()
    assert not Application.objects.exists() and not Consent.objects.exists(), "nothing half-written"
    give(w)
    with pytest.raises(DomainError, match="separate consent to sensitive information"):
        applications_services.application_submit(
            actor=w.parent, student=w.child, data=_service_data(disability=True), text_version=1,
            signature=Signature("马文清", "father"),
        )  # fmt: skip
    client.post(apply_url(w), {**data, "consent-sensitive": "on"})
    app = Application.objects.get()
    assert app.disability and selectors.is_live(w.child, "sensitive")


def test_the_consent_rolls_back_when_the_application_is_refused(w, client):
    client.force_login(w.parent)
    # After the deadline a late application is taken (#15 §2); the service refuses instead a second live application,
    # sent meanwhile from another screen: the consents given with the refused one must not stay.
    application(w.child)
    consents_before, applications_before = Consent.objects.count(), Application.objects.count()
    client.post(apply_url(w), {**app_data(), **sign_data(1), "step": "sign"})
    assert (Consent.objects.count(), Application.objects.count()) == (consents_before, applications_before)


# ---------------------------------------------------------------- withdrawal stops the processing


def test_withdrawing_the_sensitive_consent_clears_the_items_and_priority_stops_using_them(w, client):
    app = application(w.child, status=S.APPROVED, disability=True, economic_hardship=True, priority_note="低保户")
    assert app.priority_groups == 2
    sensitive = Consent.objects.get(student=w.child, kind="sensitive")
    client.force_login(w.parent)
    page = client.get(reverse("enrollment:consent-withdraw", args=[sensitive.pk])).content.decode()
    # Said plainly before the guardian confirms.
    assert "no longer used to give your child priority" in page and "application and place" in page
    assert "child with a disability" in page
    assert Consent.objects.get(pk=sensitive.pk).is_live, "a GET changes nothing"
    response = client.post(
        reverse("enrollment:consent-withdraw", args=[sensitive.pk]), {"confirm": "on", "note": "不想提供"}
    )
    assert response.status_code == 302 and "The consent is withdrawn." in messages_of(response)
    sensitive.refresh_from_db()
    app.refresh_from_db()
    assert (sensitive.status, sensitive.withdrawn_by) == ("withdrawn", w.parent) and sensitive.withdrawn_at
    assert (app.disability, app.economic_hardship, app.priority_note, app.status) == (False, False, "", S.APPROVED)
    assert app.events.last().action == "sensitive_cleared"
    assert list(sensitive.events.values_list("action", "from_status", "to_status")) == [
        ("record_paper", "", "given"), ("withdraw", "given", "withdrawn"),
    ]  # fmt: skip
    assert Consent.objects.get(student=w.child, kind="personal").is_live, "the personal consent stands"


def test_placement_uses_disability_only_under_a_live_sensitive_consent(w):
    app = application(w.child, status=S.APPROVED, disability=True)
    # A flag left without consent (written past the services) is not used for priority.
    Consent.objects.filter(student=w.child, kind="sensitive").update(
        status="withdrawn", withdrawn_at=timezone.now(), withdrawn_by=w.parent
    )
    board = placement_selectors.placement_board(viewer=w.school_admin, school=w.school_a, school_year=w.school_year)
    row = next(a for a, _c in board.suggestion if a.pk == app.pk)
    assert row.disability and row.sensitive_consent is False and row.priority_groups == 0


def test_withdrawing_the_personal_consent_withdraws_the_application_and_the_sensitive_consent(w, client):
    app = application(w.child, status=S.PLACED, economic_hardship=True)
    personal = Consent.objects.get(student=w.child, kind="personal")
    client.force_login(w.parent)
    page = client.get(reverse("enrollment:consent-withdraw", args=[personal.pk])).content.decode()
    assert "stops processing your child's personal information" in page
    assert "is withdrawn today" in page and "separate consent to sensitive information is withdrawn with it" in page
    # Without the confirmation box nothing happens.
    client.post(reverse("enrollment:consent-withdraw", args=[personal.pk]), {})
    assert Consent.objects.get(pk=personal.pk).is_live
    client.post(reverse("enrollment:consent-withdraw", args=[personal.pk]), {"confirm": "on"})
    app.refresh_from_db()
    assert app.status == S.WITHDRAWN and app.withdrawal_effective == timezone.localdate()
    assert not app.economic_hardship
    assert set(Consent.objects.filter(student=w.child).values_list("kind", "status")) == {
        ("personal", "withdrawn"), ("sensitive", "withdrawn"),
    }  # fmt: skip
    assert ConsentEvent.objects.filter(action="withdraw").count() == 2
    # The child's data is no longer processed for the service: a new application needs a new consent.
    with pytest.raises(DomainError, match="must first give the consent"):
        services.require_for_application(student=w.child, data={})
    # Withdrawing twice is refused clearly.
    with pytest.raises(TransitionNotAllowed):
        services.consent_withdraw(actor=w.parent, consent=Consent.objects.get(pk=personal.pk))


def test_the_consent_history_page_shows_each_consent_and_gives_one_again(w, client):
    give(w, ("personal", "sensitive"))
    services.consent_withdraw(actor=w.parent, consent=Consent.objects.get(kind="sensitive"))
    client.force_login(w.parent)
    page = client.get(reverse("enrollment:consent-list")).content.decode()
    assert "马小明" in page and "version 1" in page and "Online" in page and "Withdrawn" in page
    assert page.count("data-withdraw-consent") == 1, "only the live one has a withdraw button"
    assert 'name="consent-sensitive"' in page and 'name="consent-personal"' not in page
    assert reverse("enrollment:consent-list") in client.get(reverse("enrollment:my-data")).content.decode()
    client.post(
        reverse("enrollment:consent-give", args=[w.child.pk]),
        {"consent-sensitive": "on", "consent-sensitive_version": 1},
    )
    assert Consent.objects.filter(kind="sensitive", status="given").count() == 1


def test_withdrawal_appears_in_the_copy_of_my_data(w, client):
    give(w, ("personal", "sensitive"))
    services.consent_withdraw(actor=w.parent, consent=Consent.objects.get(kind="sensitive"))
    client.force_login(w.parent)
    data = json.loads(client.get(reverse("enrollment:my-data-json")).content)
    rows = {r["kind"]: r for r in data["consents"]}
    assert rows["Sensitive personal information"]["status"] == "Withdrawn"
    assert rows["Sensitive personal information"]["withdrawn_at"]
    assert rows["Personal information"]["version"] == 1 and rows["Personal information"]["by_you"] == "Yes"


# ---------------------------------------------------------------- the paper path (代录)


def test_class_teacher_enters_a_paper_consent_with_its_scan(w, client):
    client.force_login(w.class_teacher)
    url = reverse("enrollment:consent-paper", args=[w.child.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"signer_name": "李秀英", "relation": "grandmother", "consent-personal": "on", "consent-scan": scan()}
    )
    assert response.status_code == 302, messages_of(response)
    consent = Consent.objects.get()
    assert (consent.channel, consent.entered_by, consent.given_by, consent.signer_name, consent.relation) == (
        "paper", w.class_teacher, None, "李秀英", "grandmother",
    )  # fmt: skip
    assert consent.scan.name and consent.scan_content_type == "application/pdf"
    assert consent.events.get().action == "record_paper"
    # The parent sees it, and the scan, in their history.
    client.force_login(w.parent)
    assert "Paper form" in client.get(reverse("enrollment:consent-list")).content.decode()
    scan_response = client.get(reverse("enrollment:consent-scan", args=[consent.pk]))
    assert scan_response.status_code == 200 and b"".join(scan_response.streaming_content).startswith(b"%PDF-")


@pytest.mark.parametrize(
    "upload, message",
    [
        (None, "Upload the scan"),
        (lambda: scan("consent.pdf", b"MZ\x90\x00 not a pdf"), "must be a PDF, JPEG or PNG"),
        (lambda: scan("consent.pdf", b""), "empty"),
    ],
)
def test_a_paper_consent_without_a_good_scan_is_refused_without_a_500(w, client, upload, message):
    client.force_login(w.school_admin)
    data = {"signer_name": "李秀英", "relation": "grandmother", "consent-personal": "on"}
    if upload is not None:
        data["consent-scan"] = upload()
    response = client.post(reverse("enrollment:consent-paper", args=[w.child.pk]), data)
    assert response.status_code == 200 and message in " ".join(messages_of(response)) + response.content.decode()
    assert not Consent.objects.exists()


def test_paper_consent_is_for_the_own_class_or_the_school(w, client):
    client.force_login(w.class_teacher)
    url = reverse("enrollment:consent-paper", args=[w.child_a2.pk])
    assert client.post(url, {"consent-personal": "on", "consent-scan": scan()}).status_code == 404
    client.force_login(w.parent)
    assert client.get(reverse("enrollment:consent-paper", args=[w.child.pk])).status_code == 403
    assert not Consent.objects.exists()


def test_the_paper_application_records_the_paper_consent_with_its_scan(w, client):
    from .test_applications import paper_data

    client.force_login(w.class_teacher)
    # Without the scan: a form error, nothing written (first: the event tables are append-only, nothing is undone).
    response = client.post(
        reverse("enrollment:application-enter", args=[w.child.pk]), paper_data(**{"consent-scan": ""})
    )
    assert response.status_code == 200 and "Upload the scan" in response.content.decode()
    assert not Application.objects.exists() and not Consent.objects.exists()
    response = client.post(reverse("enrollment:application-enter", args=[w.child.pk]), paper_data())
    assert response.status_code == 302
    consents = Consent.objects.filter(student=w.child).order_by("kind")
    assert [(c.kind, c.channel, c.signer_name) for c in consents] == [
        ("personal", "paper", "李秀英"), ("sensitive", "paper", "李秀英"),
    ]  # fmt: skip
    assert consents[0].scan.name == consents[1].scan.name, "one signed form, stored once"


# ---------------------------------------------------------------- the school sees whether consents are live


def test_the_review_queue_shows_whether_the_childs_consents_are_live(w, client):
    app = signed_application(w)
    client.force_login(w.class_teacher)
    page = client.get(reverse("enrollment:review-class")).content.decode()
    assert "No consent" in page
    give(w)
    page = client.get(reverse("enrollment:review-class")).content.decode()
    assert "Consent given" in page and app.student.name in page


# ---------------------------------------------------------------- bad input


def test_bad_input_never_fails(w, client):
    consent = give(w)[0]
    client.force_login(w.parent)
    for data in ({"consent-personal": "x" * 5000}, {"consent-sensitive_version": "abc", "consent-sensitive": "on"}, {}):
        response = client.post(reverse("enrollment:consent-give", args=[w.child.pk]), data)
        assert response.status_code == 302
    assert (
        client.post(reverse("enrollment:consent-withdraw", args=[consent.pk]), {"note": "x" * 5000}).status_code == 200
    )
    assert client.get(reverse("enrollment:consent-withdraw", args=[999999])).status_code == 404
    assert client.post(reverse("enrollment:consent-give", args=[999999]), {}).status_code == 404
    assert Consent.objects.get(pk=consent.pk).is_live


# ---------------------------------------------------------------- PostgreSQL: the history is append-only


@pytest.mark.needs_postgres
def test_the_consent_history_refuses_update_and_delete_on_postgres(w):
    give(w)
    event = ConsentEvent.objects.get()
    with pytest.raises(DatabaseError), transaction.atomic():
        ConsentEvent.objects.filter(pk=event.pk).update(note="changed")
    with pytest.raises(DatabaseError), transaction.atomic():
        ConsentEvent.objects.filter(pk=event.pk).delete()
    assert ConsentEvent.objects.get(pk=event.pk).note == ""
