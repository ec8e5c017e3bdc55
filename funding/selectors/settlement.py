"""Reads of the year-end settlement (决算): class-hours delivered × the rate in force on each day, against the
money allocated. `settlement_figures` computes without writing (the filing service stores what it returns)."""

import bisect
import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from schools.models import CountySettings, School, SchoolYear, ServiceMode, Session, Stage, SubsidyRate
from schools.rules import calendar as calendar_rules
from schools.rules import delivery as delivery_rules
from xiji_afterschool import permissions
from xiji_afterschool.errors import DomainError
from xiji_afterschool.money import format_yuan, yuan

from ..models import ZERO, Claim, Settlement
from ..rules import settlement as rules


@dataclass
class Line:
    service_class_name: str
    stage: str
    rate: Decimal
    rate_from: datetime.date
    sessions: int = 0
    class_hours: Decimal = Decimal("0.0")

    @property
    def amount(self) -> Decimal:
        return yuan(self.class_hours * self.rate)

    def get_stage_display(self) -> str:  # the same name as on SettlementLine, so one template shows both
        return str(Stage(self.stage).label)


@dataclass
class Figures:
    lines: list[Line] = field(default_factory=list)
    allocated_amount: Decimal = ZERO
    allocated_claims: list[Claim] = field(default_factory=list)
    excluded: list[rules.Excluded] = field(default_factory=list)  # what the session log holds but is not paid
    per_day: int = 2  # the county's class-hours a day the figures were computed with

    @property
    def delivered_class_hours(self) -> Decimal:
        return sum((line.class_hours for line in self.lines), Decimal("0.0"))

    @property
    def delivered_amount(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    @property
    def difference(self) -> Decimal:
        return self.delivered_amount - self.allocated_amount

    @property
    def outcome(self) -> str:
        return outcome_of(self.difference)


def outcome_of(difference: Decimal) -> str:
    """Delivered more than allocated: the county owes the school; less: the school has money left over."""
    if difference > 0:
        return Settlement.Outcome.SHORTFALL
    if difference < 0:
        return Settlement.Outcome.SURPLUS
    return Settlement.Outcome.BALANCED


def outcome_words(difference: Decimal) -> str:
    """The difference in words for the settlement page, in the reader's language."""
    if difference > 0:
        return _("Shortfall %(amount)s: the county owes the school.") % {"amount": format_yuan(difference)}
    if difference < 0:
        return _("Surplus %(amount)s: to be returned or carried over as finance decides.") % {
            "amount": format_yuan(-difference)
        }
    return _("Balanced: the money allocated equals the class-hours delivered.")


def year_last_day(school_year: SchoolYear) -> datetime.date:
    """The last day of the year's last semester (the year's last day if it has no semesters)."""
    ends = [s.end_date for s in school_year.semesters.all()]
    return max(ends) if ends else school_year.end_date


def year_has_ended(school_year: SchoolYear, today: datetime.date | None = None) -> bool:
    return (today or timezone.localdate()) > year_last_day(school_year)


def allocated_claims(*, school: School, school_year: SchoolYear) -> list[Claim]:
    """The year's allocated claims (annual and supplementary): the money the school actually received."""
    return list(
        Claim.objects.filter(school=school, school_year=school_year, status=Claim.Status.ALLOCATED).order_by(
            "created_at", "pk"
        )
    )


def settlement_figures(*, school: School, school_year: SchoolYear) -> Figures:
    """Delivered class-hours that may be paid, per service class and per rate in force on each session's day, and
    the allocation; with what the session log holds but is excluded, per reason (funding/rules/settlement.py).

    A class-hour counts if its session is recorded or confirmed, on a service day of the school's calendar for the
    class's stage, with a child present, and within the county's class-hours a day for the class. Raises
    DomainError if a session that counts falls on a day without a rate in force. Five queries, whatever the count.
    """
    rates = list(SubsidyRate.objects.order_by("effective_from").values_list("effective_from", "amount"))
    starts = [start for start, _amount in rates]
    sessions = list(
        Session.objects.filter(service_class__school=school, service_class__school_year=school_year)
        .select_related("service_class", "service_class__school")
        .prefetch_related("service_class__admin_classes")
        .order_by("service_class__name", "date", "start_time")
    )
    stages: dict[int, str] = {}
    for session in sessions:
        service_class = session.service_class
        if service_class.pk not in stages:
            stages[service_class.pk] = delivery_rules.service_class_stage(service_class)
    semesters = list(school_year.semesters.all())
    exceptions = calendar_rules.calendar_exceptions(school_year)
    service_days = {
        stage: set(
            calendar_rules.service_days(semesters=semesters, mode=ServiceMode.for_stage(stage), exceptions=exceptions)
        )
        for stage in set(stages.values())
    }
    per_day = CountySettings.current().class_hours_per_day
    outcome = rules.count_sessions(
        sessions,
        per_day=per_day,
        service_day=lambda s: s.date in service_days[stages[s.service_class_id]],
    )
    lines: dict[tuple, Line] = {}
    for counted in outcome.counted:
        session = counted.session
        i = bisect.bisect_right(starts, session.date) - 1
        if i < 0:
            raise DomainError(
                _("No subsidy rate is in force on %(day)s, when a session was held; the bureau must set one first.")
                % {"day": session.date.isoformat()}
            )
        rate_from, rate = rates[i]
        service_class = session.service_class
        key = (service_class.name, service_class.pk, rate_from)
        line = lines.get(key)
        if line is None:
            line = lines[key] = Line(
                service_class_name=service_class.name, stage=stages[service_class.pk], rate=rate, rate_from=rate_from
            )
        line.sessions += 1
        line.class_hours += counted.class_hours
    claims = allocated_claims(school=school, school_year=school_year)
    return Figures(
        lines=[lines[key] for key in sorted(lines)],
        allocated_amount=sum((c.approved_amount for c in claims), ZERO),
        allocated_claims=claims,
        excluded=outcome.excluded_rows,
        per_day=per_day,
    )


def settlement_list(*, viewer) -> QuerySet[Settlement]:
    """Settlements the viewer may read: the county sees every school's, a school admin their own."""
    return permissions.scope(viewer, Settlement.objects.all(), action="settlement.view").select_related(
        "school", "school_year", "filed_by", "confirmed_by"
    )


def settlement_of(*, viewer, school: School, school_year: SchoolYear) -> Settlement | None:
    return settlement_list(viewer=viewer).filter(school=school, school_year=school_year).first()


def settlement_table(*, viewer, school_year: SchoolYear) -> list[dict]:
    """The county table for one year: every school the viewer may see, its settlement if filed. Two queries."""
    schools = (
        permissions.scope(viewer, School.objects.all(), action="settlement.view")
        .select_related("township")
        .order_by("township__code", "code")
    )
    filed = {s.school_id: s for s in settlement_list(viewer=viewer).filter(school_year=school_year)}
    return [{"school": school, "settlement": filed.get(school.pk)} for school in schools]


def settlement_years() -> QuerySet[SchoolYear]:
    return SchoolYear.objects.prefetch_related("semesters").order_by("-start_date")


def default_settlement_year() -> SchoolYear | None:
    """The newest school year whose last semester has ended (the one being settled), else the newest year."""
    years = list(settlement_years())
    return next((y for y in years if year_has_ended(y)), years[0] if years else None)
