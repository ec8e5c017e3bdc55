"""The school plan workflow (一校一案, R16–R17): write, submit, township forwarding, bureau review and filing.

draft/returned --submit--> at_bureau (ordinary schools)
draft/returned --submit_to_township--> at_township --forward--> at_bureau   (village schools, teaching points)
at_township --return_by_township--> returned;  at_bureau --return--> returned;  at_bureau --file--> filed
A filed plan never changes; refining it (R17) starts the next version as a draft.
"""

import re

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiji_afterschool import permissions, uploads
from xiji_afterschool.errors import DomainError
from xiji_afterschool.money import yuan
from xiji_afterschool.workflow import transition

from ..forms.plans import SECTION_BY_KEY, SECTIONS
from ..models import PlanAttachment, PlanSection, School, SchoolPlan, SchoolYear, Stage, SubsidyRate, Timetable
from ..rules import calendar as calendar_rules
from ..rules import plans as rules

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024


def _locked(plan: SchoolPlan) -> SchoolPlan:
    """Re-read the plan under a row lock, so an edit cannot slip in beside a submission."""
    return SchoolPlan.objects.select_for_update().select_related("school", "school_year").get(pk=plan.pk)


def _require_editable(plan: SchoolPlan) -> None:
    if not plan.is_editable:
        raise DomainError(
            _("The plan is “%(status)s” and cannot be changed now.") % {"status": plan.get_status_display()}
        )


@transaction.atomic
def plan_start(*, actor, school: School, school_year: SchoolYear) -> SchoolPlan:
    """Open version 1 of a school's plan for a year, or return the version already open."""
    permissions.require(actor, "plan.edit", school)
    open_plan = SchoolPlan.objects.filter(school=school, school_year=school_year).exclude(
        status=SchoolPlan.Status.FILED
    )
    if plan := open_plan.first():
        return plan
    if SchoolPlan.objects.filter(school=school, school_year=school_year).exists():
        raise DomainError(_("This school's plan is filed; refine it by starting a new version."))
    try:
        with transaction.atomic():  # a savepoint, so the transaction can still read after a unique violation
            return SchoolPlan.objects.create(school=school, school_year=school_year, version=1, created_by=actor)
    except IntegrityError:  # two clicks at once: the other one created it
        return open_plan.get()


@transaction.atomic
def plan_section_save(*, actor, plan: SchoolPlan, key: str, cleaned_data: dict) -> PlanSection:
    """Store one section's form data (the funding section also gets its computed estimate)."""
    permissions.require(actor, "plan.edit", plan)
    section = SECTION_BY_KEY.get(key)
    if section is None or section.form is None:
        raise DomainError(_("This part of the plan is not filled in by hand."))
    plan = _locked(plan)
    _require_editable(plan)
    data = rules.to_json(cleaned_data)
    if key == "funding":
        data = {**data, **funding_estimate(plan=plan, classes=cleaned_data)}
    section, _created = PlanSection.objects.update_or_create(
        plan=plan, key=key, defaults={"data": data, "updated_by": actor}
    )
    SchoolPlan.objects.filter(pk=plan.pk).update(updated_at=timezone.now())
    return section


def funding_estimate(*, plan: SchoolPlan, classes: dict) -> dict:
    """Classes × planned class-hours (from the calendar) × the rate in force on the first service day (R22).

    Stores every input so the estimate can be recomputed by hand.
    """
    year = plan.school_year
    first_day = year.semesters.order_by("number").values_list("start_date", flat=True).first() or year.start_date
    rate = SubsidyRate.in_force(first_day)
    if rate is None:
        raise DomainError(
            _("No subsidy rate is in force on %(day)s; the bureau must set one first.") % {"day": first_day}
        )
    lines, total = [], yuan(0)
    for stage in plan.school.stages:
        count = int(classes.get(f"classes_{stage}") or 0)
        hours = calendar_rules.planned_class_hours(year, stage)
        amount = yuan(count * hours * rate)
        total += amount
        lines.append({"stage": stage, "classes": count, "class_hours_per_class": hours, "amount": str(amount)})
    # Numbers only: the words are made when the plan is shown, in the reader's language.
    return {"rate": str(rate), "rate_date": first_day.isoformat(), "lines": lines, "total": str(total)}


def timetable_snapshot(plan: SchoolPlan) -> dict:
    """The school's newest timetables for the plan's year, so a filed plan keeps the times it was filed with.

    `missing` names the (semester, stage) pairs without a filled timetable; it is checked on submission, not stored.
    """
    timetables = (
        Timetable.objects.filter(school=plan.school, semester__school_year=plan.school_year)
        .select_related("semester")
        .prefetch_related("slots")
        .order_by("semester__number", "stage", "-version")
    )
    newest = {}
    for t in timetables:
        newest.setdefault((t.semester.number, t.stage), t)
    rows, missing = [], []
    for semester in plan.school_year.semesters.all():
        for stage in plan.school.stages:
            t = newest.get((semester.number, stage))
            slots = list(t.slots.all()) if t else []
            if not slots:
                missing.append(f"{semester.get_number_display()} {Stage(stage).label}")
                continue
            seasons = []
            for season in Timetable.Season.values:
                in_season = [s for s in slots if s.season == season]
                if in_season:
                    seasons.append(
                        {
                            "season": season,
                            "times": sorted({f"{s.start_time:%H:%M}–{s.end_time:%H:%M}" for s in in_season}),
                            "days": len({s.weekday for s in in_season}),
                        }
                    )
            rows.append({"semester": semester.number, "stage": stage, "version": t.version, "seasons": seasons})
    return {"timetables": rows, "missing": missing}


def missing_sections(plan: SchoolPlan) -> list[str]:
    have = set(plan.sections.values_list("key", flat=True))
    return [str(s.title) for s in SECTIONS if s.form is not None and s.key not in have]


