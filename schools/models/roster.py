"""The core everyone depends on: organisations, users and roles, the student roster."""

import secrets

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xiji_afterschool import crypto
from xiji_afterschool.fields import DigestField, EncryptedCharField, TailField
from xiji_afterschool.jobs import BackgroundJob
from xiji_afterschool.models import TimeStampedModel

from ..rules import roster as roster_rules


class UserManager(DjangoUserManager):
    """Django's manager without the e-mail address: the system keeps none (issue #14 item 3, the minimum)."""

    def _create_user_object(self, username, email, password, **extra_fields):
        if email:
            raise ValueError("the system keeps no e-mail address")
        if not username:
            raise ValueError("The given username must be set")
        user = self.model(username=self.model.normalize_username(username), **extra_fields)
        user.password = make_password(password)
        return user

    def by_mobile(self, mobile: str):
        """The accounts with this mobile (at most one), found by its keyed digest: the column itself is encrypted."""
        return self.filter(mobile_digest=crypto.mobile_digest(mobile) or "-")


XijiUserManager = UserManager  # the name migration 0014_encrypt_identifiers gives it (migrations are never edited)


class User(AbstractUser):
    """Staff sign in with a username; parents with their mobile number (their username is derived from its digest,
    `crypto.parent_username`, so the users table holds no clear number).

    One name (`full_name`), no e-mail: Django's first_name, last_name and email are removed (issue #14 item 3). Nothing
    used them — names are written whole in Chinese, and messages go by SMS to a verified mobile."""

    first_name = None
    last_name = None
    email = None  # EMAIL_FIELD stays "email": Django's token generator reads it with getattr, and finds None
    REQUIRED_FIELDS = []

    full_name = models.CharField(_("full name"), max_length=50, validators=[roster_rules.validate_name], blank=True)
    # Encrypted at rest; found and kept unique by mobile_digest (issue 14 item 6).
    mobile = EncryptedCharField(
        _("mobile number"),
        kind="mobile",
        max_length=11,
        null=True,
        blank=True,
        validators=[roster_rules.validate_mobile],
    )
    mobile_digest = DigestField(_("mobile number (keyed digest)"), of="mobile", kind="mobile", unique=True)
    # When the mobile was proved to be this person's (a code sent to it, or the school's roster holding the same
    # number for this guardian). Text messages go only to a verified mobile.
    mobile_verified_at = models.DateTimeField(_("mobile verified at"), null=True, blank=True)
    # Set when someone else set the password (a reset, /admin/): the person must choose their own at the next
    # sign-in (xiji_afterschool.sessions.PasswordChangeRequiredMiddleware); cleared by the change-password page.
    must_change_password = models.BooleanField(_("must change password"), default=False)

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.full_name or self.username

    def get_full_name(self):
        return self.full_name or self.username

    def get_short_name(self):
        return self.full_name or self.username

    def clean(self):
        # AbstractUser.clean also normalises the e-mail address, which this model does not have.
        AbstractBaseUser.clean(self)


class Department(TimeStampedModel):
    """A county-level office: the Education & Sports Bureau, the finance bureau, and so on."""

    class Kind(models.TextChoices):
        EDUCATION = "education", _("Education & Sports Bureau")
        FINANCE = "finance", _("Finance Bureau")
        INSPECTION = "inspection", _("Education Inspection Office")
        HR = "hr", _("Human Resources & Social Security Bureau")
        AUDIT = "audit", _("Audit Bureau")
        GOVERNMENT = "government", _("County People's Government")  # the county leadership (R3: reads the console)

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, unique=True)
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        verbose_name = _("county department")
        verbose_name_plural = _("county departments")

    def __str__(self):
        return self.name


