"""The register of personal information (issue #14 item 3, "the minimum, named"): every personal field the system
holds, with its data category, purpose, legal basis (an article of the Personal Information Protection Law, PIPL),
who sees it and how long it is kept.

Shaped like the access engine (`permissions.py`): each app declares its own fields in `<app>/privacy.py` with
`register(app=..., entries=[PersonalData(...), ...])`; `load()` (from `XijiAfterschoolConfig.ready()`, after the access
table) imports every installed app's `privacy` module and checks the entries with `build_register()`, refusing to
start (ImproperlyConfigured) on a model or field that does not exist, a field registered twice, a model of another
app, an unknown retention class, or an access action or scope that nobody registered. Entries are keyed by model
label and field name (`REGISTER[("schools.Student", "id_number")]`), so another concern adds its fields by adding
entries in its app.

Who sees a field is read from the access engine: the roles with a scope on the model (or on the model the field is
seen through, `seen_through`: a guardian is seen on the child's record), and, when the field is shown whole only to
some of them (`whole_for`, an action such as `student.view_identifiers`), which roles see it whole and which masked.
Retention is one of the data classes of `schools/rules/retention.py` (days from the county's `RetentionSetting`), or
a term of this module (`TERMS`) for data the nightly sweep does not reach: `UNSET` names the gap.

The words of the register (categories, purposes, bases, terms) are Chinese: it is a record the county keeps in its
own language for its person in charge of personal information (个人信息保护负责人), quoting the law and the county's
plan. `python manage.py privacy_register > docs/privacy.md` prints it; the bureau's page is `bureau:privacy`.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured

# ---------------------------------------------------------------- data categories

CHILD = "儿童个人信息"  # PIPL 第二十八条: every child here is under 14, so all of it is sensitive
CHILD_SENSITIVE = "敏感个人信息（儿童健康、残疾、家庭经济）"  # collected only with the guardian's separate consent
GUARDIAN = "监护人及接送人联系方式"
STAFF = "教职工信息"
ACCOUNT = "账号与登录信息"
OTHER_ADULT = "其他成年人信息（来访人员、反映人、合作机构联系人）"

CATEGORIES = (CHILD, CHILD_SENSITIVE, GUARDIAN, STAFF, ACCOUNT, OTHER_ADULT)

# ---------------------------------------------------------------- legal bases (PIPL articles)

CONSENT_GUARDIAN = "《个人信息保护法》第十三条第一款第一项、第三十一条：不满十四周岁未成年人的监护人同意"
CONSENT_SEPARATE = "《个人信息保护法》第二十八条、第二十九条、第三十一条：监护人对敏感个人信息的单独同意"
CONSENT_ADULT = "《个人信息保护法》第十三条第一款第一项：本人同意（本人填写并提交）"
CONTRACT = "《个人信息保护法》第十三条第一款第二项：订立、履行自愿服务协议所必需"
HR = "《个人信息保护法》第十三条第一款第二项：按照依法制定的劳动规章制度实施人力资源管理所必需"
DUTY = "《个人信息保护法》第十三条第一款第三项、第三十四条：履行法定职责或者法定义务所必需"
EMERGENCY = "《个人信息保护法》第十三条第一款第四项：紧急情况下为保护自然人的生命健康和财产安全所必需"

# ---------------------------------------------------------------- retention terms outside the sweep's data classes

ACCOUNT_TERM = "account"
ROSTER = "roster"
PARTNERSHIP = "partnership"
UNSET = "unset"

TERMS = {
    ACCOUNT_TERM: "账号存续期间；人员离岗或不再使用时由学校、教育局停用账号（不自动删除）",
    PARTNERSHIP: "合作期间；不再合作时由学校清空联系人或删除该机构（不自动删除）",
    ROSTER: "在册期间；撤回报名或拒签协议的儿童按“撤回与拒签”期限匿名，其余按“考勤记录”期限匿名",
    UNSET: "未设保存期限：目前不自动删除，待县里确定期限",
}


# ---------------------------------------------------------------- the registry


@dataclass(frozen=True)
class PersonalData:
    """Some fields of one model that hold personal information, and why the system keeps them.

    `whole_for`: an action whose roles see the value whole; the other roles that see the row see it masked.
    `seen_through`: the model whose scope decides who sees the row, when the model has none of its own.
    `seen_by`: words for who sees it when the access engine cannot say (the person themselves, the system only); they
    replace the model's scope unless `seen_through` is also given.
    """

    model: str  # "app_label.Model"
    fields: tuple[str, ...]
    category: str
    purpose: str
    basis: str
    retention: str  # a data class of schools/rules/retention.py, or a key of TERMS
    whole_for: str = ""
    seen_through: str = ""
    seen_by: str = ""
    note: str = ""

    def __post_init__(self):
        if isinstance(self.fields, str):  # one field written without the tuple
            object.__setattr__(self, "fields", (self.fields,))


@dataclass(frozen=True)
class Expiry:
    """What the nightly sweep (schools/services/retention.py) does with one model's rows once their data class's
    period has passed since `since` (a date or moment field, or a lookup through a relation; rows where it is empty
    are not yet due).

    `anonymise`: personal field -> what it becomes (the ANONYMISED word or "": the append-only tables' triggers let
    exactly that through); no fields: the rows are deleted. A file field among them has its file deleted first.
    `where`: which rows the rule is for, when not all. `with_child`: the path to the child (Student) when the rows are
    the child's own pick-up arrangements: anonymised with the child and never keeping it from being anonymised.
    """

    model: str
    retention: str
    since: str
    anonymise: dict = field(default_factory=dict)
    where: tuple = ()  # Q objects
    with_child: str = ""


@dataclass
class Registration:
    app: str
    entries: list[PersonalData] = field(default_factory=list)
    expiries: list[Expiry] = field(default_factory=list)


_pending: list[Registration] = []

# The live register, filled in place by load(): (model label, field name) -> entry; in registration order.
REGISTER: dict[tuple[str, str], PersonalData] = {}
ENTRIES: list[PersonalData] = []


# What the nightly sweep does with each model, filled by load(); in registration order.
EXPIRIES: list[Expiry] = []


def register(*, app: str, entries: Iterable[PersonalData], expiries: Iterable[Expiry] = ()) -> Registration:
    """Declare one app's personal fields and what the nightly sweep does with them once due (called once, from
    `<app>/privacy.py`). Checked by load()."""
    registration = Registration(app=app, entries=list(entries), expiries=list(expiries))
    _pending.append(registration)
    return registration


def retention_keys() -> tuple[str, ...]:
    from schools.rules import retention as retention_rules

    return (*retention_rules.KEYS, *TERMS)


def build_register(registrations: Iterable[Registration]) -> list[PersonalData]:
    """Merge and check the registrations; raise ImproperlyConfigured on the first thing that is wrong."""
    from django.apps import apps

    from . import permissions

    seen: dict[tuple[str, str], str] = {}
    apps_seen: set[str] = set()
    out: list[PersonalData] = []
    keys = retention_keys()
    for reg in registrations:
        if reg.app in apps_seen:
            raise ImproperlyConfigured(f"{reg.app}: registered its personal data twice")
        apps_seen.add(reg.app)
        for entry in reg.entries:
            where = f"{reg.app}: the personal data of {entry.model!r}"
            try:
                model = apps.get_model(entry.model)
            except (LookupError, ValueError):
                raise ImproperlyConfigured(f"{where}: not a model") from None
            if model._meta.label != entry.model:
                raise ImproperlyConfigured(f"{where}: write it as app_label.ModelName")
            if model._meta.app_label != reg.app:
                raise ImproperlyConfigured(f"{where}: a model of {model._meta.app_label}; an app registers its own")
            if not entry.fields:
                raise ImproperlyConfigured(f"{where}: names no field")
            for name in entry.fields:
                try:
                    model._meta.get_field(name)
                except FieldDoesNotExist:
                    raise ImproperlyConfigured(f"{where}: no field {name!r}") from None
                if (entry.model, name) in seen:
                    raise ImproperlyConfigured(f"{where}: {name!r} is already registered by {seen[entry.model, name]}")
                seen[entry.model, name] = reg.app
            if entry.category not in CATEGORIES:
                raise ImproperlyConfigured(f"{where}: unknown category {entry.category!r}")
            if not entry.purpose or not entry.basis:
                raise ImproperlyConfigured(f"{where}: a field is kept only for a named purpose on a legal basis")
            if entry.retention not in keys:
                raise ImproperlyConfigured(f"{where}: unknown retention class {entry.retention!r}")
            if entry.whole_for and entry.whole_for not in permissions.ACTIONS:
                raise ImproperlyConfigured(f"{where}: {entry.whole_for!r} is not a registered action")
            scope_model = entry.seen_through or entry.model
            if not entry.seen_by and scope_model not in permissions.SCOPES:
                raise ImproperlyConfigured(
                    f"{where}: no scope on {scope_model!r} says who sees it; name `seen_through` or `seen_by`"
                )
            out.append(entry)
        for expiry in reg.expiries:
            _check_expiry(reg.app, expiry)
    return out


def _check_expiry(app: str, expiry: Expiry) -> None:
    from django.apps import apps

    from schools.rules import retention as retention_rules

    where = f"{app}: the expiry of {expiry.model!r}"
    try:
        model = apps.get_model(expiry.model)
    except (LookupError, ValueError):
        raise ImproperlyConfigured(f"{where}: not a model") from None
    if model._meta.app_label != app:
        raise ImproperlyConfigured(f"{where}: a model of {model._meta.app_label}; an app registers its own")
    if expiry.retention not in retention_rules.KEYS:
        raise ImproperlyConfigured(f"{where}: {expiry.retention!r} is not a data class the sweep keeps")
    for name, value in expiry.anonymise.items():
        model._meta.get_field(name)  # FieldDoesNotExist names a typo at start-up
        if value not in (retention_rules.ANONYMISED, "", None):
            raise ImproperlyConfigured(f"{where}: {name} may only become the anonymised word, empty or null")


def install_expiries(registrations: Iterable[Registration]) -> None:
    EXPIRIES[:] = [expiry for reg in registrations for expiry in reg.expiries]


def install(entries: list[PersonalData]) -> None:
    ENTRIES[:] = entries
    REGISTER.clear()
    for entry in entries:
        for name in entry.fields:
            REGISTER[entry.model, name] = entry


def load() -> None:
    """Import every installed app's `privacy` module and install the checked register (after permissions.load())."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("privacy")
    install(build_register(_pending))
    install_expiries(_pending)


