"""Rows of the hours record's export."""

from django.utils.translation import gettext as _

from ..selectors import hours as hours_selectors


def hours_report_rows(record: hours_selectors.HoursRecord) -> tuple[list[str], list[list]]:
    """The export of a school's month: one row per person, then the totals; class-hours as Decimal numbers."""
    header = [
        _("Name"),
        _("Username"),
        _("Role at the school"),
        _("Sessions as responsible teacher"),
        _("Class-hours as responsible teacher"),
        _("Sessions as substitute"),
        _("Class-hours as substitute"),
        _("Sessions as assistant"),
        _("Class-hours as assistant"),
        _("Sessions in total"),
        _("Class-hours in total"),
        _("Of which adjustments (class-hours)"),
    ]

    def numbers(row: hours_selectors.PersonHours) -> list:
        out = []
        for tally in (row.responsible, row.substitute, row.assistant, row.total):
            out += [tally.sessions, tally.class_hours]
        return [*out, row.adjusted.class_hours]

    rows = [
        [row.person.get_full_name(), row.person.username, " / ".join(row.labels) or "—", *numbers(row)]
        for row in record.rows
    ]
    rows.append([_("Total"), "", "", *numbers(record.totals)])
    return header, rows
