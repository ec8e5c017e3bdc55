"""The copy of everything held about a guardian and their children (issue #14, item 5), as sections of rows: the
"My data" page, the JSON and the Excel workbook all come from `my_data_sections`.

`full=True` (the downloads) shows the guardian's own data in full — their name and mobile, the mobiles they gave for
pick-up adults and applications: it is theirs. Other guardians' mobiles are always masked, and the page (full=False)
masks the guardian's name and mobile too, as it may be read over a shoulder. The child's ID number and the letter
code are never written out (a code is a key to link a child, not data about them)."""

import datetime
import json
from dataclasses import dataclass, field

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.translation import gettext as _

from schools.models import Attendance, StudentGuardian
from schools.rules import roster as roster_rules
from xiji_afterschool import exports


@dataclass
class Section:
    key: str  # the JSON key, stable and in English
    title: str  # the sheet's and the page's heading, in the reader's language
    columns: list[tuple[str, str]]  # (key, label)
    rows: list[dict] = field(default_factory=list)

    @property
    def header(self) -> list[str]:
        return [label for _key, label in self.columns]

    def table(self) -> list[list]:
        return [[row.get(key, "") for key, _label in self.columns] for row in self.rows]


def _name(value: str, full: bool) -> str:
    return value if full or not value else value[:1] + "**"


def _mobile(value: str, full: bool) -> str:
    return value if full else roster_rules.mask_mobile(value or "")


def _local(value):
    """A stored moment as the county's local time without zone (Excel takes no aware datetimes)."""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).replace(tzinfo=None, microsecond=0)
    return value


def _yes(value: bool) -> str:
    return _("Yes") if value else _("No")


