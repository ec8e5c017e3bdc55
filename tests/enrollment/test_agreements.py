"""The voluntary service agreement (R13): versioned texts published by the school, re-signing when a new text comes
out (old agreements never change), declining as a recorded choice, and the agreement as a Chinese PDF."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from enrollment.models import Agreement, AgreementText, Application, ApplicationEvent
from enrollment.services import agreements as services
from enrollment.services.agreements import Signature

from ..access.parents import agreement_text, signed_application
from ..conftest import has_cjk_font, messages_of, pdf_text_and_fonts

pytestmark = pytest.mark.usefixtures("english", "english_pages")

S = Application.Status
TEXTS = reverse("enrollment:agreement-text-list")
SIGNATURE = Signature(signer_name="马文清", relation="father", ip_address="10.1.2.3", user_agent="test")
BODY_V2 = "第二版：服务时间调整为16:30至18:30，其余条款不变。" * 3


@pytest.fixture
def w(world):
    world.school_year.application_deadline = world.school_year.end_date
    world.school_year.save()
    return world


def publish_url(school):
    return reverse("enrollment:agreement-text-publish", args=[school.pk])


def publish(w, body=BODY_V2):
    return services.agreement_text_publish(
        actor=w.school_admin, school=w.school_a, school_year=w.school_year, body=body
    )


# ---------------------------------------------------------------- publishing texts


def test_default_text_covers_the_county_plan_and_data_consent(world):
    text = services.default_agreement_text(school=world.school_a)
    for words in ("Voluntary", "Free of charge", "county finance", "Times", "Safety", "Pick-up", "school's duties",
                  "family's duties", "withdraw at any time", "personal data", "consents"):  # fmt: skip
        assert words in text, words
    assert "甲乡中心小学" in text


def test_school_admin_publishes_versions_one_after_another(w, client):
    client.force_login(w.school_admin)
    page = client.get(TEXTS).content.decode()
    assert "No agreement is published yet" in page and "personal data" in page, "the default text is offered"
    response = client.post(publish_url(w.school_a), {"body": services.default_agreement_text(school=w.school_a)})
    assert response["Location"] == TEXTS and "Version 1 published" in " ".join(messages_of(response))
    client.post(publish_url(w.school_a), {"body": BODY_V2})
    texts = AgreementText.objects.filter(school=w.school_a, school_year=w.school_year).order_by("version")
    assert [(t.version, t.published_by) for t in texts] == [(1, w.school_admin), (2, w.school_admin)]
    assert texts[1].body == BODY_V2.strip()
    page = client.get(TEXTS).content.decode()
    assert "Parents sign version 2" in page and "第二版" in page


@pytest.mark.parametrize("body, message", [("", "This field is required"), ("太短", "too short")])
def test_an_empty_or_too_short_text_is_refused(w, client, body, message):
    client.force_login(w.school_admin)
    response = client.post(publish_url(w.school_a), {"body": body})
    assert response.status_code == 302 and message in " ".join(messages_of(response))
    assert AgreementText.objects.count() == 0
    with pytest.raises(Exception, match="empty"):
        services.agreement_text_publish(actor=w.school_admin, school=w.school_a, school_year=w.school_year, body=" ")


def test_only_the_schools_admin_publishes(w, client):
    for actor in (w.other_school_admin, w.class_teacher, w.parent, w.bureau, w.township):
        with pytest.raises(PermissionDenied):
            services.agreement_text_publish(actor=actor, school=w.school_a, school_year=w.school_year, body=BODY_V2)
    client.force_login(w.other_school_admin)
    assert client.post(publish_url(w.school_a), {"body": BODY_V2}).status_code == 404
    page = client.get(TEXTS).content.decode()
    assert "乙乡中心小学" in page and "甲乡中心小学" not in page
    assert AgreementText.objects.count() == 0


def test_the_school_sees_how_many_families_must_sign_again(w, client):
    signed_application(w)
    signed_application(w, student=w.other_child, parent=w.other_parent)
    withdrawn = signed_application(w, S.WITHDRAWN, student=w.child_a2)
    assert withdrawn.status == S.WITHDRAWN
    publish(w)
    client.force_login(w.school_admin)
    assert "2 families signed an earlier version" in client.get(TEXTS).content.decode()


# ---------------------------------------------------------------- re-signing


def resign_url(app):
    return reverse("enrollment:agreement-resign", args=[app.pk])


def test_parent_signs_the_new_text_and_the_old_agreement_stays_as_it_was(w, client):
    app = signed_application(w)
    old = app.agreement
    old_values = Agreement.objects.filter(pk=old.pk).values().get()
    publish(w)
    client.force_login(w.parent)
    page = client.get(resign_url(app)).content.decode()
    assert "第二版" in page and "You signed version 1" in page
    response = client.post(
        resign_url(app), {"text_version": 2, "signer_name": "马文清", "relation": "father", "consent": "on"},
        HTTP_USER_AGENT="Phone", REMOTE_ADDR="192.0.2.7",
    )  # fmt: skip
    assert response["Location"] == reverse("enrollment:application-detail", args=[app.pk])
    app.refresh_from_db()
    new = app.agreement
    assert new.pk != old.pk and new.text.version == 2 and new.decision == Agreement.Decision.SIGNED and new.consent
    assert (new.ip_address, new.user_agent, new.signed_by) == ("192.0.2.7", "Phone", w.parent)
    assert Agreement.objects.filter(pk=old.pk).values().get() == old_values, "a signed agreement never changes"
    assert app.status == S.SUBMITTED
    event = app.events.get()
    assert (event.action, event.from_status, event.to_status, event.actor) == (
        "resign",
        S.SUBMITTED,
        S.SUBMITTED,
        w.parent,
    )
    # Nothing left to sign.
    assert client.get(resign_url(app))["Location"] == reverse("enrollment:application-detail", args=[app.pk])
    assert "Please read and sign it again" not in client.get(reverse("enrollment:parent-home")).content.decode()


def test_resigning_an_outdated_text_writes_nothing(w, client):
    app = signed_application(w)
    publish(w)
    publish(w, body="第三版协议。" * 10)  # published while the parent was reading version 2
    before = (Agreement.objects.count(), ApplicationEvent.objects.count())
    client.force_login(w.parent)
    response = client.post(
        resign_url(app), {"text_version": 2, "signer_name": "马文清", "relation": "father", "consent": "on"}
    )
    assert "published a new version" in " ".join(messages_of(response))
    assert (Agreement.objects.count(), ApplicationEvent.objects.count()) == before
    app.refresh_from_db()
    assert app.agreement.text.version == 1


def test_resigning_needs_consent_and_is_only_for_the_parent_of_a_live_application(w, client):
    app = signed_application(w)
    publish(w)
    client.force_login(w.parent)
    response = client.post(resign_url(app), {"text_version": 2, "signer_name": "马文清", "relation": "father"})
    assert response.status_code == 200 and "tick the box" in response.content.decode()
    for actor in (w.class_teacher, w.school_admin):
        with pytest.raises(PermissionDenied):
            services.agreement_resign(actor=actor, application=app, text_version=2, signature=SIGNATURE)
    Application.objects.filter(pk=app.pk).update(status=S.WITHDRAWN)
    with pytest.raises(Exception, match="withdrawn"):
        services.agreement_resign(actor=w.parent, application=app, text_version=2, signature=SIGNATURE)
    assert Agreement.objects.count() == 1


# ---------------------------------------------------------------- declining


def apply_url(w):
    return reverse("enrollment:application-create", args=[w.child.pk])


def test_declining_is_a_visible_choice_recorded_without_consent_or_application(w, client):
    agreement_text(w)
    client.force_login(w.parent)
    page = client.get(apply_url(w)).content.decode()
    assert "I do not want after-school service for 马小明" in page
    page = client.post(apply_url(w), {"step": "decline"}).content.decode()
    assert "Not taking part" in page and "自愿服务协议书" in page
    response = client.post(
        apply_url(w), {"step": "decline_confirm", "text_version": 1, "signer_name": "马文清", "relation": "father"}
    )
    assert response["Location"] == reverse("enrollment:parent-home")
    agreement = Agreement.objects.get()
    assert (agreement.decision, agreement.consent, agreement.signer_name) == (
        Agreement.Decision.DECLINED,
        False,
        "马文清",
    )
    assert Application.objects.count() == 0
    assert "You chose not to take part" in client.get(reverse("enrollment:parent-home")).content.decode()


def test_declining_from_the_signing_screen(w, client):
    agreement_text(w)
    client.force_login(w.parent)
    client.post(
        apply_url(w),
        {"step": "decline_confirm", "text_version": 1, "signer_name": "马文清", "relation": "father", "consent": ""},
    )
    assert Agreement.objects.get().decision == Agreement.Decision.DECLINED


def test_declining_needs_a_name_and_is_refused_with_a_live_application(w, client):
    agreement_text(w)
    client.force_login(w.parent)
    response = client.post(apply_url(w), {"step": "decline_confirm", "text_version": 1, "relation": "father"})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    assert Agreement.objects.count() == 0
    signed_application(w)
    with pytest.raises(Exception, match="already has an application"):
        services.agreement_decline(
            actor=w.parent, student=w.child, school_year=w.school_year, text_version=1, signature=SIGNATURE
        )
    assert Agreement.objects.filter(decision=Agreement.Decision.DECLINED).count() == 0


# ---------------------------------------------------------------- the PDF


def test_agreement_pdf_has_the_child_the_text_the_signer_and_time_in_an_embedded_cjk_font(
    w, client, tmp_path, settings
):
    text = agreement_text(w)
    AgreementText.objects.filter(pk=text.pk).update(
        body="一、家长自愿参加课后服务。\n\n二、课后服务免费，由县财政承担。"
    )
    app = signed_application(w)
    client.force_login(w.parent)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"  # the document in the family's language
    response = client.get(reverse("enrollment:agreement-pdf", args=[app.agreement_id]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    pdf_text, fonts = pdf_text_and_fonts(response.content, tmp_path, "agreement.pdf")
    assert "马小明" in pdf_text and "甲乡中心小学" in pdf_text
    assert "一、家长自愿参加课后服务。" in pdf_text and "二、课后服务免费，由县财政承担。" in pdf_text
    assert "马文清" in pdf_text
    created = timezone.localtime(app.agreement.created_at)
    assert f"{created.year}年{created.month}月{created.day}日" in pdf_text
    assert has_cjk_font(fonts)
    assert "emb" in fonts and " yes " in fonts


def test_agreement_pdf_of_another_family_is_not_found(w, client):
    theirs = signed_application(w, student=w.other_child, parent=w.other_parent)
    for actor in (w.parent, w.township, w.bureau, w.other_school_admin):
        client.force_login(actor)
        assert client.get(reverse("enrollment:agreement-pdf", args=[theirs.agreement_id])).status_code == 404