class Township(TimeStampedModel):
    name = models.CharField(_("name"), max_length=20, unique=True)
    code = models.CharField(_("code"), max_length=12, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("township")
        verbose_name_plural = _("townships")

    def __str__(self):
        return self.name


class Stage(models.TextChoices):
    """学段: sets the service mode (R4, R5) and who may have evening service (R7)."""

    KINDERGARTEN = "kindergarten", _("Kindergarten")
    PRIMARY = "primary", _("Primary")
    JUNIOR = "junior", _("Junior middle")
    SENIOR = "senior", _("Senior high")


class School(TimeStampedModel):
    class Type(models.TextChoices):
        KINDERGARTEN = "kindergarten", _("Kindergarten")
        PRIMARY = "primary", _("Primary school")
        NINE_YEAR = "nine_year", _("Nine-year school")
        JUNIOR = "junior", _("Junior middle school")
        COMPLETE = "complete", _("Complete middle school")
        SENIOR = "senior", _("Senior high school")
        VILLAGE = "village", _("Village school")
        TEACHING_POINT = "teaching_point", _("Teaching point")

    # Village schools and teaching points are planned by their township central school (R16).
    DEPENDENT_TYPES = (Type.VILLAGE, Type.TEACHING_POINT)

    code = models.CharField(_("school code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=60)
    school_type = models.CharField(_("school type"), max_length=16, choices=Type.choices, db_index=True)
    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="schools", verbose_name=_("township"))
    is_township_central = models.BooleanField(_("township central school"), default=False)
    central_school = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dependent_schools",
        verbose_name=_("township central school"),
    )
    address = models.CharField(_("address"), max_length=120, blank=True)
    phone = models.CharField(_("office telephone"), max_length=20, blank=True)  # parents' number for questions

    class Meta:
        ordering = ["township__code", "code"]
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        constraints = [
            # A village school or teaching point cannot exist without the central school that plans for it.
            models.CheckConstraint(
                condition=~Q(school_type__in=["village", "teaching_point"]) | Q(central_school__isnull=False),
                name="schools_school_dependent_has_central",
            ),
            models.CheckConstraint(condition=~Q(central_school=models.F("id")), name="schools_school_not_own_central"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_dependent(self) -> bool:
        """A village school or teaching point: its plan goes through the township central school."""
        return self.school_type in self.DEPENDENT_TYPES

    @property
    def stages(self) -> list[str]:
        return STAGES_BY_TYPE[self.school_type]


STAGES_BY_TYPE = {
    School.Type.KINDERGARTEN: [Stage.KINDERGARTEN],
    School.Type.PRIMARY: [Stage.PRIMARY],
    School.Type.VILLAGE: [Stage.PRIMARY],
    School.Type.TEACHING_POINT: [Stage.PRIMARY],
    School.Type.NINE_YEAR: [Stage.PRIMARY, Stage.JUNIOR],
    School.Type.JUNIOR: [Stage.JUNIOR],
    School.Type.COMPLETE: [Stage.JUNIOR, Stage.SENIOR],
    School.Type.SENIOR: [Stage.SENIOR],
}


class Grade(models.IntegerChoices):
    KINDER_SMALL = -2, _("Kindergarten small class")
    KINDER_MIDDLE = -1, _("Kindergarten middle class")
    KINDER_LARGE = 0, _("Kindergarten large class")
    G1 = 1, _("Grade 1")
    G2 = 2, _("Grade 2")
    G3 = 3, _("Grade 3")
    G4 = 4, _("Grade 4")
    G5 = 5, _("Grade 5")
    G6 = 6, _("Grade 6")
    G7 = 7, _("Grade 7")
    G8 = 8, _("Grade 8")
    G9 = 9, _("Grade 9")
    G10 = 10, _("Senior grade 1")
    G11 = 11, _("Senior grade 2")
    G12 = 12, _("Senior grade 3")

    @staticmethod
    def stage_of(grade: int) -> str:
        """The stage a grade belongs to: kindergarten up to the large class, primary 1–6, junior 7–9, senior 10–12."""
        if grade <= Grade.KINDER_LARGE:
            return Stage.KINDERGARTEN
        if grade <= Grade.G6:
            return Stage.PRIMARY
        return Stage.JUNIOR if grade <= Grade.G9 else Stage.SENIOR


class AdminClass(TimeStampedModel):
    """An administrative class (行政班) such as 三年级(2)班; its class teacher is a Membership."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="admin_classes", verbose_name=_("school"))
    grade = models.SmallIntegerField(_("grade"), choices=Grade.choices)
    number = models.PositiveSmallIntegerField(_("class number"))

    class Meta:
        ordering = ["school", "grade", "number"]
        verbose_name = _("administrative class")
        verbose_name_plural = _("administrative classes")
        constraints = [
            models.UniqueConstraint(fields=["school", "grade", "number"], name="schools_adminclass_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="schools_adminclass_number_gte_1"),
        ]

    def __str__(self):
        return _("%(grade)s class %(number)s") % {"grade": self.get_grade_display(), "number": self.number}


class Role(models.TextChoices):
    PARENT = "parent", _("Parent / guardian")
    CLASS_TEACHER = "class_teacher", _("Class teacher")
    SERVICE_TEACHER = "service_teacher", _("After-school teacher")
    VOLUNTEER = "volunteer", _("Volunteer")
    SCHOOL_ADMIN = "school_admin", _("School administrator")
    TOWNSHIP_COORDINATOR = "township_coordinator", _("Township coordinator")
    BUREAU = "bureau", _("Education bureau staff")
    FINANCE = "finance", _("Finance bureau staff")
    INSPECTOR = "inspector", _("Inspector")
    HR = "hr", _("HR reviewer")
    AUDITOR = "auditor", _("Auditor")  # R26: the audit bureau reads the money records and disclosures
    # R29–R30: the school's gate keeper (门卫), and the staff who take children over after the service without
    # teaching: dormitory teachers (生活老师) and bus escorts (随车照管员).
    GATE = "gate", _("Gate keeper")
    CARE_STAFF = "care_staff", _("Dormitory teacher / bus escort")
    # R3, R34: the county leadership (县领导) reads the console, read only.
    LEADERSHIP = "leadership", _("County leadership")


SCHOOL_ROLES = (Role.CLASS_TEACHER, Role.SERVICE_TEACHER, Role.VOLUNTEER, Role.SCHOOL_ADMIN, Role.GATE, Role.CARE_STAFF)
COUNTY_ROLES = (Role.BUREAU, Role.FINANCE, Role.INSPECTOR, Role.HR, Role.AUDITOR, Role.LEADERSHIP)


class Membership(TimeStampedModel):
    """One role of one person in one place. A person may hold several (a teacher who is also a parent)."""

    class VolunteerKind(models.TextChoices):
        PARENT = "parent", _("Parent volunteer")
        UNIVERSITY_STUDENT = "university_student", _("University student")
        RETIRED_TEACHER = "retired_teacher", _("Retired teacher")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user"))
    role = models.CharField(_("role"), max_length=24, choices=Role.choices, db_index=True)
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships", verbose_name=_("school")
    )
    admin_class = models.ForeignKey(
        AdminClass,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="class_teachers",
        verbose_name=_("administrative class"),
    )
    township = models.ForeignKey(
        Township,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="coordinators",
        verbose_name=_("township"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("department"),
    )
    volunteer_kind = models.CharField(_("volunteer kind"), max_length=24, choices=VolunteerKind.choices, blank=True)

    class Meta:
        verbose_name = _("role membership")
        verbose_name_plural = _("role memberships")
        constraints = [
            # Each role is anchored to exactly the kind of place it acts on; the policy relies on it.
            models.CheckConstraint(
                condition=(
                    Q(role="parent", school__isnull=True, township__isnull=True, department__isnull=True)
                    | Q(
                        role__in=["service_teacher", "volunteer", "school_admin", "gate", "care_staff"],
                        school__isnull=False,
                        admin_class__isnull=True,
                    )
                    | Q(role="class_teacher", school__isnull=False, admin_class__isnull=False)
                    | Q(role="township_coordinator", township__isnull=False, school__isnull=True)
                    | Q(
                        role__in=["bureau", "finance", "inspector", "hr", "auditor", "leadership"],
                        department__isnull=False,
                        school__isnull=True,
                    )
                ),
                name="schools_membership_anchored_by_role",
            ),
            models.CheckConstraint(
                condition=~Q(role="volunteer") | ~Q(volunteer_kind=""), name="schools_membership_volunteer_has_kind"
            ),
            # One membership per person, role and place (partial indexes: NULLs never compare equal).
            models.UniqueConstraint(
                fields=["user", "role"], condition=Q(role="parent"), name="schools_membership_unique_parent"
            ),
            models.UniqueConstraint(
                fields=["user", "role", "school"],
                condition=Q(school__isnull=False, admin_class__isnull=True),
                name="schools_membership_unique_school",
            ),
            models.UniqueConstraint(
                fields=["user", "admin_class"],
                condition=Q(admin_class__isnull=False),
                name="schools_membership_unique_class",
            ),
            models.UniqueConstraint(
                fields=["user", "township"],
                condition=Q(township__isnull=False),
                name="schools_membership_unique_township",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "department"],
                condition=Q(department__isnull=False),
                name="schools_membership_unique_department",
            ),
        ]

    def __str__(self):
        place = self.admin_class or self.school or self.township or self.department
        return f"{self.user} · {self.get_role_display()}" + (f" · {place}" if place else "")


def new_link_code() -> str:
    # 8 characters without look-alikes (0/O, 1/I/L): typed by parents from a printed letter.
    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    return "".join(secrets.choice(alphabet) for _ in range(8))


class StudentManager(models.Manager):
    def by_id_number(self, id_number: str):
        """The student with this resident ID (at most one), found by its keyed digest: the column is encrypted."""
        return self.filter(id_number_digest=crypto.id_number_digest(id_number) or "-")

    def by_id_numbers(self, id_numbers):
        return self.filter(id_number_digest__in=[crypto.id_number_digest(i) for i in id_numbers if i])


class Student(TimeStampedModel):
    class Gender(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="students", verbose_name=_("school"))
    admin_class = models.ForeignKey(
        AdminClass, on_delete=models.PROTECT, related_name="students", verbose_name=_("administrative class")
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50, validators=[roster_rules.validate_name])
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"))
    # Encrypted at rest; found and kept unique by id_number_digest, searched by its last four (issue 14 item 6).
    id_number = EncryptedCharField(
        _("resident ID number"),
        kind="id_number",
        max_length=18,
        null=True,
        blank=True,
        validators=[roster_rules.validate_id_number],
    )
    id_number_digest = DigestField(
        _("resident ID number (keyed digest)"), of="id_number", kind="id_number", unique=True
    )
    id_number_last4 = TailField(_("resident ID number, last 4"), of="id_number", kind="id_number", length=4)
    is_boarder = models.BooleanField(_("boarder"), default=False)
    link_code = models.CharField(
        _("parent link code"), max_length=8, unique=True, default=new_link_code, editable=False
    )

    objects = StudentManager()

    class Meta:
        ordering = ["admin_class__grade", "admin_class__number", "name"]
        verbose_name = _("student")
        verbose_name_plural = _("students")
        indexes = [models.Index(fields=["school", "admin_class"], name="schools_student_school_class")]

    def __str__(self):
        return self.name

    @property
    def grade(self) -> int:
        return self.admin_class.grade

    @property
    def masked_id_number(self) -> str:
        return roster_rules.mask_id_number(self.id_number or "")


class GuardianManager(models.Manager):
    def by_mobile(self, mobile: str):
        return self.filter(mobile_digest=crypto.mobile_digest(mobile) or "-")

    def by_mobiles(self, mobiles):
        return self.filter(mobile_digest__in=[crypto.mobile_digest(m) for m in mobiles if m])


class Guardian(TimeStampedModel):
    """A parent or other guardian; has a login (user) once they register with the same mobile."""

    name = models.CharField(pgettext_lazy("person", "name"), max_length=50, validators=[roster_rules.validate_name])
    # Encrypted at rest; found and kept unique by mobile_digest (issue 14 item 6).
    mobile = EncryptedCharField(
        _("mobile number"), kind="mobile", max_length=11, validators=[roster_rules.validate_mobile]
    )
    mobile_digest = DigestField(_("mobile number (keyed digest)"), of="mobile", kind="mobile", unique=True)
    user = models.OneToOneField(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="guardian", verbose_name=_("user account")
    )

    class Meta:
        verbose_name = _("guardian")
        verbose_name_plural = _("guardians")

    objects = GuardianManager()

    def __str__(self):
        return self.name

    @property
    def masked_mobile(self) -> str:
        return roster_rules.mask_mobile(self.mobile)


class StudentGuardian(TimeStampedModel):
    class Relation(models.TextChoices):
        FATHER = "father", _("Father")
        MOTHER = "mother", _("Mother")
        GRANDFATHER = "grandfather", _("Grandfather")
        GRANDMOTHER = "grandmother", _("Grandmother")
        OTHER = "other", _("Other guardian")

        @classmethod
        def label_of(cls, value: str) -> str:
            """A stored relation in the reader's language (a value outside the choices as stored): the one place
            that words a relation, for agreements, applications and the guardian links alike."""
            return str(dict(cls.choices).get(value, value))

    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="guardian_links", verbose_name=_("student")
    )
    guardian = models.ForeignKey(
        Guardian, on_delete=models.CASCADE, related_name="student_links", verbose_name=_("guardian")
    )
    relation = models.CharField(_("relation"), max_length=16, choices=Relation.choices)
    is_primary = models.BooleanField(_("primary contact"), default=False)

    class Meta:
        verbose_name = _("guardian link")
        verbose_name_plural = _("guardian links")
        constraints = [models.UniqueConstraint(fields=["student", "guardian"], name="schools_studentguardian_unique")]

    def __str__(self):
        return f"{self.guardian} → {self.student} ({self.get_relation_display()})"


class RosterExport(BackgroundJob, TimeStampedModel):
    """A school roster workbook built by a Celery task; the requester downloads it when ready."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Queued")
        RUNNING = "running", _("Being prepared")
        DONE = "done", _("Ready to download")
        FAILED = "failed", _("Failed")

    JOB_TASK = "schools.tasks.roster_export_task"
    RETENTION = "exports"  # rules/retention.py: deleted with its workbook after the county's period

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="roster_exports", verbose_name=_("school")
    )
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    file = models.FileField(_("file"), upload_to="exports/roster/%Y/%m/", blank=True)
    row_count = models.PositiveIntegerField(_("students"), default=0)
    error = models.CharField(_("error"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=8, default="zh-hans")  # the requester's, for headers
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("roster export")
        verbose_name_plural = _("roster exports")

    def __str__(self):
        return f"{self.school} · {self.created_at:%Y-%m-%d %H:%M}"