def my_data_sections(data: dict, *, full: bool) -> list[Section]:
    """The sections of the copy, in order (see the module's docstring for what is masked)."""
    parent, guardian = data["parent"], data["guardian"]
    you = Section(
        "guardian",
        _("You"),
        [("name", _("Name")), ("mobile", _("Mobile number")), ("account", _("Account")),
         ("mobile_verified", _("Mobile verified")), ("registered", _("Registered on"))],
    )  # fmt: skip
    you.rows.append(
        {
            "name": _name(guardian.name if guardian else parent.full_name, full),
            "mobile": _mobile(guardian.mobile if guardian else parent.mobile, full),
            # A parent signs in with their mobile (the stored user name is derived from its digest).
            "account": _mobile(parent.mobile or parent.get_username(), full),
            "mobile_verified": _yes(bool(parent.mobile_verified_at)),
            "registered": _local(parent.date_joined),
        }
    )
    children = Section(
        "children",
        _("Your children"),
        [("child", _("Child")), ("school", _("School")), ("class", _("Class")), ("gender", _("Gender")),
         ("birth_date", _("Birth date")), ("id_number", _("Resident ID number")), ("boarder", _("Boarder"))],
    )  # fmt: skip
    links = Section(
        "guardians",
        _("Guardians of each child"),
        [("child", _("Child")), ("name", _("Guardian")), ("relation", _("Relation")), ("mobile", _("Mobile number")),
         ("primary", _("Primary contact")), ("you", _("This is you"))],
    )  # fmt: skip
    for child in data["children"]:
        children.rows.append(
            {
                "child": child.name,
                "school": child.school.name,
                "class": str(child.admin_class),
                "gender": child.get_gender_display(),
                "birth_date": child.birth_date,
                "id_number": child.masked_id_number,
                "boarder": _yes(child.is_boarder),
            }
        )
        for link in child.guardian_links.all():
            mine = guardian is not None and link.guardian_id == guardian.pk
            links.rows.append(
                {
                    "child": child.name,
                    "name": _name(link.guardian.name, full or not mine),
                    "relation": StudentGuardian.Relation.label_of(link.relation),
                    # another guardian's mobile is theirs, not this reader's: always masked
                    "mobile": _mobile(link.guardian.mobile, full and mine),
                    "primary": _yes(link.is_primary),
                    "you": _yes(mine),
                }
            )
    names = {c.pk: c.name for c in data["children"]}
    applications = Section(
        "applications",
        _("Applications"),
        [("child", _("Child")), ("school_year", _("School year")), ("status", _("Status")),
         ("service", _("Service wanted")), ("submitted_at", _("Applied at")), ("pickup_person", _("Pick-up person")),
         ("pickup_mobile", _("Their mobile number")), ("priority", _("Priority groups")),
         ("service_class", _("Service class")), ("history", _("History"))],
    )  # fmt: skip
    for app in data["applications"]:
        applications.rows.append(
            {
                "child": names.get(app.student_id, ""),
                "school_year": app.school_year.name,
                "status": app.get_status_display(),
                "service": app.get_service_kind_display(),
                "submitted_at": _local(app.submitted_at),
                "pickup_person": app.pickup_person,
                "pickup_mobile": _mobile(app.pickup_mobile, full and app.applicant_id == parent.pk),
                "priority": app.priority_groups,
                "service_class": str(app.service_class) if app.service_class_id else "",
                "history": "; ".join(
                    f"{timezone.localtime(e.created_at):%Y-%m-%d} {e.action_label}" for e in app.events.all()
                ),
            }
        )
    agreements = Section(
        "agreements",
        _("Agreements and signatures"),
        [("child", _("Child")), ("school_year", _("School year")), ("version", _("Version")),
         ("decision", _("Decision")), ("signer", _("Signed by (typed name)")), ("consent", _("Consent given")),
         ("signed_at", _("Signed at")), ("by_you", _("By you"))],
    )  # fmt: skip
    for agreement in data["agreements"]:
        mine = agreement.signed_by_id == parent.pk
        agreements.rows.append(
            {
                "child": names.get(agreement.student_id, ""),
                "school_year": agreement.text.school_year.name,
                "version": agreement.text.version,
                "decision": agreement.get_decision_display(),
                "signer": _name(agreement.signer_name, full or not mine),
                "consent": _yes(agreement.consent),
                "signed_at": _local(agreement.created_at),
                "by_you": _yes(mine),
            }
        )
    pickups = Section(
        "pickup_adults",
        _("Pick-up adults you listed"),
        [("child", _("Child")), ("kind", _("Kind")), ("name", _("Name")), ("relation", _("Relation")),
         ("mobile", _("Mobile number")), ("from", _("Valid from")), ("until", _("Valid until")), ("ended", _("Ended"))],
    )  # fmt: skip
    for c in data["collectors"]:
        pickups.rows.append(
            {
                "child": names.get(c.student_id, ""),
                "kind": _("Listed adult"),
                "name": c.name,
                "relation": c.get_relation_display(),
                "mobile": _mobile(c.mobile, full),
                "from": c.valid_from,
                "until": c.valid_until or "",
                "ended": _local(c.revoked_at) or "",
            }
        )
    for d in data["delegations"]:
        pickups.rows.append(
            {
                "child": names.get(d.student_id, ""),
                "kind": _("Adult announced for one day"),
                "name": d.name,
                "relation": d.get_relation_display(),
                "mobile": _mobile(d.mobile, full),
                "from": d.date,
                "until": d.date,
                "ended": _local(d.cancelled_at) or "",
            }
        )
    attendance = Section(
        "attendance",
        _("Attendance and hand-overs"),
        [("child", _("Child")), ("present", _("Present")), ("absent", _("Absent")), ("leave", _("On leave")),
         ("first", _("First session")), ("last", _("Last session")), ("handovers", _("Hand-overs recorded")),
         ("handover_last", _("Last hand-over"))],
    )  # fmt: skip
    for child in data["children"]:
        dates = data["attendance_dates"].get(child.pk, {})
        handed = data["handovers"].get(child.pk, {})
        attendance.rows.append(
            {
                "child": child.name,
                "present": data["attendance"][(child.pk, Attendance.Mark.PRESENT)],
                "absent": data["attendance"][(child.pk, Attendance.Mark.ABSENT)],
                "leave": data["attendance"][(child.pk, Attendance.Mark.LEAVE)],
                "first": dates.get("first") or "",
                "last": dates.get("last") or "",
                "handovers": handed.get("count", 0),
                "handover_last": handed.get("last") or "",
            }
        )
    notifications = Section(
        "notifications",
        _("Messages sent to you"),
        [("sent_at", _("Sent at")), ("kind", _("Kind")), ("title", _("Title")), ("message", _("Message")),
         ("read_at", _("Read at"))],
    )  # fmt: skip
    for n in data["notifications"]:
        notifications.rows.append(
            {
                "sent_at": _local(n.created_at),
                "kind": n.get_kind_display(),
                "title": n.title,
                "message": n.body,
                "read_at": _local(n.read_at) or "",
            }
        )
    requests = Section(
        "data_requests",
        _("Your requests about your data"),
        [("number", _("No.")), ("about", _("About")), ("school", _("School")), ("kind", _("Request")),
         ("status", _("Status")), ("sent_at", _("Sent at")), ("due", _("Answer due by")), ("answer", _("Answer"))],
    )  # fmt: skip
    for r in data["data_requests"]:
        requests.rows.append(
            {
                "number": r.pk,
                "about": r.student.name if r.student_id else _("You"),
                "school": r.school.name,
                "kind": r.get_kind_display(),
                "status": r.get_status_display(),
                "sent_at": _local(r.submitted_at),
                "due": r.due_date,
                "answer": r.answer,
            }
        )
    sections = [you, children, links, applications, agreements, pickups, attendance, notifications, requests]
    consents = Section(
        "consents",
        _("Your consents"),
        [("child", _("Child")), ("kind", _("Consent")), ("version", _("Version")), ("status", _("Status")),
         ("given_at", _("Given at")), ("given_by", _("Given by")), ("relation", _("Relation")),
         ("channel", _("How")), ("withdrawn_at", _("Withdrawn at")), ("by_you", _("By you"))],
    )  # fmt: skip
    for c in data["consents"]:
        mine = c.given_by_id == parent.pk
        consents.rows.append(
            {
                "child": names.get(c.student_id, ""),
                "kind": c.get_kind_display(),
                "version": c.text.version,
                "status": c.get_status_display(),
                "given_at": _local(c.given_at),
                "given_by": _name(c.signer_name, full or not mine),
                "relation": StudentGuardian.Relation.label_of(c.relation),
                "channel": c.get_channel_display(),
                "withdrawn_at": _local(c.withdrawn_at) or "",
                "by_you": _yes(mine),
            }
        )
    sections.insert(5, consents)
    return sections


def my_data_json(sections: list[Section], *, generated_at: datetime.datetime) -> bytes:
    """The copy as JSON: {"generated_at": …, "<section key>": [{column key: value}]}, readable by any program."""
    body = {"generated_at": _local(generated_at)}
    body.update({s.key: s.rows for s in sections})
    return json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode("utf-8")


def my_data_xlsx(sections: list[Section]) -> bytes:
    """The copy as a workbook: one sheet per section, a bold header row."""
    return exports.write_xlsx_sheets([(s.title, s.header, s.table()) for s in sections])
