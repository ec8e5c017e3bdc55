"""Input of a service class (组班, R19): input shape only; the service checks the rules (teacher of this school,
capacity, classes, unique name)."""

from django import forms
from django.utils.translation import gettext_lazy, pgettext_lazy

from xiji_afterschool.forms import StaffChoiceField

from ..models import ActivityCategory, AdminClass, Grade, ServiceClass
from ..selectors import classes as classes_selectors
from ..services import classes as classes_services


class ServiceClassForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("thing", "Name"), max_length=40)
    kind = forms.ChoiceField(label=gettext_lazy("Kind of service"), choices=ServiceClass.Kind.choices)
    activity = forms.ChoiceField(label=gettext_lazy("Activity"), choices=ActivityCategory.choices)
    teacher = StaffChoiceField(
        label=gettext_lazy("Responsible teacher"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("Not chosen yet"),
        help_text=gettext_lazy("Exactly one teacher is responsible. A class without one cannot take students."),
    )
    capacity = forms.IntegerField(
        label=gettext_lazy("Capacity"), min_value=classes_services.MIN_CAPACITY, max_value=classes_services.MAX_CAPACITY
    )
    grades = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Whole grades it draws from"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    admin_classes = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Single classes it draws from"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Grades and classes may be mixed. Choose none to take children from the whole school."),
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.school_classes = list(AdminClass.objects.filter(school=school).order_by("grade", "number"))
        self.fields["teacher"].queryset = classes_selectors.eligible_teachers(school=school)
        self.fields["admin_classes"].queryset = AdminClass.objects.filter(school=school).order_by("grade", "number")
        grades = sorted({ac.grade for ac in self.school_classes})
        self.fields["grades"].choices = [(g, Grade(g).label) for g in grades]

    def drawn_classes(self) -> list[AdminClass]:
        """The chosen classes plus every class of the chosen grades."""
        grades = set(self.cleaned_data["grades"])
        chosen = {ac.pk: ac for ac in self.cleaned_data["admin_classes"]}
        chosen.update({ac.pk: ac for ac in self.school_classes if ac.grade in grades})
        return sorted(chosen.values(), key=lambda ac: (ac.grade, ac.number))

    @classmethod
    def initial_for(cls, service_class: ServiceClass, school_classes: list[AdminClass]) -> dict:
        drawn = {ac.pk for ac in service_class.admin_classes.all()}
        per_grade: dict[int, list[int]] = {}
        for ac in school_classes:
            per_grade.setdefault(ac.grade, []).append(ac.pk)
        whole = [g for g, pks in per_grade.items() if set(pks) <= drawn]
        single = [pk for pk in drawn if not any(pk in per_grade[g] for g in whole)]
        return {
            "name": service_class.name,
            "kind": service_class.kind,
            "activity": service_class.activity,
            "teacher": service_class.teacher_id,
            "capacity": service_class.capacity,
            "grades": whole,
            "admin_classes": single,
        }