# ---------------------------------------------------------------- reading the register


@dataclass(frozen=True)
class Audience:
    """Who sees an entry's fields: roles (codes, in the engine's order) that see them whole and masked, or words."""

    whole: tuple[str, ...]
    masked: tuple[str, ...]
    words: str


def audience(entry: PersonalData) -> Audience:
    """The roles that see the entry's rows (the access engine's scopes), split by `whole_for` when it is set."""
    from schools.models import Role

    from . import permissions

    if entry.seen_by and not entry.seen_through:  # words say it better than the model's scope (e.g. one's own account)
        return Audience(whole=(), masked=(), words=entry.seen_by)
    rules = permissions.SCOPES.get(entry.seen_through or entry.model, {})
    seeing = [r for r in Role.values if r in rules]
    if entry.whole_for:
        allowed = permissions.ACTIONS[entry.whole_for]
        whole = tuple(r for r in seeing if r in allowed)
        masked = tuple(r for r in seeing if r not in allowed)
    else:
        whole, masked = tuple(seeing), ()
    return Audience(whole=whole, masked=masked, words=entry.seen_by)


def retention_words(entry: PersonalData, days: dict[str, int] | None = None) -> tuple[str, int | None]:
    """(words, days): a data class's label and its days as the county set them, or a term's words and None."""
    from schools.rules import retention as retention_rules

    if entry.retention in TERMS:
        return TERMS[entry.retention], None
    days = days if days is not None else current_days()
    return retention_rules.label(entry.retention), days[entry.retention]


