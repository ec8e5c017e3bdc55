"""The class hand-over sheet (§9): the dismissal page on paper, for the day the phones or the link fail."""

from django.utils import timezone

from schools.models import Session

from ..selectors import handovers as selectors


def sheet_context(*, session: Session, viewer) -> dict:
    """Children in dismissal order, who may take each (adults, bus, dormitory, alone), and blank columns to sign."""
    page = selectors.dismissal_page(session=session, viewer=viewer)
    rows = []
    for number, row in enumerate(page.rows, start=1):
        adults = [c.label for c in row.choices if c.kind == "adult"]
        other = [c.label for c in row.choices if c.kind != "adult"]
        if row.stop:
            other = [f"{label}（{row.stop}）" if c.kind == "bus" else label for c, label in
                     zip([c for c in row.choices if c.kind != "adult"], other, strict=True)]  # fmt: skip
        rows.append(
            {
                "number": number,
                "name": row.student.name,
                "admin_class": str(row.student.admin_class),
                "adults": "、".join(adults),
                "other": "、".join(other),
                "note": row.note,
                "done": row.final,
            }
        )
    return {
        "session": session,
        "school": session.service_class.school,
        "rows": rows,
        "printed_at": timezone.localtime(),
    }
