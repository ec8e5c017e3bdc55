"""Form parts every app shares: the comment of a decision, a date picker, a person chosen by name, and a person's
name typed in."""

from django import forms
from django.utils.translation import gettext_lazy as _

from schools.rules import roster as roster_rules

NOTE_MAX_LENGTH = 2000
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # copied by each field that uses it


class CommentForm(forms.Form):
    """The optional comment of an approve/return/confirm POST (one form for every workflow)."""

    note = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=NOTE_MAX_LENGTH
    )


def person_label(person) -> str:
    return person.full_name or person.username


CHOOSE = _("Choose…")


class ModelChoice(forms.ModelChoiceField):
    """A choice of one record whose empty choice reads as words (“请选择…”), never Django's “---------”."""

    def __init__(self, *args, empty_label=CHOOSE, **kwargs):
        super().__init__(*args, empty_label=empty_label, **kwargs)


class StaffChoiceField(ModelChoice):
    """One person of a school's staff, shown by full name (username when there is none)."""

    def label_from_instance(self, obj):
        return person_label(obj)


class StaffMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return person_label(obj)


class PersonNameField(forms.CharField):
    """A person's name as typed (a student, guardian, adult, visitor, signer): normalised by the roster's rule
    (NFC, one middle dot, single spaces) and refused if it holds control, direction or zero-width characters."""

    default_validators = [roster_rules.validate_name]

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", roster_rules.NAME_MAX_LENGTH)
        super().__init__(**kwargs)

    def to_python(self, value):
        return roster_rules.normalize_name(super().to_python(value))
