"""The bulk schools' families and their paperwork (`seed_demo --scale`, issue #16 item 1), after their service classes.

For each pupil in a bulk service class of a year, as the services would have left it: the primary guardian's parent
account (user name from the mobile's digest, `crypto.parent_username`; no usable password; the mobile verified by
the roster holding the same number) linked as the roster guardian, with its parent membership; the school's
agreement text of the year (version 1, the default wording); the guardian's two separate consents, given online at
the child's first application (each with its "give" event); the signed agreement of that version; and the
application, attending the child's service class, with its history — submitted by the guardian, approved by the
class (the school's administrator stands in: bulk schools have no class teachers), approved by the school, placed,
and made attending by the nightly job on the first service day. Steps not yet due at `county.now` are left out, so a
county seeded before the first service day holds placed or submitted applications instead.

Written by `Bulk.copy` (COPY on PostgreSQL, bulk_create elsewhere), the records with explicit ids so their events and
links need no read-back; the event tables are append-only and only ever receive INSERTs. Audit records are not
written for these steps (the events are the history; the demo county's own steps have both). Idempotent: a pupil
who already has a live application for the year, and a guardian who already has an account, are skipped.
"""

import datetime
import random
from collections import defaultdict

from django.contrib.auth.hashers import make_password
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from enrollment.models import (
    Agreement,
    AgreementText,
    Application,
    ApplicationEvent,
    Consent,
    ConsentEvent,
    ConsentKind,
    ConsentText,
)
from enrollment.services.agreements import default_agreement_text
from schools.models import Guardian, Membership, Role, School, SchoolYear, ServiceClassMember, StudentGuardian, User
from xiji_afterschool import crypto

