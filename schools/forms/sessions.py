"""Input of the session log and of a substitution (input shape; the service checks the rules)."""

from django import forms
from django.utils.translation import gettext_lazy

from xiji_afterschool.forms import DATE_WIDGET, StaffChoiceField, StaffMultipleChoiceField

from ..models import ServiceClass
from ..selectors import sessions as sessions_selectors


class _ActivityChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} · {obj.get_category_display()}"


class SessionLogForm(forms.Form):
    date = forms.DateField(widget=forms.HiddenInput)
    start_time = forms.TimeField(
        label=gettext_lazy("Start"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    end_time = forms.TimeField(
        label=gettext_lazy("End"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    class_hours = forms.DecimalField(
        label=gettext_lazy("Class-hours"),
        max_digits=3,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
    )
    activity_category = forms.ChoiceField(label=gettext_lazy("Activity"))
    activity = _ActivityChoice(label=gettext_lazy("Activity of the school"), queryset=None, required=False)
    content_note = forms.CharField(
        label=gettext_lazy("What was done"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 300}),
    )
    assistants = StaffMultipleChoiceField(
        label=gettext_lazy("Assisting teachers and volunteers"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, service_class: ServiceClass, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity_category"].choices = sessions_selectors.category_choices(service_class)
        self.fields["activity"].queryset = sessions_selectors.school_activities(school=service_class.school)
        self.fields["assistants"].queryset = sessions_selectors.school_staff(school=service_class.school).exclude(
            pk=actor.pk
        )


class SubstitutionForm(forms.Form):
    date = forms.DateField(label=gettext_lazy("Date"), widget=DATE_WIDGET)
    substitute = StaffChoiceField(label=gettext_lazy("Substitute"), queryset=None)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=120)

    def __init__(self, *args, service_class: ServiceClass, **kwargs):
        super().__init__(*args, **kwargs)
        staff = sessions_selectors.school_staff(school=service_class.school)
        if service_class.teacher_id:
            staff = staff.exclude(pk=service_class.teacher_id)
        self.fields["substitute"].queryset = staff
