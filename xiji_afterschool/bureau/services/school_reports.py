"""School reports filed in windows (直报, R34): the bureau opens a window, which pre-fills one report per school from
its records; the school corrects figures (a changed figure needs its reason) and submits by the deadline; the
township reviews its village schools and teaching points; the bureau files (备案) or returns with a note. A filed
report never changes. Reminders go to the school's administrators 3 days before the deadline and once overdue.

window: open --close--> closed
report: draft --submit--> submitted [--township_review--> reviewed] --file--> filed
        submitted / reviewed --return--> draft
"""

import datetime

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from schools.models import NotificationKind, SchoolYear
from schools.services import notifications as notifications_services
from xiji_afterschool import permissions, workflow
from xiji_afterschool.errors import DomainError
from xiji_afterschool.workflow import TransitionNotAllowed

from ..models import ReportFigure, ReportWindow, SchoolReport
from ..models.school_reports import FIGURES
from ..rules import school_reports as rules
from ..selectors import school_reports as selectors

REASON_MAX_LENGTH = 500


def _locked(report: SchoolReport) -> SchoolReport:
    return SchoolReport.objects.select_for_update().select_related("school", "window").get(pk=report.pk)


def _require_state(report: SchoolReport, action: str) -> None:
    if report.status not in SchoolReport.TRANSITIONS[action][0]:
        raise TransitionNotAllowed(action=action, status=report.status, label=report.get_status_display())


def _require_open(window: ReportWindow) -> None:
    if window.status != ReportWindow.Status.OPEN:
        raise DomainError(
            _("The reporting window “%(window)s” is closed: nothing can be submitted or changed in it.")
            % {"window": window.title}
        )


def _date(value: datetime.date) -> str:
    """A date in the reader's language (2021年9月9日 in Chinese)."""
    return formats.date_format(value) if value else ""


# ---------------------------------------------------------------- windows


@transaction.atomic
def window_open(
    *,
    actor,
    kind: str,
    school_year: SchoolYear,
    title: str,
    period_start: datetime.date,
    period_end: datetime.date,
    deadline: datetime.date,
    late_until: datetime.date | None = None,
) -> ReportWindow:
    """Open a window and pre-fill one report per school from the records of the period (see
    selectors.computed_figures); every figure starts as reported = computed."""
    permissions.require(actor, "report_window.manage")
    if kind not in ReportWindow.Kind.values:
        raise DomainError(_("Choose the type of report."))
    title = (title or "").strip()
    if not title:
        raise DomainError(_("Give the window a title."))
    if period_start > period_end:
        raise DomainError(_("The period must start before it ends."))
    if not (school_year.start_date <= period_start and period_end <= school_year.end_date):
        raise DomainError(
            _("The period must fall in the school year %(year)s (%(start)s to %(end)s).")
            % {"year": school_year.name, "start": _date(school_year.start_date), "end": _date(school_year.end_date)}
        )
    if deadline < period_start:
        raise DomainError(_("The deadline cannot come before the period starts."))
    late_until = late_until or deadline
    if late_until < deadline:
        raise DomainError(_("Late reports can only be accepted after the deadline, not before it."))
    if ReportWindow.objects.filter(kind=kind, period_start=period_start, period_end=period_end).exists():
        raise DomainError(_("A window of this type for this period is already open."))
    try:
        with transaction.atomic():
            window = ReportWindow.objects.create(
                kind=kind, school_year=school_year, title=title[:80], period_start=period_start,
                period_end=period_end, deadline=deadline, late_until=late_until, opened_by=actor,
            )  # fmt: skip
    except IntegrityError as exc:
        raise DomainError(_("A window of this type for this period is already open.")) from exc
    workflow.start(window, actor=actor, action="open")
    schools = list(selectors.schools_that_report())
    figures = selectors.computed_figures(
        viewer=actor, school_year=school_year, start=period_start, end=period_end, schools=schools
    )
    reports = SchoolReport.objects.bulk_create([SchoolReport(window=window, school=school) for school in schools])
    ReportFigure.objects.bulk_create(
        ReportFigure(report=report, name=name, position=i, computed=value, reported=value)
        for report in reports
        for i, (name, value) in enumerate(figures[report.school_id].items())
    )
    for report in reports:
        workflow.start(report, actor=actor)
    return window


@transaction.atomic
def window_close(*, actor, window: ReportWindow, note: str = "") -> ReportWindow:
    """Close the window: nothing more is submitted or changed in it (reports already in review may still be
    filed or returned by the bureau, but a returned one cannot come back)."""
    permissions.require(actor, "report_window.manage", window)
    workflow.transition(window, "close", actor=actor, note=note)
    return window


# ---------------------------------------------------------------- a school's report


def _clean_value(name: str, value):
    if value in (None, ""):
        return None
    try:
        value = rules.normalise(name, value)
    except (ArithmeticError, TypeError, ValueError) as exc:
        raise DomainError(_("%(figure)s: enter a number.") % {"figure": FIGURES[name]}) from exc
    if value < 0:
        raise DomainError(_("%(figure)s cannot be negative.") % {"figure": FIGURES[name]})
    return value


