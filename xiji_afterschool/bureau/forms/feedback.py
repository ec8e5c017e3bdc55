"""Feedback forms: the public form (anyone, no account), the tracking-code lookup, the handlers' filter."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from schools.models import School
from schools.rules import roster as roster_rules
from xiji_afterschool.forms import ModelChoice, PersonNameField

from ..models import Feedback
from ..rules import feedback as rules


class FeedbackForm(forms.Form):
    sender = forms.ChoiceField(label=pgettext_lazy("feedback", "I am"), choices=Feedback.Sender.choices)
    kind = forms.ChoiceField(
        label=pgettext_lazy("feedback", "Kind"), choices=Feedback.Kind.choices, widget=forms.RadioSelect
    )
    theme = forms.ChoiceField(label=pgettext_lazy("feedback", "About"), choices=Feedback.Theme.choices)
    school = ModelChoice(
        label=_("School (optional)"),
        queryset=School.objects.select_related("township").order_by("township__code", "code"),
        required=False,
        empty_label=_("— not about one school —"),
    )
    text = forms.CharField(label=_("Your message"), widget=forms.Textarea(attrs={"rows": 6}), max_length=2000)
    name = PersonNameField(label=_("Name (optional)"), max_length=40, required=False)
    mobile = forms.CharField(
        label=_("Mobile (optional)"),
        max_length=20,
        required=False,
        help_text=_("Leave name and mobile empty to stay anonymous; keep the tracking code to read the answer."),
    )

    def clean_mobile(self):
        raw = self.cleaned_data["mobile"].strip()
        if not raw:
            return ""
        roster_rules.validate_mobile(raw)
        return roster_rules.normalize_mobile(raw)

    def clean(self):
        data = super().clean()
        # A fee complaint is about fees whatever theme was picked (R37).
        if data.get("kind") == Feedback.Kind.FEE_COMPLAINT:
            data["theme"] = Feedback.Theme.FEES
        return data


class TrackForm(forms.Form):
    code = forms.CharField(label=_("Tracking code"), max_length=24)

    def clean_code(self):
        return rules.normalize_code(self.cleaned_data["code"])


class FeedbackFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=pgettext_lazy("feedback", "Status"), choices=[("", _("All")), *Feedback.Status.choices], required=False
    )
    theme = forms.ChoiceField(
        label=pgettext_lazy("feedback", "Theme"), choices=[("", _("All")), *Feedback.Theme.choices], required=False
    )
    kind = forms.ChoiceField(
        label=pgettext_lazy("feedback", "Kind"), choices=[("", _("All")), *Feedback.Kind.choices], required=False
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=pgettext_lazy("feedback", "Answer"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
    )


class ReferForm(forms.Form):
    note = forms.CharField(
        label=_("What was referred"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=500,
        help_text=_("The letter or reference number sent to the market supervision bureau."),
    )
