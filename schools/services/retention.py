"""Kept no longer than needed (issue #14 item 4): the county's retention settings and the nightly sweep that deletes or
anonymises what is due (`retention_sweep_task`, CELERY_BEAT_SCHEDULE).

What the sweep does, per data class (`rules/retention.py`):

- exports, imports, letters: every finished background job with a file (`xiji_afterschool.jobs.job_models()`: the
  roster export, the roster import, the letter batch, and any later one; a model says its class in `RETENTION`,
  "exports" when it says nothing) is deleted with its file once due — a job still queued or running is left alone —
  and any file left under the jobs' upload folders that no row names (a killed attempt's leftover) once older than the
  period. Letters are due `days` after their school year's last day.
- verification_codes: `MobileCode` rows older than the period are deleted.
- applicants_closed: a withdrawn application (its withdrawal older than the period) keeps its counts and priority
  groups for the statistics and loses the pick-up person, mobile and reasons; a declined agreement older than the
  period loses the signer's name, address and browser. A child with such an application or agreement and no other
  live relation is anonymised: name "已匿名", no ID number, the birth date kept to the year, a new link code (old
  letters no longer link), the application's review notes anonymised, the guardian links removed and a guardian left with no child, no account and nothing else
  deleted. Live: an application not withdrawn or not yet due, an agreement younger than the period, attendance or a
  service-class membership younger than the attendance period, and any row of another app not yet anonymised by its
  own class (safety's hand-overs, incidents…) other than the child's own pick-up arrangements.
- attendance: a child whose every attendance mark and service-class membership is older than the attendance period
  (30 years) and who has no other live relation is anonymised the same way; the marks stay (the money rests on them).
- logs: daily log files (`XIJI_LOG_DIR`) older than the period are removed (the handler also prunes by
  XIJI_LOG_RETENTION_DAYS).
- messages, gate, safety_records, incidents, requests (and applicants_closed's and attendance's part in other apps):
  what each app declares in its `privacy.py` (`privacy.Expiry`, `privacy.EXPIRIES`): rows whose moment (`since`) is
  older than the class's period are deleted, or their personal fields become "已匿名" or empty and a file among them
  is deleted; the facts (dates, kinds, statuses, amounts) stay for the statistics. The append-only tables let exactly
  that update through (xiji_afterschool/dbguards.py). A child's own pick-up arrangements (`with_child`: authorised
  adults, day delegations, walking home, bus and dormitory) are anonymised with the child; any other declared row
  keeps the child from being anonymised until the row itself is.
- money, audit: nothing is deleted by the application. The money tables and the audit trail are append-only (PostgreSQL
  triggers refuse UPDATE and DELETE, and the application's role cannot disable them): their retention is the DBA's
  partition archival outside the application, by these settings.

Every sweep writes one `RetentionRun` (the moment, the counts per class, the ids touched) and one audit record. A sweep
as of a moment already swept does nothing, and a later sweep finds nothing already done.
"""

import datetime
import itertools
import logging
import os
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.core.files.storage import FileSystemStorage
from django.db import IntegrityError, models, transaction
from django.db.models import Max, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from xiji_afterschool import jobs, permissions, privacy
from xiji_afterschool.errors import DomainError

from ..models import (
    Attendance,
    Guardian,
    MobileCode,
    RetentionRun,
    RetentionSetting,
    Student,
    StudentGuardian,
    new_link_code,
)
from ..rules import retention as rules
from . import audit

log = logging.getLogger("xiji.retention")

ANON = rules.ANONYMISED


# ---------------------------------------------------------------- settings


def current_days() -> dict[str, int]:
    """The days of every class: the county's rows, the rule's default for a class without one."""
    stored = dict(RetentionSetting.objects.values_list("key", "days"))
    return {key: stored.get(key, rules.default_days(key)) for key in rules.KEYS}


@transaction.atomic
def settings_defaults() -> int:
    """Write the rules' default for every class without a row (migration 0013 writes them; a flushed database, the
    demo); never changes a row the bureau set. Returns how many were written."""
    written = 0
    for key in rules.KEYS:
        written += RetentionSetting.objects.get_or_create(key=key, defaults={"days": rules.default_days(key)})[1]
    return written