@transaction.atomic
def report_correct(*, actor, report: SchoolReport, values: dict) -> SchoolReport:
    """Set the reported figures: values = {figure: {"reported": number or None, "reason": text}}. A figure that
    differs from the computed one needs its reason; one set back to the computed value loses it."""
    permissions.require(actor, "school_report.edit", report)
    report = _locked(report)
    if report.status == SchoolReport.Status.FILED:
        raise DomainError(_("A filed report is never changed."))
    if not report.is_editable:
        raise DomainError(
            _("The report is “%(status)s” and cannot be changed now.") % {"status": report.get_status_display()}
        )
    _require_open(report.window)
    figures = {f.name: f for f in report.figures.all()}
    unknown = set(values) - set(figures)
    if unknown:
        raise DomainError(_("This report has no such figure: %(name)s.") % {"name": "、".join(sorted(unknown))})
    changed, missing_reason = [], []
    for name, given in values.items():
        figure = figures[name]
        reported = _clean_value(name, given.get("reported"))
        reason = (given.get("reason") or "").strip()[:REASON_MAX_LENGTH]
        if reported == figure.computed:
            reason = ""
        elif not reason:
            missing_reason.append(str(FIGURES[name]))
            continue
        if (reported, reason) != (figure.reported, figure.reason):
            figure.reported, figure.reason = reported, reason
            changed.append(figure)
    if missing_reason:
        raise DomainError(
            _("Give the reason for each figure changed from the school's records: %(figures)s.")
            % {"figures": "、".join(missing_reason)}
        )
    if changed:
        ReportFigure.objects.bulk_update(changed, ["reported", "reason"])
        workflow.log(report, "correct", actor=actor, note="、".join(f.label for f in changed))
    return report


@transaction.atomic
def report_submit(*, actor, report: SchoolReport, note: str = "") -> SchoolReport:
    """Submit to the township (village schools, teaching points) or straight to the bureau. Refused once the
    window is closed, and after `late_until` for a first submission; one after the deadline is marked late.
    Two submissions at once: one succeeds, the other is refused (compare-and-set on the status)."""
    permissions.require(actor, "school_report.edit", report)
    report = _locked(report)
    _require_state(report, "submit")
    window = report.window
    _require_open(window)
    now, today = timezone.now(), timezone.localdate()
    resubmission = report.first_submitted_at is not None
    if not rules.may_submit(today=today, late_until=window.late_until, resubmission=resubmission):
        raise DomainError(
            _("The deadline for this report was %(deadline)s and late reports were accepted until %(late)s: "
              "it can no longer be submitted. Ask the education bureau.")
            % {"deadline": _date(window.deadline), "late": _date(window.late_until)}
        )  # fmt: skip
    extra = {"submitted_at": now, "submitted_by": actor}
    if not resubmission:
        extra.update(first_submitted_at=now, is_late=rules.is_late(submitted_on=today, deadline=window.deadline))
    workflow.transition(report, "submit", actor=actor, note=note, **extra)
    return report


@transaction.atomic
def report_township_review(*, actor, report: SchoolReport, note: str = "") -> SchoolReport:
    """The township passes a village school's or teaching point's report on to the bureau."""
    permissions.require(actor, "school_report.township_review", report)
    report = _locked(report)
    if not report.needs_township_review:
        raise DomainError(_("Only reports of village schools and teaching points are reviewed by the township."))
    workflow.transition(report, "township_review", actor=actor, note=note)
    return report


@transaction.atomic
def report_file(*, actor, report: SchoolReport, note: str = "") -> SchoolReport:
    """The bureau files (备案) the report: it is locked from now on."""
    permissions.require(actor, "school_report.file", report)
    report = _locked(report)
    _require_state(report, "file")
    if report.needs_township_review and report.status != SchoolReport.Status.TOWNSHIP_REVIEWED:
        raise DomainError(_("The township must review this village school's report before the bureau files it."))
    workflow.transition(report, "file", actor=actor, note=note, filed_at=timezone.now(), filed_by=actor)
    return report


@transaction.atomic
def report_return(*, actor, report: SchoolReport, note: str) -> SchoolReport:
    """Back to the school for correction, with a note: by the bureau (submitted or township-reviewed), or by the
    township (a village school's report it has not passed on yet)."""
    by_bureau = permissions.can(actor, "school_report.file", report)
    if not by_bureau:
        permissions.require(actor, "school_report.township_review", report)
    note = (note or "").strip()
    if not note:
        raise DomainError(_("Say what the school must correct."))
    report = _locked(report)
    _require_state(report, "return")
    if not by_bureau and report.status != SchoolReport.Status.SUBMITTED:
        raise DomainError(_("The township has passed this report on; only the bureau can return it now."))
    workflow.transition(report, "return", actor=actor, note=note)
    return report


# ---------------------------------------------------------------- reminders (the integrator wires the beat schedule)


def remind_overdue_reports(*, today: datetime.date | None = None) -> int:
    """Tell each school administrator whose report is not submitted: once from 3 days before the deadline
    ("due soon") and once after it ("overdue"); the dedupe key makes each stage fire once per report and person.
    Returns how many notifications were written. Run daily by the system."""
    today = today or timezone.localdate()
    reports = [
        (report, stage)
        for report in selectors.reports_to_remind(today=today)
        if (stage := rules.reminder_stage(today=today, deadline=report.window.deadline))
    ]
    admins = selectors.school_admins(school_ids={r.school_id for r, _stage in reports})
    told = 0
    for report, stage in reports:
        window = report.window
        if stage == "overdue":
            title = _("Overdue: %(window)s") % {"window": window.title}
            body = _("%(school)s has not submitted its report; the deadline was %(deadline)s.") % {
                "school": report.school.name,
                "deadline": _date(window.deadline),
            }
        else:
            title = _("Report due: %(window)s") % {"window": window.title}
            body = _("Submit the report of %(school)s by %(deadline)s.") % {
                "school": report.school.name,
                "deadline": _date(window.deadline),
            }
        url = reverse("bureau:school-report-detail", kwargs={"pk": report.pk})
        for user in admins.get(report.school_id, []):
            if notifications_services.notify(
                user=user, kind=NotificationKind.GENERAL, title=title, body=body, url=url,
                key=f"school-report:{report.pk}:{stage}",
            ):  # fmt: skip
                told += 1
    return told
