"""Input of venues (name, kind, partner, the checks that apply and how often) and of one check (each item passed or
failed, with a note)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from xiji_afterschool.forms import ModelChoice

from ..models import CheckCategory, Venue
from ..rules import venues as rules

PASS, FAIL = "pass", "fail"


class VenueForm(forms.Form):
    """A venue; one "every N days" box per check category (empty: the category does not apply)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=Venue.Kind.choices)
    name = forms.CharField(label=_("Venue name"), max_length=60)
    partner = ModelChoice(label=_("Partner (outside venues)"), queryset=None, required=False)
    active = forms.BooleanField(label=_("In use"), required=False, initial=True)

    def __init__(self, *args, partners, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners
        if editing:
            del self.fields["kind"]  # a venue's kind never changes: its checks were of that kind
        else:
            del self.fields["active"]
        for category, label in CheckCategory.choices:
            self.fields[f"every_{category}"] = forms.IntegerField(
                label=_("%(category)s: every … days") % {"category": label},
                min_value=1,
                max_value=rules.MAX_EVERY_DAYS,
                required=False,
                help_text=_("Default %(days)s; leave empty if it does not apply.")
                % {"days": rules.DEFAULT_EVERY_DAYS[category]},
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": "1"}),
            )

    def schedule(self, kind: str | None = None) -> dict[str, int] | None:
        """{category: days} from the boxes; None when all are empty on a new venue (the kind's defaults)."""
        chosen = {
            c: self.cleaned_data[f"every_{c}"] for c in CheckCategory.values if self.cleaned_data.get(f"every_{c}")
        }
        return chosen or None


class CheckForm(forms.Form):
    """One check: for each item of the category's checklist 合格 / 不合格 and a note (required when it failed)."""

    note = forms.CharField(label=_("Remarks"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, category: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = rules.checklist(category)
        for i, text in enumerate(self.items):
            self.fields[f"item_{i}"] = forms.ChoiceField(
                label=text, choices=[(PASS, _("Passed")), (FAIL, _("Not passed"))], widget=forms.RadioSelect
            )
            self.fields[f"note_{i}"] = forms.CharField(label=_("Note"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        for i, text in enumerate(self.items):
            if data.get(f"item_{i}") == FAIL and not (data.get(f"note_{i}") or "").strip():
                self.add_error(f"note_{i}", _("“%(item)s” failed: say what is wrong.") % {"item": text})
        return data

    def rows(self):
        """(item text, choice field, note field) per item, for the one-screen template."""
        return [(text, self[f"item_{i}"], self[f"note_{i}"]) for i, text in enumerate(self.items)]

    def results(self) -> list[tuple[bool, str]]:
        return [
            (self.cleaned_data[f"item_{i}"] == PASS, self.cleaned_data[f"note_{i}"]) for i in range(len(self.items))
        ]
