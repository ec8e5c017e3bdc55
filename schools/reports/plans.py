"""Rows and document contexts of the plans: the county plan status table and the plan filing record.

The writers (XLSX, PDF) live in xiji_afterschool/exports.py.
"""

from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..forms.plans import SECTIONS
from ..models import SchoolPlan, SchoolPlanEvent
from ..rules import plans as plans_rules

# The filing authority's own name, printed as it is in every language (like the 西教体备 prefix of filing numbers).
FILING_AUTHORITY = "西吉县教育体育局"
CHINESE_NUMERALS = "一二三四五六七八九十"


def plan_filing_context(plan: SchoolPlan) -> dict:
    """What pdf/plan_filing.html shows of one plan version (备案表): four queries, whatever the plan holds.

    Works for a plan that is not filed yet too (the template then says so); the app offers it for filed plans.
    """
    plan = (
        SchoolPlan.objects.select_related("school__township", "school__central_school", "school_year")
        .prefetch_related(
            "sections",
            "attachments",
            Prefetch("events", queryset=SchoolPlanEvent.objects.select_related("actor").order_by("created_at", "pk")),
        )
        .get(pk=plan.pk)
    )
    school = plan.school
    stored = {section.key: section.data for section in plan.sections.all()}
    chinese = (translation.get_language() or "").startswith("zh")
    sections = []
    for i, section in enumerate(SECTIONS):
        data = stored.get(section.key) or {}
        rows = [
            {"label": label, "value": value}
            for label, value in plans_rules.display_rows(section.key, data, school=school)
        ]
        if section.key == "funding" and "total" in data and rows:
            rows[-1]["total"] = True  # display_rows ends the funding section with the year's total
        number = f"{CHINESE_NUMERALS[i]}、" if chinese and i < len(CHINESE_NUMERALS) else f"{i + 1}. "
        sections.append({"key": section.key, "number": number, "title": str(section.title), "rows": rows})
    events = [
        {
            "at": event.created_at,
            "from_status": event.from_status_label,
            "to_status": event.to_status_label,
            "actor": event.actor.get_full_name() if event.actor else event.who,
            "note": event.note,
        }
        for event in plan.events.all()
    ]
    return {
        "authority": FILING_AUTHORITY,
        "plan": plan,
        "school": school,
        "school_name": school.name,
        "school_type": school.get_school_type_display(),
        "township": school.township.name,
        "central_school": school.central_school.name if school.is_dependent and school.central_school else "",
        "school_year": plan.school_year.name,
        "version": plan.version,
        "status": plan.status,
        "status_label": plan.get_status_display(),
        "is_filed": plan.status == SchoolPlan.Status.FILED,
        "filing_number": plan.filing_number,
        "submitted_at": plan.submitted_at,
        "filed_at": plan.filed_at,
        "sections": sections,
        "attachments": [attachment.title for attachment in plan.attachments.all()],
        "events": events,
    }


def plan_status_rows(*, rows: list[dict]):
    """(header, rows) of every school's plan for the year (R3), for the XLSX export.

    `rows` is what selectors.plan_status gives the bureau's page (already scoped), so the page and its file agree.
    """
    header = [
        _("Township"),
        _("School"),
        _("School type"),
        _("Township central school"),
        _("Latest version"),
        _("Status"),
        _("Filed version"),
        _("Filing number"),
        _("Filing date"),
        _("Submitted on"),
        _("Overdue"),
    ]

    def out():
        yes, no, not_submitted = _("Yes"), _("No"), _("Not submitted")
        for row in rows:
            school, latest, filed = row["school"], row["latest"], row["filed"]
            yield [
                school.township.name,
                school.name,
                school.get_school_type_display(),
                school.central_school.name if school.central_school_id else "",
                latest.version if latest else None,
                latest.get_status_display() if latest else not_submitted,
                filed.version if filed else None,
                filed.filing_number if filed else "",
                timezone.localdate(filed.filed_at) if filed and filed.filed_at else None,
                timezone.localdate(latest.submitted_at) if latest and latest.submitted_at else None,
                yes if row["overdue"] else no,
            ]

    return header, out()
