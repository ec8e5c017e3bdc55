"""Input of a school's activities and partners."""

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xiji_afterschool.forms import ModelChoice

from ..models import ActivityCategory, Partner


class ActivityForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("thing", "Name"), max_length=60)
    # Only the plan's fifteen categories (R9–R11): a crafted value such as 补课 or 新授 is not a valid choice.
    category = forms.ChoiceField(label=_("Category"), choices=[("", _("Choose a category")), *ActivityCategory.choices])
    partner = ModelChoice(
        label=_("Hosted by a partner"),
        queryset=Partner.objects.none(),
        required=False,
        empty_label=_("No partner: the school runs it"),
    )
    description = forms.CharField(
        label=_("Description"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, partners: QuerySet[Partner], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners


class PartnerForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("thing", "Name"), max_length=60)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=Partner.Kind.choices,
        help_text=_(
            "Subject-type off-campus training institutions (学科类校外培训机构) may not take part in after-school "
            "service."
        ),
    )
    contact = forms.CharField(label=_("Contact person and phone"), max_length=60, required=False)
