"""Publishing the semester's public disclosure (公示, R26): the figures are frozen when published, once per
school and semester, and never change afterwards (on PostgreSQL a trigger refuses any update or delete)."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from schools.models import School, Semester, User
from xiji_afterschool import permissions
from xiji_afterschool.errors import DomainError

from ..models import Disclosure
from ..selectors import disclosure as selectors


def _already_published() -> DomainError:
    return DomainError(
        _("The disclosure for this semester is already published; a published disclosure never changes.")
    )


@transaction.atomic
def disclosure_publish(*, actor: User, school: School, semester: Semester) -> Disclosure:
    """The school admin freezes the semester's figures as its public disclosure.

    Refused (DomainError) before the semester has started and when the semester's disclosure already exists —
    also when two people publish at the same moment (the unique constraint decides). Raises PermissionDenied.
    """
    permissions.require(actor, "disclosure.publish", school)
    if semester.start_date > timezone.localdate():
        raise DomainError(
            _("The semester starts on %(day)s; its disclosure can be published once it has started.")
            % {"day": date_format(semester.start_date)}
        )
    if Disclosure.objects.filter(school=school, semester=semester).exists():
        raise _already_published()
    data = selectors.disclosure_figures(school=school, semester=semester)
    try:
        with transaction.atomic():  # a savepoint: the loser of a race gets a clear message, not a broken transaction
            return Disclosure.objects.create(school=school, semester=semester, data=data, published_by=actor)
    except IntegrityError:
        raise _already_published() from None