@transaction.atomic
def settings_update(*, actor, values: dict[str, int]) -> list[str]:
    """The bureau sets the days of one or more classes; each change is audited. Returns the changed keys. Raises
    DomainError (in words) for an unknown class or days outside the class's bounds; nothing is saved then."""
    permissions.require(actor, "retention.manage")
    for key, days in values.items():
        if key not in rules.KEYS:
            raise DomainError(f"unknown data class {key}")
        problem = rules.check_days(key, int(days))
        if problem:
            raise DomainError(f"{rules.label(key)}: {problem}")
    before = current_days()
    changed = []
    for key in rules.KEYS:
        if key not in values or int(values[key]) == before[key]:
            continue
        row, _created = RetentionSetting.objects.select_for_update().get_or_create(
            key=key, defaults={"days": before[key]}
        )
        old = row.days
        row.days = int(values[key])
        row.updated_by = actor
        row.updated_at = timezone.now()
        row.save(update_fields=["days", "updated_by", "updated_at"])
        audit.record(
            action="retention.set", obj=row, changes={key: [old, row.days]}, school=None, label=key, actor=actor
        )
        changed.append(key)
    return changed


# ---------------------------------------------------------------- files of background jobs


def _class_of(model) -> str:
    return getattr(model, "RETENTION", rules.EXPORTS)


def _job_file_models():
    """(model, class key) of every job model that stores a file in `file`."""
    out = []
    for model in jobs.job_models():
        try:
            field = model._meta.get_field("file")
        except FieldDoesNotExist:  # a job without a file keeps nothing on disk
            continue
        if isinstance(field, models.FileField):
            out.append((model, _class_of(model)))
    return out


def _due_jobs(model, key: str, *, now: datetime.datetime, days: int):
    waiting = [model.Status.PENDING, model.Status.RUNNING]
    rows = model.objects.exclude(status__in=waiting)
    if key == rules.LETTERS and any(f.name == "school_year" for f in model._meta.fields):
        last_end = rules.last_school_year_end_due(days=days, today=timezone.localdate(now))
        return rows.filter(school_year__end_date__lte=last_end)
    return rows.filter(created_at__lt=rules.cutoff(now, days))


def _sweep_job_files(now, days_of, counts, details) -> None:
    for model, key in _job_file_models():
        due = _due_jobs(model, key, now=now, days=days_of[key])
        for pk, name in due.values_list("pk", "file"):
            field = model._meta.get_field("file")
            if name:
                field.storage.delete(name)  # first: a rolled-back delete of the row is found again tomorrow
                details["files"] = details.get("files", 0) + 1
            if model.objects.filter(pk=pk).delete()[0]:
                counts[key] += 1
                details.setdefault(f"{model._meta.label}", []).append(pk)


def _upload_roots(model) -> list[str]:
    """The first folder of the file field's upload_to ("exports/roster/%Y/%m/" → "exports/roster")."""
    upload_to = model._meta.get_field("file").upload_to
    if callable(upload_to):
        return []
    parts = list(itertools.takewhile(lambda p: "%" not in p, [p for p in str(upload_to).split("/") if p]))
    return ["/".join(parts)] if parts else []


def _sweep_orphan_files(now, days_of, counts, details) -> None:
    """Files under a job model's upload folder that no row names, older than the class's period (a killed attempt's
    output, a row deleted without its file). Only on the file-system storage."""
    for model, key in _job_file_models():
        storage = model._meta.get_field("file").storage
        if not isinstance(storage, FileSystemStorage):
            continue
        named = set(model.objects.exclude(file="").values_list("file", flat=True))
        oldest = (now - datetime.timedelta(days=max(days_of[key], 1))).timestamp()
        for root in _upload_roots(model):
            top = Path(storage.path(root))
            if not top.is_dir():
                continue
            for folder, _dirs, files in os.walk(top):
                for filename in files:
                    path = Path(folder) / filename
                    name = path.relative_to(storage.location).as_posix()
                    if name in named or path.stat().st_mtime >= oldest:
                        continue
                    path.unlink(missing_ok=True)
                    details["orphan_files"] = details.get("orphan_files", 0) + 1