AS = Application.Status
DIFFICULTIES = (
    "父母都在外务工，爷爷奶奶接送不便",
    "家长下班时间晚于放学时间",
    "家离学校远，放学后无人看护",
    "父母务农，傍晚才能回家",
    "家长在县城打工，孩子放学后无人辅导作业",
)
PREFERENCES = (["homework", "reading"], ["homework", "sports"], ["reading", "homework"], ["sports", "homework"])
PHONES = (
    "Mozilla/5.0 (Linux; Android 10; V1936A) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/86.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; Android 12; PDAM10) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/99.0 Mobile Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 15_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
)
SENSITIVE_SHARE = 0.7  # families who also give the separate consent to sensitive information
EVENT_FIELDS = ["action", "from_status", "to_status", "note", "actor_id", "by_system", "created_at"]


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def next_id(model) -> int:
    return (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1


class Families:
    """Writes the families' side of the bulk schools for the given years (oldest first)."""

    def __init__(self, bulk, schools: list[School], staff: dict[int, list[int]]):
        self.bulk, self.schools, self.staff = bulk, schools, staff
        self.now = bulk.county.clock.now
        self.rng = random.Random(f"scale-families:{bulk.county.seed}")  # its own draws: the roster's stay as they were
        self.unusable = make_password(None)

    # ------------------------------------------------------------ accounts

    def parents(self, student_pks: set[int]) -> dict[int, tuple]:
        """Student pk -> (parent user pk, guardian name, relation, mobile) for the primary guardian, whose account is
        created (and linked) if the guardian has none."""
        links = StudentGuardian.objects.filter(student_id__in=student_pks, is_primary=True).select_related("guardian")
        links = list(links.order_by("student_id"))
        # Guardians come in pupil order, so the accounts (and their pks) are the same on every run.
        missing = {link.guardian_id: link.guardian for link in links if link.guardian.user_id is None}
        if missing:
            digests = {g.pk: crypto.mobile_digest(g.mobile) for g in missing.values()}
            taken = set(User.objects.filter(mobile_digest__in=digests.values()).values_list("mobile_digest", flat=True))
            users = [
                User(
                    username=crypto.parent_username(g.mobile), mobile=g.mobile, full_name=g.name,
                    password=self.unusable, date_joined=self.now, mobile_verified_at=self.now,
                )
                for pk, g in missing.items()
                if digests[pk] not in taken
            ]  # fmt: skip
            User.objects.bulk_create(users, batch_size=2000)
            self.bulk.counts["user (parent)"] += len(users)
            created = User.objects.filter(mobile_digest__in=[digests[pk] for pk in missing]).exclude(
                memberships__role=Role.PARENT
            )
            members = [Membership(user_id=pk, role=Role.PARENT) for pk in created.values_list("pk", flat=True)]
            Membership.objects.bulk_create(members, batch_size=2000)
            self.bulk.counts["membership (parent)"] += len(members)
            # The roster's guardian now has its account (the one place this step updates: a roster row, no history).
            account = User.objects.filter(mobile_digest=OuterRef("mobile_digest")).values("pk")[:1]
            Guardian.objects.filter(pk__in=list(missing), user=None).update(user_id=Subquery(account))
        users = dict(Guardian.objects.filter(pk__in={link.guardian_id for link in links}).values_list("pk", "user_id"))
        return {
            link.student_id: (users[link.guardian_id], link.guardian.name, link.relation, link.guardian.mobile)
            for link in links
        }

    # ------------------------------------------------------------ texts

    def agreement_texts(self, year: SchoolYear, first_day: datetime.date) -> dict[int, int]:
        """School pk -> the pk of its current agreement text for the year (version 1, published if missing)."""
        have = AgreementText.objects.filter(school__in=self.schools, school_year=year).order_by("school_id", "version")
        texts = {school: pk for school, pk in have.values_list("school_id", "pk")}  # the newest version wins
        published = min(at(first_day - datetime.timedelta(days=21), 9), self.now)
        rows = [
            AgreementText(
                school=s, school_year=year, version=1, body=default_agreement_text(school=s),
                published_by_id=self.staff[s.pk][0], created_at=published, updated_at=published,
            )
            for s in self.schools
            if s.pk not in texts
        ]  # fmt: skip
        for text in AgreementText.objects.bulk_create(rows):
            texts[text.school_id] = text.pk
        self.bulk.counts["agreementtext"] += len(rows)
        return texts

    # ------------------------------------------------------------ the year

    def year(self, year: SchoolYear) -> None:
        members = (
            ServiceClassMember.objects.filter(service_class__school__in=self.schools, service_class__school_year=year)
            .exclude(student__applications__school_year=year)
            .order_by("student_id")
            .values_list("student_id", "service_class_id", "service_class__school_id", "start_date")
        )
        members = list(members)
        if not members:
            return
        first_day = min(m[3] for m in members)
        parents = self.parents({m[0] for m in members})
        texts = self.agreement_texts(year, first_day)
        consent_texts = {}
        for kind, pk in ConsentText.objects.order_by("kind", "version").values_list("kind", "pk"):
            consent_texts[kind] = pk  # the newest version of each kind
        live = defaultdict(set)
        for student, kind in Consent.objects.filter(
            student_id__in=[m[0] for m in members], status=Consent.Status.GIVEN
        ).values_list("student_id", "kind"):
            live[student].add(kind)
        rng, now = self.rng, self.now
        agreement_pk, application_pk, consent_pk = next_id(Agreement), next_id(Application), next_id(Consent)
        agreements, applications, app_events, consents, consent_events = [], [], [], [], []
        for student, service_class, school, start in members:
            if student not in parents:
                continue
            parent, name, relation, mobile = parents[student]
            admin = self.staff[school][0]
            submitted = at(start - datetime.timedelta(days=rng.randint(6, 16)), rng.randint(19, 21), rng.randrange(60))
            hour = datetime.timedelta(hours=1)
            steps = [  # (action, from, to, actor, by_system, moment)
                ("submit", AS.SUBMITTED, AS.SUBMITTED, parent, False, submitted),
                ("class_approve", AS.SUBMITTED, AS.CLASS_APPROVED, admin, False, submitted + 14 * hour),
                ("school_approve", AS.CLASS_APPROVED, AS.APPROVED, admin, False, submitted + 39 * hour),
                ("place", AS.APPROVED, AS.PLACED, admin, False, at(start - datetime.timedelta(days=2), 16, 30)),
                ("activate", AS.PLACED, AS.ACTIVE, None, True, at(start, 5, 30)),
            ]  # fmt: skip
            steps = [s for s in steps if s[5] <= now]
            if not steps:
                continue  # not applied yet on the county's day
            ip = f"223.104.{rng.randrange(1, 255)}.{rng.randrange(1, 255)}"
            agent = rng.choice(PHONES)
            for kind in (ConsentKind.PERSONAL, ConsentKind.SENSITIVE):
                if kind in live[student] or (kind == ConsentKind.SENSITIVE and rng.random() >= SENSITIVE_SHARE):
                    continue
                live[student].add(kind)
                consents.append(
                    (consent_pk, submitted, submitted, student, kind, consent_texts[kind], Consent.Status.GIVEN,
                     Consent.Channel.ONLINE, submitted, parent, name, relation, ip, "", "")
                )  # fmt: skip
                consent_events.append(("give", "", Consent.Status.GIVEN, "", parent, False, submitted, consent_pk))
                consent_pk += 1
            agreements.append(
                (agreement_pk, submitted, submitted, student, texts[school], Agreement.Decision.SIGNED, name, relation,
                 True, parent, False, ip, agent)
            )  # fmt: skip
            status = steps[-1][2]
            placed = status in (AS.PLACED, AS.ACTIVE)
            applications.append(
                (application_pk, submitted, steps[-1][5], student, school, year.pk, status,
                 Application.ServiceKind.REGULAR, "", rng.choice(DIFFICULTIES), rng.random() < 0.4,
                 rng.random() < 0.08, False, False, "", rng.choice(PREFERENCES), name, relation, mobile, agreement_pk,
                 parent, False, submitted, service_class if placed else None, False)
            )  # fmt: skip
            app_events += [
                (a, f, t, "", actor, system, moment, application_pk) for a, f, t, actor, system, moment in steps
            ]
            agreement_pk += 1
            application_pk += 1
        copy = self.bulk.copy
        copy(Consent, ["id", "created_at", "updated_at", "student_id", "kind", "text_id", "status", "channel",
                       "given_at", "given_by_id", "signer_name", "relation", "ip_address", "scan",
                       "scan_content_type"], consents)  # fmt: skip
        copy(ConsentEvent, [*EVENT_FIELDS, "consent_id"], consent_events)
        copy(Agreement, ["id", "created_at", "updated_at", "student_id", "text_id", "decision", "signer_name",
                         "relation", "consent", "signed_by_id", "paper_original_on_file", "ip_address",
                         "user_agent"], agreements)  # fmt: skip
        copy(Application, ["id", "created_at", "updated_at", "student_id", "school_id", "school_year_id", "status",
                           "service_kind", "extended_reason", "pickup_difficulty", "dual_working", "migrant_child",
                           "disability", "economic_hardship", "priority_note", "preferences", "pickup_person",
                           "pickup_relation", "pickup_mobile", "agreement_id",
                           "applicant_id", "paper_original_on_file", "submitted_at", "service_class_id", "late"],
             applications)  # fmt: skip
        copy(ApplicationEvent, [*EVENT_FIELDS, "application_id"], app_events)
        self.bulk.reset_sequences(Consent, Agreement, Application)
        self.bulk.out(f"  … {year.name}：申请 {len(applications)} · 协议 {len(agreements)} · 同意书 {len(consents)}")
