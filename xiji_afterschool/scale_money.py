"""The bulk schools' plans and money (`seed_demo --scale`, issue #16 item 1), after their service classes and rolls.

Per bulk school and year, the rows the services leave, computed by the same rules and written in bulk:

- the school plan (一校一案), version 1, filed by the bureau in August (a village school's or teaching point's through
  its township central school's administrator), its sections as the demo writes them (`schools.demo.PlanWriter`,
  each through its form), the funding section's classes being the year's service classes per stage;
- the annual claim for those classes, computed by the claims service's own `_compute` (30 yuan per class per
  class-hour on every planned service day, Decimal to the fen), submitted, passed by the bureau (jiaotiju), approved
  in full and allocated by finance (caizheng) in September, booked into the school's fund by its allocation entry;
- the spending plan (65 % teacher pay, 12 % staff, 12 % running costs, the rest consumables) approved by the office
  meeting and staff congress (both minutes: one shared PDF per year), and the pay scheme approved by HR (renshe);
- for every closed period (the autumn's September–December, the spring's January–June), a pay run approved and paid,
  its shares divided by the pay rules from the hours record (`funding.selectors.pay.hours_inputs`), its pool booked
  as teacher-subsidy spending.

Each step only if its day has come (`county.now`). The order is the one the PostgreSQL triggers accept: a claim's
lines while it is a draft, then the claim moved on by one UPDATE (as `workflow.transition` does); a pay run's shares
while it is a draft, then the run approved with its ledger entry; a fund inserted with the totals of the entries that
follow it, checked at the end by its deferred constraint trigger (forced to run here, not at commit). Events are
inserted only. Audit records are not written (the events are the history). Idempotent per school and year: a school
with an annual claim or a plan for the year is left as it is.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.utils.translation import gettext as _

from funding.models import (
    Category,
    Claim,
    ClaimEvent,
    ClaimLine,
    Fund,
    LedgerEntry,
    PayRun,
    PayRunEvent,
    PayScheme,
    PaySchemeEvent,
    PayShare,
    SpendingPlan,
    SpendingPlanEvent,
)
from funding.rules import pay as pay_rules
from funding.selectors import pay as pay_selectors
from funding.services import claims as claim_services
from schools.demo import PlanWriter
from schools.forms.plans import SECTIONS, build_form
from schools.models import HoursMonth, PlanSection, School, SchoolPlan, SchoolPlanEvent, SchoolYear, ServiceClass, User
from schools.rules import delivery as delivery_rules
from schools.rules import plans as plan_rules
from schools.services.plans import funding_estimate
from xiji_afterschool.errors import DomainError
from xiji_afterschool.money import yuan

from .scale_families import EVENT_FIELDS, at, next_id

PS, CS = SchoolPlan.Status, Claim.Status
ASSESSMENT = (
    "按课后服务课时量计发，责任教师与代课教师每课时权重1.00，助教0.50；绩效系数由学校考核小组每学期依据学生和家长评价、"
    "服务记录完整性和活动成效确定，一般为1.00。"
)
SUMMARY = "教师补助按课时量和绩效分配；管理补助用于课后服务统筹和安全值守人员；日常运转用于服务时段的水电取暖；耗材用于作业本和文具。"
TIMESTAMPS = ["id", "created_at", "updated_at"]


def hundreds(amount: Decimal) -> Decimal:
    """Down to the hundred yuan, as the demo's budgets are."""
    return yuan(int(amount / 100) * 100)