# ---------------------------------------------------------------- people


def _enrollment(name: str):
    """An enrollment model, if the app is installed (schools is the base app and imports none of the others)."""
    if not apps.is_installed("enrollment"):
        return None
    return apps.get_model("enrollment", name)


def _application_fields_anonymised() -> dict:
    return {
        "pickup_person": ANON,
        "pickup_relation": "",
        "pickup_mobile": "",
        "pickup_difficulty": ANON,
        "priority_note": "",
    }


def _anonymise_applications(qs, now) -> int:
    ApplicationEvent = _enrollment("ApplicationEvent")
    done = 0
    for application in qs.only("pk", "extended_reason"):
        changes = _application_fields_anonymised()
        changes["extended_reason"] = ANON if application.extended_reason else ""  # extended care keeps a reason
        done += type(application).objects.filter(pk=application.pk).update(updated_at=now, **changes)
        # The review notes (why returned, why refused) may describe the child: the append-only history lets the note
        # alone become the word (enrollment 0013).
        ApplicationEvent.objects.filter(application=application).exclude(note="").exclude(note=ANON).update(note=ANON)
    return done


def _anonymise_agreements(qs, now) -> int:
    return qs.exclude(signer_name=ANON).update(signer_name=ANON, ip_address=None, user_agent="", updated_at=now)


def _is_live(student: Student, *, now, days_of) -> bool:
    """Whether anything still needs the child's personal data (see the module's note)."""
    applicants_cutoff = rules.cutoff(now, days_of[rules.APPLICANTS_CLOSED])
    attendance_day = timezone.localdate(rules.cutoff(now, days_of[rules.ATTENDANCE]))
    for relation in Student._meta.related_objects:
        label = relation.related_model._meta.label
        rows = relation.related_model._default_manager.filter(**{relation.field.name: student})
        if label == "schools.StudentGuardian" or label in _child_own_models():
            continue  # the child's own data: removed with it
        if label in _expiring_models():  # another class keeps it, until that class has anonymised it
            rows = rows.filter(_not_yet_anonymised(relation.related_model, _expiring_models()[label]))
        if label == "enrollment.Application":
            rows = rows.exclude(pickup_person=ANON)  # not yet anonymised: open, or withdrawn but not yet due
        elif label == "enrollment.Agreement":
            rows = rows.filter(created_at__gte=applicants_cutoff)
        elif label == "enrollment.Consent":  # the record of a consent, kept as long as the agreement's (issue #14)
            rows = rows.filter(Q(given_at__gte=applicants_cutoff) | Q(withdrawn_at__gte=applicants_cutoff))
        elif label == "schools.Attendance":
            rows = rows.filter(session__date__gte=attendance_day)
        elif label == "schools.ServiceClassMember":
            rows = rows.filter(Q(end_date__isnull=True) | Q(end_date__gte=attendance_day))
        if rows.exists():
            return True
    return False


def _anonymise_child(student: Student, *, now) -> int:
    """The child's personal data, and what hangs on it alone. Returns the guardians deleted."""
    Student.objects.filter(pk=student.pk).update(
        name=ANON,
        id_number=None,
        id_number_digest=None,  # update() skips pre_save: the digest and last four go with the number
        id_number_last4="",
        birth_date=rules.birth_year_only(student.birth_date),
        link_code=new_link_code(),
        updated_at=now,
    )
    Application, Agreement = _enrollment("Application"), _enrollment("Agreement")
    if Application is not None:
        _anonymise_applications(Application.objects.filter(student=student).exclude(pickup_person=ANON), now)
        _anonymise_agreements(Agreement.objects.filter(student=student), now)
        Consent = _enrollment("Consent")
        if Consent is not None:  # the signer's name and address, and the paper form's scan (a signature)
            consents = Consent.objects.filter(student=student).exclude(signer_name=ANON)
            for name in consents.exclude(scan="").values_list("scan", flat=True):
                Consent._meta.get_field("scan").storage.delete(name)  # first, as for the job files above
            consents.update(signer_name=ANON, ip_address=None, scan="", scan_content_type="", updated_at=now)
    for expiry in privacy.EXPIRIES:
        if expiry.with_child and _installed(expiry):
            _anonymise_rows(_model(expiry).objects.filter(**{expiry.with_child: student}), expiry)
    guardian_ids = list(StudentGuardian.objects.filter(student=student).values_list("guardian_id", flat=True))
    StudentGuardian.objects.filter(student=student).delete()
    deleted = 0
    for guardian in Guardian.objects.filter(pk__in=guardian_ids, user__isnull=True):
        others = [
            r
            for r in Guardian._meta.related_objects
            if r.related_model._default_manager.filter(**{r.field.name: guardian}).exists()
        ]
        if not others:  # no other child, no account, no hand-over signed: nothing needs the guardian
            guardian.delete()
            deleted += 1
    return deleted