@transaction.atomic
def plan_submit(*, actor, plan: SchoolPlan, note: str = "") -> SchoolPlan:
    """Send a complete plan on: to the township central school for a village school or teaching point, else to the bureau."""
    permissions.require(actor, "plan.submit", plan)
    plan = _locked(plan)
    _require_editable(plan)
    missing = missing_sections(plan)
    snapshot = timetable_snapshot(plan)
    if snapshot["missing"]:
        missing.append(_("timetables for %(which)s") % {"which": "、".join(snapshot["missing"])})
    if missing:
        raise DomainError(_("The plan is not complete. Still missing: %(missing)s.") % {"missing": "、".join(missing)})
    stored = {"timetables": snapshot["timetables"]}
    PlanSection.objects.update_or_create(plan=plan, key="timetable", defaults={"data": stored, "updated_by": actor})
    action = "submit_to_township" if plan.school.is_dependent else "submit"
    transition(plan, action, actor=actor, note=note, submitted_at=timezone.now())
    return plan


@transaction.atomic
def plan_forward(*, actor, plan: SchoolPlan, note: str = "") -> SchoolPlan:
    """The township central school has consolidated a village school's plan and sends it to the bureau."""
    permissions.require(actor, "plan.forward", plan)
    transition(plan, "forward", actor=actor, note=note)
    return plan


def plan_return_action(plan: SchoolPlan) -> str:
    """The action that returns this plan: the township's before it forwards, the bureau's after."""
    return "plan.return_by_township" if plan.status == SchoolPlan.Status.AT_TOWNSHIP else "plan.return"


@transaction.atomic
def plan_return(*, actor, plan: SchoolPlan, note: str) -> SchoolPlan:
    """Send the plan back for changes, with the reasons. By the township (before forwarding) or the bureau."""
    action = plan_return_action(plan)
    permissions.require(actor, action, plan)
    if not note.strip():
        raise DomainError(_("Say what must change: a returned plan needs a comment."))
    transition(plan, action.removeprefix("plan."), actor=actor, note=note)
    return plan


@transaction.atomic
def plan_file(*, actor, plan: SchoolPlan, note: str = "") -> SchoolPlan:
    """The bureau files (备案) the plan; it is immutable from now on and gets a filing number."""
    permissions.require(actor, "plan.file", plan)
    prefix = f"西教体备〔{plan.school_year.start_date.year}〕"
    taken = SchoolPlan.objects.filter(filing_number__startswith=prefix).values_list("filing_number", flat=True)
    numbers = [int(m.group(1)) for n in taken if (m := re.search(r"〕(\d+)号$", n))]
    number = f"{prefix}{max(numbers, default=0) + 1}号"
    # Two different plans filed at the same instant could pick the same number: the unique constraint
    # then rolls the later filing back whole, and the reviewer simply files again.
    try:
        with transaction.atomic():
            transition(plan, "file", actor=actor, note=note, filed_at=timezone.now(), filing_number=number)
    except IntegrityError:
        raise DomainError(_("Another plan was filed at the same moment; please file this one again.")) from None
    return plan


@transaction.atomic
def plan_revise(*, actor, plan: SchoolPlan) -> SchoolPlan:
    """Refine a filed plan (R17): the next version starts as a draft holding a copy of every section."""
    permissions.require(actor, "plan.revise", plan)
    plan = _locked(plan)
    if plan.status != SchoolPlan.Status.FILED:
        raise DomainError(_("Only a filed plan is refined by a new version; this one can still be edited."))
    if (
        SchoolPlan.objects.filter(previous=plan).exists()
        or SchoolPlan.objects.filter(
            school=plan.school, school_year=plan.school_year, version__gt=plan.version
        ).exists()
    ):
        raise DomainError(_("A newer version of this plan exists already."))
    try:
        new = SchoolPlan.objects.create(
            school=plan.school, school_year=plan.school_year, version=plan.version + 1, previous=plan, created_by=actor
        )
    except IntegrityError:
        raise DomainError(_("A newer version of this plan was started at the same moment; reload the page.")) from None
    PlanSection.objects.bulk_create(
        [PlanSection(plan=new, key=s.key, data=s.data, updated_by=actor) for s in plan.sections.all()]
    )
    PlanAttachment.objects.bulk_create(
        [
            PlanAttachment(
                plan=new,
                title=a.title,
                file=a.file.name,
                content_type=a.content_type,
                size=a.size,
                uploaded_by=a.uploaded_by,
            )
            for a in plan.attachments.all()
        ]
    )
    return new


def sniff_attachment(upload) -> str:
    """The attachment's real type from its first bytes (a renamed .exe is not a PDF); raises DomainError."""
    return uploads.sniff(
        upload,
        max_bytes=MAX_ATTACHMENT_BYTES,
        too_large=_("The file is larger than 5 MB; please scan at a lower resolution."),
        empty=_("The file is empty."),
        wrong_type=_("Only PDF, JPEG or PNG files can be attached."),
    )


@transaction.atomic
def plan_attachment_add(*, actor, plan: SchoolPlan, upload, title: str) -> PlanAttachment:
    permissions.require(actor, "plan.edit", plan)
    plan = _locked(plan)
    _require_editable(plan)
    content_type = sniff_attachment(upload)
    return PlanAttachment.objects.create(
        plan=plan, title=title, file=upload, content_type=content_type, size=upload.size, uploaded_by=actor
    )


@transaction.atomic
def plan_attachment_remove(*, actor, attachment: PlanAttachment) -> None:
    permissions.require(actor, "plan.edit", attachment.plan)
    plan = _locked(attachment.plan)
    _require_editable(plan)
    attachment.delete()  # the file stays: an earlier filed version may still point at it
