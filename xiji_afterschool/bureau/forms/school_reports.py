"""Forms of the school reports (直报): opening a window, the township filter, and a report's figures."""

from django import forms
from django.utils.translation import gettext_lazy as _

from schools.models import SchoolYear, Township
from xiji_afterschool.forms import DATE_WIDGET, ModelChoice

from ..models import ReportWindow
from ..models.school_reports import FIGURES


class WindowOpenForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=ReportWindow.Kind.choices)
    school_year = ModelChoice(label=_("School year"), queryset=SchoolYear.objects.order_by("-start_date"))
    title = forms.CharField(label=_("Title"), max_length=80)
    period_start = forms.DateField(label=_("Period from"), widget=DATE_WIDGET)
    period_end = forms.DateField(label=_("Period to"), widget=DATE_WIDGET)
    deadline = forms.DateField(label=_("Deadline"), widget=DATE_WIDGET)
    late_until = forms.DateField(
        label=_("Late reports accepted until"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("Leave empty to accept nothing after the deadline."),
    )


class TownshipFilterForm(forms.Form):
    township = ModelChoice(
        label=_("Township"), queryset=Township.objects.all(), required=False, empty_label=_("All townships")
    )


class FiguresForm(forms.Form):
    """One reported value and one reason per figure of the report (the computed value is shown beside it)."""

    def __init__(self, *args, figures=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.figure_names, self.figures = [], list(figures)
        for figure in self.figures:
            self.figure_names.append(figure.name)
            self.fields[f"{figure.name}"] = forms.DecimalField(
                label=FIGURES[figure.name], required=False, min_value=0, max_digits=14, decimal_places=2,
                initial=figure.reported,
            )  # fmt: skip
            self.fields[f"{figure.name}__reason"] = forms.CharField(
                label=_("Reason"), required=False, max_length=500, initial=figure.reason
            )

    def rows(self):
        """(figure, value field, reason field) per figure, in order, for the template."""
        return [(figure, self[figure.name], self[f"{figure.name}__reason"]) for figure in self.figures]

    def values(self) -> dict:
        return {
            name: {"reported": self.cleaned_data.get(name), "reason": self.cleaned_data.get(f"{name}__reason", "")}
            for name in self.figure_names
        }