def _anonymise_children(candidates, key, *, now, days_of, counts, details) -> None:
    for student in candidates.exclude(name=ANON).distinct().only("pk", "birth_date"):
        if _is_live(student, now=now, days_of=days_of):
            continue
        details["guardians"] = details.get("guardians", 0) + _anonymise_child(student, now=now)
        counts[key] += 1
        details.setdefault(f"children_{key}", []).append(student.pk)


def _sweep_applicants(now, days_of, counts, details) -> None:
    Application, Agreement = _enrollment("Application"), _enrollment("Agreement")
    if Application is None:
        return
    cutoff = rules.cutoff(now, days_of[rules.APPLICANTS_CLOSED])
    withdrawn = (
        Application.objects.filter(status=Application.Status.WITHDRAWN)
        .exclude(pickup_person=ANON)
        .annotate(closed_at=Coalesce(Max("events__created_at", filter=Q(events__action="withdraw")), "updated_at"))
        .filter(closed_at__lt=cutoff)
    )
    details["applications"] = _anonymise_applications(withdrawn, now)
    declined = Agreement.objects.filter(decision=Agreement.Decision.DECLINED, created_at__lt=cutoff)
    details["agreements"] = _anonymise_agreements(declined, now)
    counts[rules.APPLICANTS_CLOSED] += details["applications"] + details["agreements"]
    candidates = Student.objects.filter(
        Q(applications__status=Application.Status.WITHDRAWN, applications__pickup_person=ANON)
        | Q(agreements__decision=Agreement.Decision.DECLINED, agreements__created_at__lt=cutoff)
    )
    _anonymise_children(candidates, rules.APPLICANTS_CLOSED, now=now, days_of=days_of, counts=counts, details=details)


def _sweep_attendance(now, days_of, counts, details) -> None:
    attendance_day = timezone.localdate(rules.cutoff(now, days_of[rules.ATTENDANCE]))
    old = Attendance.objects.values("student").annotate(last=Max("session__date")).filter(last__lt=attendance_day)
    candidates = Student.objects.filter(pk__in=old.values("student"))
    _anonymise_children(candidates, rules.ATTENDANCE, now=now, days_of=days_of, counts=counts, details=details)


# ---------------------------------------------------------------- what the other apps declare (privacy.Expiry)


def _model(expiry):
    return apps.get_model(expiry.model)


def _installed(expiry) -> bool:
    return expiry.model.split(".")[0] in apps.app_configs


def _child_own_models() -> set[str]:
    return {e.model for e in privacy.EXPIRIES if e.with_child}


def _expiring_models() -> dict[str, dict]:
    """Model label -> the fields its expiries anonymise and what they become (rows only deleted are left out)."""
    out: dict[str, dict] = {}
    for e in privacy.EXPIRIES:
        if e.anonymise and not e.with_child:
            out.setdefault(e.model, {}).update(e.anonymise)
    return out


def _not_yet_anonymised(model, anonymise: dict) -> Q:
    """Rows where some personal field still holds something other than what anonymising leaves (an encrypted field
    cannot be compared in a query: it goes with the others)."""
    from xiji_afterschool.fields import EncryptedCharField

    out = Q(pk__in=[])
    for name, value in anonymise.items():
        field = model._meta.get_field(name)
        if isinstance(field, EncryptedCharField):
            continue
        if value == ANON:
            out |= ~Q(**{name: ANON})
        elif field.null:
            out |= ~Q(**{name: ""}) & Q(**{f"{name}__isnull": False})
        else:
            out |= ~Q(**{name: ""})
    return out


