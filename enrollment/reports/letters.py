"""Document contexts of enrollment: the Letter to Parents (《致家长的一封信》, R15), online, as a PDF and in class batches.

The letter is made from the school's filed plan (R16): what the bureau filed is what parents are told. The writers
(PDF) live in xiji_afterschool/exports.py; the batch job that fills a class's letters is in services/letters.py.
"""

from collections.abc import Iterator
from urllib.parse import urlencode

import segno
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from schools.models import AdminClass, School, SchoolPlan, SchoolYear, ServiceMode, Stage, Student
from schools.rules import plans as plans_rules

# The link-child page, where a parent types (or scans) the code printed on the letter. Every printed QR code
# carries its address, so the page must keep its path.
CHILD_LINK_URL_NAME = "enrollment:child-link"
# The school's public disclosures (公示, funding's public page, no login) and the public feedback form (bureau): the
# letter prints both addresses, so their paths must stay too. Named here, never imported (enrollment does not
# depend on funding or the console).
PUBLIC_DISCLOSURE_URL_NAME = "funding:public-disclosure-school"
PUBLIC_FEEDBACK_URL_NAME = "bureau:feedback-submit"


def _time_rows(data: dict, *, school: School) -> list[tuple[str, str]]:
    # display_rows titles a timetable "Autumn semester · Primary · v2"; the version number means nothing to a parent.
    rows = []
    for label, value in plans_rules.display_rows("timetable", data, school=school):
        head, _sep, tail = label.rpartition(" · ")
        rows.append((head if head and tail.startswith("v") else label, value))
    return rows


def _modes(stages: list[str]) -> str:
    """The service mode of each stage (R4, R5) as one phrase: "5+2: …", or "Primary: 5+2: …; Junior middle: …"."""
    if len(stages) == 1:
        return str(ServiceMode.for_stage(stages[0]).label)
    parts = [
        _("%(stage)s: %(mode)s") % {"stage": Stage(stage).label, "mode": ServiceMode.for_stage(stage).label}
        for stage in stages
    ]
    return pgettext("list separator", "; ").join(parts)


def letter_context(*, school: School, school_year: SchoolYear, plan: SchoolPlan, base_url: str = "") -> dict:
    """What the letter says (templates/enrollment/letter_body.html), in the active language.

    Sections missing from the plan are simply left out; the fee is never read from anywhere: the service is free,
    paid by county finance (R22, R37). One query (the plan's sections, unless prefetched by `filed_plan`).
    `base_url` (the site's origin) makes the printed addresses of the school's public disclosure and of the
    feedback form absolute.
    """
    stored = {section.key: section.data for section in plan.sections.all()}
    stages = school.stages
    return {
        "school": school,
        "school_year": school_year,
        "plan": plan,
        "filing_number": plan.filing_number,
        "deadline": school_year.application_deadline,
        # After the deadline the letter says what to do now (a late application), never just a date gone by.
        "deadline_passed": timezone.localdate() > school_year.application_deadline,
        "school_phone": school.phone,
        "modes": _modes(stages),
        # R7: junior boarders and senior high students are served in the evening.
        "evening": any(stage in (Stage.JUNIOR, Stage.SENIOR) for stage in stages),
        "content_rows": [
            row for row in plans_rules.display_rows("content", stored.get("content") or {}, school=school) if row[1]
        ],
        "time_rows": _time_rows(stored.get("timetable") or {}, school=school),
        "safety_rows": [
            row for row in plans_rules.display_rows("safety", stored.get("safety") or {}, school=school) if row[1]
        ],
        # Issued when the plan it describes was filed, so the date fits the application deadline it names.
        "issued_on": timezone.localtime(plan.filed_at).date() if plan.filed_at else timezone.localdate(),
        "disclosure_url": base_url.rstrip("/") + reverse(PUBLIC_DISCLOSURE_URL_NAME, args=[school.pk]),
        "feedback_url": f"{base_url.rstrip('/')}{reverse(PUBLIC_FEEDBACK_URL_NAME)}?{urlencode({'school': school.pk})}",
    }


def child_link_url(*, base_url: str, code: str) -> str:
    """The address a letter's QR code carries: the link-child page with the child's code filled in.

    `base_url` is the site's origin as the requester reached it (scheme and host, e.g. https://kehou.example.cn).
    """
    return f"{base_url.rstrip('/')}{reverse(CHILD_LINK_URL_NAME)}?{urlencode({'code': code})}"


def qr_data_uri(text: str) -> str:
    """A QR code of `text` as an SVG data: URI (the PDF renderer fetches data: URLs only). Error level M."""
    return segno.make(text, error="m").svg_data_uri(scale=4)


def letter_students(*, admin_class: AdminClass, base_url: str) -> Iterator[dict]:
    """One entry per student of the class, in class-list order: what their personal letter carries."""
    students = Student.objects.filter(admin_class=admin_class).order_by("name", "pk")
    class_label = str(admin_class)
    for student in students.iterator(chunk_size=200):
        url = child_link_url(base_url=base_url, code=student.link_code)
        yield {
            "name": student.name,
            "class_label": class_label,
            "code": student.link_code,
            "link_url": url,
            "qr": qr_data_uri(url),
        }