def current_days() -> dict[str, int]:
    from schools.services import retention as retention_services

    return retention_services.current_days()


def by_category() -> list[tuple[str, list[PersonalData]]]:
    """The live entries grouped by category, in the categories' order."""
    return [(c, [e for e in ENTRIES if e.category == c]) for c in CATEGORIES if any(e.category == c for e in ENTRIES)]


def gaps() -> list[PersonalData]:
    """Entries with no retention period yet (kept until the county sets one): what the person in charge must settle."""
    return [e for e in ENTRIES if e.retention == UNSET]


def gap_models(rows_: Iterable["Row"]) -> list["Row"]:
    """The first row of each model that has fields with no retention period, in the register's order."""
    seen: set[str] = set()
    out = []
    for row in rows_:
        if row.gap and row.entry.model not in seen:
            seen.add(row.entry.model)
            out.append(row)
    return out


# ---------------------------------------------------------------- one row per entry, for the page and the document


@dataclass(frozen=True)
class Row:
    entry: PersonalData
    model_words: str  # the model's verbose name, in the current language
    field_words: tuple[tuple[str, str], ...]  # (field name, its verbose name)
    whole: tuple[str, ...]  # role labels that see the fields whole
    masked: tuple[str, ...]  # role labels that see the rows but the fields masked or not at all
    seen_by: str
    retention: str
    days: int | None
    gap: bool


def days_words(days: int) -> str:
    """365 → "365 天（约 1 年）"; 7 → "7 天"."""
    if days >= 365 and days % 365 == 0:
        return f"{days} 天（约 {days // 365} 年）"
    return f"{days} 天"


def rows(days: dict[str, int] | None = None) -> list[Row]:
    """Every entry with its words resolved: role labels from the access engine, the retention class's label and days
    (`days`: the county's settings, or the rules' defaults when None is given by the document)."""
    from django.apps import apps

    from schools.models import Role
    from schools.rules import retention as retention_rules

    if days is None:
        days = {key: retention_rules.default_days(key) for key in retention_rules.KEYS}
    out = []
    for entry in ENTRIES:
        model = apps.get_model(entry.model)
        seen = audience(entry)
        words, period = retention_words(entry, days)
        out.append(
            Row(
                entry=entry,
                model_words=str(model._meta.verbose_name),
                field_words=tuple((n, str(model._meta.get_field(n).verbose_name)) for n in entry.fields),
                whole=tuple(str(Role(r).label) for r in seen.whole),
                masked=tuple(str(Role(r).label) for r in seen.masked),
                seen_by=seen.words,
                retention=words,
                days=period,
                gap=entry.retention == UNSET,
            )
        )
    return out