def _anonymise_rows(qs, expiry) -> int:
    """Anonymise (or delete) the rows of `qs` under `expiry`; files first, as for the job files above."""
    model = qs.model
    if not expiry.anonymise:
        return qs.delete()[1].get(model._meta.label, 0)
    qs = qs.filter(_not_yet_anonymised(model, expiry.anonymise))
    for name in expiry.anonymise:
        field = model._meta.get_field(name)
        if isinstance(field, models.FileField):
            for stored in qs.exclude(**{name: ""}).values_list(name, flat=True):
                field.storage.delete(stored)
    return qs.update(**expiry.anonymise)


def _is_date(model, path: str) -> bool:
    """Whether the field at the end of a lookup path (`incident__occurred_at`) is a date (not a moment)."""
    for part in path.split("__")[:-1]:
        model = model._meta.get_field(part).related_model
    field = model._meta.get_field(path.split("__")[-1])
    return isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField)


def _sweep_declared(now, days_of, counts, details) -> None:
    for expiry in privacy.EXPIRIES:
        if not _installed(expiry):
            continue
        model = _model(expiry)
        cutoff = rules.cutoff(now, days_of[expiry.retention])
        before = timezone.localdate(cutoff) if _is_date(model, expiry.since) else cutoff
        due = model._default_manager.filter(*expiry.where, **{f"{expiry.since}__lt": before})
        done = _anonymise_rows(due, expiry)
        if done:
            counts[expiry.retention] += done
            details[model._meta.label] = details.get(model._meta.label, 0) + done


# ---------------------------------------------------------------- codes and logs


def _sweep_codes(now, days_of, counts, details) -> None:
    cutoff = rules.cutoff(now, days_of[rules.VERIFICATION_CODES])
    counts[rules.VERIFICATION_CODES] += MobileCode.objects.filter(created_at__lt=cutoff).delete()[0]


def _sweep_logs(now, days_of, counts, details) -> None:
    directory = Path(settings.XIJI_LOG_DIR)
    if not directory.is_dir():
        return
    today = timezone.localdate(now)
    for path in directory.glob("xiji-????-??-??.log"):
        if rules.log_day_due(name=path.name, prefix="xiji", today=today, days=days_of[rules.LOGS]):
            path.unlink(missing_ok=True)
            counts[rules.LOGS] += 1


# ---------------------------------------------------------------- the sweep


def sweep(*, now: datetime.datetime | None = None) -> RetentionRun:
    """Delete or anonymise what is due as of `now` (default: this moment) and record the run. A sweep as of a moment
    already swept returns that run and does nothing."""
    now = now or timezone.now()
    existing = RetentionRun.objects.filter(ran_at=now).first()
    if existing is not None:
        return existing
    days_of = current_days()
    counts = dict.fromkeys(rules.KEYS, 0)
    details: dict = {}
    # Files first, each job row deleted after its file: a failure part-way leaves rows the next sweep finds again.
    _sweep_job_files(now, days_of, counts, details)
    _sweep_orphan_files(now, days_of, counts, details)
    _sweep_logs(now, days_of, counts, details)
    try:
        with transaction.atomic():
            _sweep_codes(now, days_of, counts, details)
            _sweep_declared(now, days_of, counts, details)
            _sweep_applicants(now, days_of, counts, details)
            _sweep_attendance(now, days_of, counts, details)
            details["kept_outside"] = [rules.MONEY, rules.AUDIT]  # append-only: archived by the DBA
            run = RetentionRun.objects.create(ran_at=now, counts=counts, details=details)
            audit.record(
                action="retention.sweep",
                obj=run,
                changes={key: [None, n] for key, n in counts.items() if n},
                school=None,
                system=True,
                label=str(run),
                note=f"files={details.get('files', 0)} orphans={details.get('orphan_files', 0)}",
            )
    except IntegrityError:  # another sweep as of the same moment won the race
        return RetentionRun.objects.get(ran_at=now)
    if run.total:
        log.info("retention sweep %s: %s", run, {k: n for k, n in counts.items() if n})
    return run