class Money:
    """Writes the bulk schools' plans and money for one year at a time."""

    def __init__(self, bulk, schools: list[School], staff: dict[int, list[int]]):
        self.bulk, self.schools, self.staff = bulk, schools, staff
        self.county, self.now = bulk.county, bulk.county.clock.now
        self.bureau, self.finance, self.hr = (self.county.user(u).pk for u in ("jiaotiju", "caizheng", "renshe"))

    def due(self, moment: datetime.datetime) -> bool:
        return moment <= self.now

    # ------------------------------------------------------------ plans

    def plans(self, year: SchoolYear, classes: dict[int, dict[str, int]]) -> None:
        have = set(
            SchoolPlan.objects.filter(school__in=self.schools, school_year=year).values_list("school_id", flat=True)
        )
        schools = [s for s in self.schools if s.pk not in have and sum(classes[s.pk].values())]
        y = year.start_date.year
        if not schools or not self.due(at(datetime.date(y, 8, 31), 17)):
            return
        centrals = School.objects.filter(pk__in={s.central_school_id for s in schools if s.central_school_id})
        admins = {u.pk: u for u in User.objects.filter(pk__in=[self.staff[s.pk][0] for s in schools])}
        actor_of = {s.pk: admins[self.staff[s.pk][0]] for s in schools}
        central_admin = dict(
            User.objects.filter(memberships__role="school_admin", memberships__school__in=centrals)
            .order_by("memberships__school_id", "pk")
            .values_list("memberships__school_id", "pk")
            .distinct()
        )
        writer = PlanWriter(year, [*schools, *centrals], actor_of, None, self.county.clock)
        prefix = f"西教体备〔{y}〕"
        taken = SchoolPlan.objects.filter(filing_number__startswith=prefix).values_list("filing_number", flat=True)
        number = max((int(n[len(prefix) : -1]) for n in taken if n[len(prefix) : -1].isdigit()), default=0)
        plan_pk, rows, sections, events = next_id(SchoolPlan), [], [], []
        for i, school in enumerate(schools):
            admin = self.staff[school.pk][0]
            data = writer.sections(school)
            data["funding"] = {f"classes_{stage}": classes[school.pk].get(stage, 0) for stage in school.stages}
            started = at(datetime.date(y, 8, 4 + i % 10), 9)
            for key in [s.key for s in SECTIONS if s.form is not None]:
                form = build_form(key, school=school, data=data[key])
                if not form.is_valid():
                    raise DomainError(f"{school.name} {key}: {form.errors.as_text()}")
                stored = plan_rules.to_json(form.cleaned_data)
                if key == "funding":
                    plan = SchoolPlan(school=school, school_year=year)
                    stored = {**stored, **plan_rules.to_json(funding_estimate(plan=plan, classes=form.cleaned_data))}
                sections.append((started, started, plan_pk, key, stored, admin))
            sections.append((started, started, plan_pk, "timetable", {"timetables": []}, admin))
            submitted, filed = started + datetime.timedelta(days=2), at(datetime.date(y, 8, 20 + i % 10), 15)
            if school.is_dependent:
                forwarder = central_admin.get(school.central_school_id, self.bureau)
                events += [
                    ("submit_to_township", PS.DRAFT, PS.AT_TOWNSHIP, "", admin, False, submitted, plan_pk),
                    ("forward", PS.AT_TOWNSHIP, PS.AT_BUREAU, "已审核，同意报送县教体局。", forwarder, False,
                     submitted + datetime.timedelta(days=1), plan_pk),
                ]  # fmt: skip
            else:
                events.append(("submit", PS.DRAFT, PS.AT_BUREAU, "", admin, False, submitted, plan_pk))
            events.append(("file", PS.AT_BUREAU, PS.FILED, "同意备案。", self.bureau, False, filed, plan_pk))
            number += 1
            rows.append(
                (plan_pk, started, filed, school.pk, year.pk, 1, PS.FILED, admin, submitted, filed,
                 f"{prefix}{number}号")
            )  # fmt: skip
            plan_pk += 1
        copy = self.bulk.copy
        copy(SchoolPlan, [*TIMESTAMPS, "school_id", "school_year_id", "version", "status", "created_by_id",
                          "submitted_at", "filed_at", "filing_number"], rows)  # fmt: skip
        copy(PlanSection, ["created_at", "updated_at", "plan_id", "key", "data", "updated_by_id"], sections)
        copy(SchoolPlanEvent, [*EVENT_FIELDS, "plan_id"], events)
        self.bulk.reset_sequences(SchoolPlan)

    # ------------------------------------------------------------ claims, funds, spending plans, schemes

    def service_classes(self, year: SchoolYear) -> dict[int, dict[str, int]]:
        """School pk -> stage -> the year's service classes (as `claim_prefill` counts them)."""
        counts = defaultdict(lambda: defaultdict(int))
        rows = ServiceClass.objects.filter(school__in=self.schools, school_year=year)
        for service_class in rows.select_related("school").prefetch_related("admin_classes"):
            counts[service_class.school_id][delivery_rules.service_class_stage(service_class)] += 1
        return {s.pk: {stage: counts[s.pk].get(stage, 0) for stage in s.stages} for s in self.schools}

    def minutes(self, year: SchoolYear) -> str:
        """The stored minutes every bulk spending plan of the year points at (one PDF, not one per school)."""
        name = f"funding/minutes/bulk/{year.start_date.year}-minutes.pdf"
        if not default_storage.exists(name):
            from funding.demo import minutes_pdf  # weasyprint: loaded only when a file is drawn

            lines = [
                f"各校审议{year.name}学年课后服务专项经费使用方案：教师补助、人员及管理补助、日常运转和耗材四类，专款专用，不向学生家长收取任何费用。"
            ]
            pdf = minutes_pdf(school=School(name="西吉县"), title="课后服务经费使用方案会议纪要", day=year.start_date,
                              resolution="汇编", lines=lines)  # fmt: skip
            name = default_storage.save(name, ContentFile(pdf))
        return name

    def year(self, year: SchoolYear) -> None:
        classes = self.service_classes(year)
        self.plans(year, classes)
        have = set(Claim.objects.filter(school__in=self.schools, school_year=year).values_list("school_id", flat=True))
        schools = [s for s in self.schools if s.pk not in have and sum(classes[s.pk].values())]
        y = year.start_date.year
        day = lambda month, d: datetime.date(y if month >= 8 else y + 1, month, d)  # noqa: E731
        created, passed, approved, allocated = (
            at(day(9, 2), 9, 30),
            at(day(9, 8), 15, 20),
            at(day(9, 17), 11),
            at(day(9, 25), 16),
        )
        if not schools or not self.due(created):
            return
        first_day = claim_services._first_service_day(year)
        claim_pk, fund_pk, entry_pk = next_id(Claim), next_id(Fund), next_id(LedgerEntry)
        plan_pk, scheme_pk = next_id(SpendingPlan), next_id(PayScheme)
        claims, lines, claim_events, moves = [], [], [], []
        funds, entries, plans, plan_events, schemes, scheme_events = [], [], [], [], [], []
        self.runs = []  # (school, year, scheme pk, fund pk, first, last, pool, created, paid)
        minutes = None
        for school in schools:
            admin = self.staff[school.pk][0]
            computed = claim_services._compute(
                school=school, school_year=year, from_date=first_day, classes=classes[school.pk]
            )
            amount = computed["requested_amount"]
            claims.append(
                (claim_pk, created, created, school.pk, year.pk, Claim.Kind.ANNUAL, CS.DRAFT, computed["rate"],
                 computed["rate_date"], computed["class_hours_per_day"], computed["from_date"], "", amount, "", "",
                 admin)
            )  # fmt: skip
            lines += [(claim_pk, *(line[k] for k in ("stage", "service_classes", "planned_days", "class_hours_per_day",
                                                    "rate", "amount"))) for line in computed["lines"]]  # fmt: skip
            steps = [
                ("submit", CS.DRAFT, CS.SUBMITTED, "请教体局审核。", admin, created + datetime.timedelta(hours=1)),
                ("pass", CS.SUBMITTED, CS.PASSED, "服务班数与备案方案一致，同意报财政局核拨。", self.bureau, passed),
                ("approve", CS.PASSED, CS.APPROVED, "", self.finance, approved),
                (
                    "allocate",
                    CS.APPROVED,
                    CS.ALLOCATED,
                    f"西财教拨〔{y}〕{school.code[-4:]}号",
                    self.finance,
                    allocated,
                ),
            ]
            steps = [s for s in steps if self.due(s[5])]
            claim_events += [(a, f, t, note, who, False, when, claim_pk) for a, f, t, note, who, when in steps]
            if steps:
                moves.append((claim_pk, steps, amount))
            if steps and steps[-1][0] == "allocate":
                voucher = steps[-1][3]
                funds.append([fund_pk, allocated, allocated, school.pk, year.pk, amount, Decimal("0.00")])
                entries.append(
                    (entry_pk, LedgerEntry.Kind.ALLOCATION, "", amount, allocated.date(),
                     _("%(kind)s allocated") % {"kind": Claim.Kind.ANNUAL.label}, voucher, claim_pk, None, None,
                     self.finance, allocated, fund_pk)
                )  # fmt: skip
                entry_pk += 1
                # The spending plan, approved by the office meeting and (two days later) the staff congress.
                office, congress = day(9, 10), day(9, 12)
                if self.due(at(congress, 17, 10)):
                    minutes = minutes or self.minutes(year)
                    teacher, staff, running = (hundreds(amount * Decimal(share)) for share in ("0.65", "0.12", "0.12"))
                    approved_at = at(congress, 17, 10)
                    plans.append(
                        (plan_pk, at(congress, 16, 30), approved_at, school.pk, year.pk, SpendingPlan.Status.APPROVED,
                         teacher, staff, running, amount - teacher - staff - running, SUMMARY, office,
                         f"校办〔{y}〕9号", minutes, congress, f"教代会〔{y}〕9号", minutes, admin, admin, approved_at)
                    )  # fmt: skip
                    plan_events.append(("record_approval", "draft", "approved", "", admin, False, approved_at, plan_pk))
                    plan_pk += 1
                    self.plan_runs(school, year, fund_pk, teacher, scheme_pk)
                fund_pk += 1
            saved, reviewed = at(day(9, 15), 10), at(day(9, 22), 15)
            if self.due(reviewed):
                schemes.append(
                    (scheme_pk, saved, reviewed, school.pk, year.pk, 1, PayScheme.Status.APPROVED, Decimal("1.00"),
                     Decimal("1.00"), Decimal("0.50"), Decimal("0.80"), Decimal("1.20"), ASSESSMENT, admin, admin,
                     self.hr, reviewed)
                )  # fmt: skip
                scheme_events += [
                    ("submit", "draft", "submitted", "", admin, False, saved + datetime.timedelta(minutes=20),
                     scheme_pk),
                    ("approve", "submitted", "approved", "方案符合县人社局绩效分配有关规定，同意执行。", self.hr, False,
                     reviewed, scheme_pk),
                ]  # fmt: skip
                scheme_pk += 1
            else:
                self.runs = [r for r in self.runs if r[2] != scheme_pk]  # no approved scheme: no pay run
            claim_pk += 1
        copy = self.bulk.copy
        copy(Claim, [*TIMESTAMPS, "school_id", "school_year_id", "kind", "status", "rate", "rate_date",
                     "class_hours_per_day", "from_date", "reason", "requested_amount", "reduction_reason",
                     "voucher_no", "created_by_id"], claims)  # fmt: skip
        copy(ClaimLine, ["claim_id", "stage", "service_classes", "planned_days", "class_hours_per_day", "rate",
                         "amount"], lines)  # fmt: skip
        self.move_claims(moves)
        copy(ClaimEvent, [*EVENT_FIELDS, "claim_id"], claim_events)
        copy(SpendingPlan, [*TIMESTAMPS, "school_id", "school_year_id", "status", "budget_teacher", "budget_staff",
                            "budget_running", "budget_consumables", "summary", "office_meeting_date",
                            "office_meeting_resolution", "office_meeting_minutes", "staff_congress_date",
                            "staff_congress_resolution", "staff_congress_minutes", "created_by_id", "approved_by_id",
                            "approved_at"], plans)  # fmt: skip
        copy(SpendingPlanEvent, [*EVENT_FIELDS, "spending_plan_id"], plan_events)
        copy(PayScheme, [*TIMESTAMPS, "school_id", "school_year_id", "version", "status", "weight_responsible",
                         "weight_substitute", "weight_assistant", "performance_min", "performance_max", "assessment",
                         "created_by_id", "submitted_by_id", "reviewed_by_id", "reviewed_at"], schemes)  # fmt: skip
        copy(PaySchemeEvent, [*EVENT_FIELDS, "scheme_id"], scheme_events)
        self.pay(funds, entries, entry_pk)
        self.bulk.reset_sequences(Claim, Fund, LedgerEntry, SpendingPlan, PayScheme, PayRun)
        self.check_funds()
        self.bulk.out(f"  … {year.name}：经费申请 {len(claims)} · 专项资金 {len(funds)} · 绩效发放 {len(self.runs)}")

    def move_claims(self, moves: list) -> None:
        """Each claim from draft to where its steps end, in one UPDATE (its lines were written while a draft)."""
        for pk, steps, amount in moves:
            done = {action: (who, when, note) for action, _f, _t, note, who, when in steps}
            fields = {"status": steps[-1][2], "updated_at": steps[-1][5]}
            if "submit" in done:
                fields |= {"submitted_by_id": done["submit"][0], "submitted_at": done["submit"][1]}
            if "pass" in done:
                fields |= {"first_reviewed_by_id": done["pass"][0], "first_reviewed_at": done["pass"][1]}
            if "approve" in done:
                fields |= {
                    "approved_by_id": done["approve"][0],
                    "approved_at": done["approve"][1],
                    "approved_amount": amount,
                }
            if "allocate" in done:
                who, when, voucher = done["allocate"]
                fields |= {"allocated_by_id": who, "allocated_on": when.date(), "voucher_no": voucher}
            Claim.objects.filter(pk=pk, status=CS.DRAFT).update(**fields)

    # ------------------------------------------------------------ pay runs

    def plan_runs(self, school: School, year: SchoolYear, fund_pk: int, teacher: Decimal, scheme_pk: int) -> None:
        """The autumn's and the spring's runs, each once its months are closed and its pay day has come."""
        y = year.start_date.year
        d = datetime.date
        periods = (
            (d(y, 9, 1), d(y, 12, 1), hundreds(teacher * Decimal("0.4")), at(d(y + 1, 1, 8), 10),
             at(d(y + 1, 1, 12), 11)),
            (d(y + 1, 1, 1), d(y + 1, 6, 1), hundreds(teacher * Decimal("0.5")), at(d(y + 1, 7, 6), 10),
             at(d(y + 1, 7, 8), 11)),
        )  # fmt: skip
        for first, last, pool, created, paid in periods:
            if pool > 0 and self.due(paid):
                self.runs.append((school, year, scheme_pk, fund_pk, first, last, pool, created, paid))

    def pay(self, funds: list, entries: list, entry_pk: int) -> None:
        """Pay runs (drafts with their shares, then approved with their spending entry), after the fund and its
        entries; the fund is inserted with the totals of all its entries."""
        closed = defaultdict(set)
        for school, month in HoursMonth.objects.filter(school__in=self.schools).values_list("school_id", "month"):
            closed[school].add(month)
        spent = defaultdict(Decimal)
        run_pk = next_id(PayRun)
        runs, shares, run_events, approvals = [], [], [], []
        for school, year, scheme_pk, fund_pk, first, last, pool, created, paid in self.runs:
            months, month = [], first
            while month <= last:
                months.append(month)
                month = (month + datetime.timedelta(days=32)).replace(day=1)
            if not set(months) <= closed[school.pk]:
                continue  # the hours record of the period is not closed
            scheme = PayScheme(
                weight_responsible=Decimal("1.00"), weight_substitute=Decimal("1.00"), weight_assistant=Decimal("0.50")
            )
            try:
                rows = pay_rules.compute(
                    pool, pay_selectors.hours_inputs(school=school, first_month=first, last_month=last), scheme
                )
            except DomainError:
                continue  # a division the rules refuse: the school would pay a larger amount, the seed skips it
            if not rows:
                continue
            admin = self.staff[school.pk][0]
            runs.append(
                (run_pk, created, paid, school.pk, year.pk, scheme_pk, PayRun.Status.DRAFT, first, last, pool, admin)
            )
            shares += [
                (run_pk, r.person_id, r.responsible_hours, r.substitute_hours, r.assistant_hours, r.workload, r.factor,
                 r.reason[:200], r.points, r.amount)
                for r in rows
            ]  # fmt: skip
            description = _("Teacher pay by workload, %(first)s to %(last)s (pay run %(number)s)") % {
                "first": f"{first:%Y-%m}",
                "last": f"{last:%Y-%m}",
                "number": run_pk,
            }
            entries.append(
                (entry_pk, LedgerEntry.Kind.SPENDING, Category.TEACHER, pool, paid.date(), description[:200], "", None,
                 None, None, admin, paid, fund_pk)
            )  # fmt: skip
            spent[fund_pk] += pool
            approvals.append((run_pk, paid, entry_pk, admin))
            run_events.append(("approve", "draft", "approved", "已通过银行代发。", admin, False, paid, run_pk))
            run_pk += 1
            entry_pk += 1
        for fund in funds:
            fund[-1] = yuan(spent[fund[0]])
        copy = self.bulk.copy
        copy(Fund, [*TIMESTAMPS, "school_id", "school_year_id", "allocated", "spent"], [tuple(f) for f in funds])
        copy(LedgerEntry, ["id", "kind", "category", "amount", "date", "description", "voucher_no", "claim_id",
                           "model_class_id", "reverses_id", "recorded_by_id", "created_at", "fund_id"],
             entries)  # fmt: skip
        copy(PayRun, [*TIMESTAMPS, "school_id", "school_year_id", "scheme_id", "status", "first_month", "last_month",
                      "pool", "created_by_id"], runs)  # fmt: skip
        copy(PayShare, ["run_id", "person_id", "responsible_hours", "substitute_hours", "assistant_hours", "workload",
                        "performance_factor", "performance_reason", "points", "amount"], shares)  # fmt: skip
        for pk, paid, entry, admin in approvals:  # as pay_run_approve: the draft approved, with its ledger entry
            PayRun.objects.filter(pk=pk, status=PayRun.Status.DRAFT).update(
                status=PayRun.Status.APPROVED, paid_on=paid.date(), approved_by_id=admin, approved_at=paid,
                ledger_entry_id=entry, updated_at=paid,
            )  # fmt: skip
        copy(PayRunEvent, [*EVENT_FIELDS, "run_id"], run_events)
        self.runs = runs

    def check_funds(self) -> None:
        """The funds' deferred totals check, run now rather than at commit: a mismatch fails the seed here."""
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            names = "funding_fund_totals_match_ledger, funding_ledgerentry_moves_totals"
            cursor.execute(f"SET CONSTRAINTS {names} IMMEDIATE")
            cursor.execute(f"SET CONSTRAINTS {names} DEFERRED")
