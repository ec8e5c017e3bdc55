"""The gate's report rows and contexts (issue 11 §5, §9): the month's visitor log for Excel, the day's gate sheet PDF."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from schools.models import School

from ..selectors import gate as selectors

BLANK_ROWS = 8  # room on the printed sheet for the visitors written by hand (one A4 page in a usual day)


def _hm(moment) -> str:
    return timezone.localtime(moment).strftime("%H:%M") if moment else ""


def visit_rows(visits) -> tuple[list[str], list[list]]:
    """One row per entry (corrections included, each naming what it corrects); the ID as checked and its last 4."""
    header = [
        _("Date"), _("Visitor"), _("ID checked"), _("ID, last 4 characters"), _("Purpose"), _("Details"),
        _("Visiting"), _("Mobile"), _("Time in"), _("Time out"), _("From paper"), _("Corrected by entry no."),
        _("Corrects entry no."), _("Why corrected"), _("Entry no."),
    ]  # fmt: skip
    rows = []
    for visit in visits:
        corrected_by = next(iter(visit.corrections.all()), None)
        rows.append([
            visit.date, visit.name, _("Yes") if visit.id_checked else _("No"), visit.id_last4,
            visit.get_purpose_display(), visit.purpose_note, visit.visiting, visit.masked_mobile, _hm(visit.time_in),
            _hm(visit.time_out), _("Yes") if visit.on_paper else "", corrected_by.pk if corrected_by else "",
            visit.corrects_id or "", visit.correction_reason, visit.pk,
        ])  # fmt: skip
    return header, rows


def gate_sheet_context(*, viewer, school: School, date: datetime.date) -> dict:
    """The day's visitors (those still standing: corrected entries are replaced by their corrections), blank rows
    to write more by hand, the day's early leaves and the buses."""
    visits = [
        v for v in selectors.visits_of_day(viewer=viewer, school=school, date=date, action="gate_sheet.print")
        if v.corrected_by is None
    ]  # fmt: skip
    return {
        "school": school,
        "date": date,
        "visits": visits,
        "blank_rows": range(max(BLANK_ROWS, 14 - len(visits))),
        "early_leaves": selectors.early_leaves_of_day(viewer=viewer, school=school, date=date),
        "buses": selectors.buses_of_day(school=school, date=date),
        "duty": selectors.duty_of_day(school=school, date=date),
        "printed_at": timezone.localtime(),
    }
