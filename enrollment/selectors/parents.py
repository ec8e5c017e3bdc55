"""Reads of a parent's link to a child."""

from schools.models import (
    Student,
    StudentGuardian,
)


def guardian_relation(*, user, student: Student) -> str:
    """How this account's guardian record is related to the child ("" if not linked): the default on signing."""
    links = StudentGuardian.objects.filter(student=student, guardian__user=user).values_list("relation", flat=True)
    return links.first() or ""
