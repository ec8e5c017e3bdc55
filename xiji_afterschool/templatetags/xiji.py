from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils import formats
from django.utils.html import format_html
from django.utils.translation import gettext

from xiji_afterschool import money, permissions

register = template.Library()


@register.filter(name="money")
def money_filter(value):
    """{{ amount|money }} -> ¥1,234.50"""
    return money.format_yuan(value)


@register.filter(name="percent")
def percent_filter(value):
    """{{ rate|percent }} -> 78.5% (a rate computed as per cent), or — when there is none (nothing to divide by)."""
    return "—" if value is None or value == "" else f"{value}%"


@register.filter(name="bar_width")
def bar_width_filter(value):
    """{{ share|bar_width }} -> bar-w-79: a progress bar's width as a class (static/css/xiji.css), since the
    Content-Security-Policy refuses style="" attributes. Whole per cents, 0 to 100; nothing to show: 0."""
    try:  # Decimal, half up, as every other rounding here (no float: 12.5 is 13, not 12)
        number = int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    except (InvalidOperation, ValueError, OverflowError):  # "", None, "abc", NaN, infinity
        number = 0
    return f"bar-w-{min(max(number, 0), 100)}"


@register.simple_tag
def month_span(first, last):
    """{% month_span run.first_month run.last_month %} -> 2026年9月, or 2026年9月 – 2026年12月: one month said once,
    in the reader's language (never "2026-09 – 2026-09")."""
    first_text = formats.date_format(first, "YEAR_MONTH_FORMAT")
    if (first.year, first.month) == (last.year, last.month):
        return first_text
    return f"{first_text} – {formats.date_format(last, 'YEAR_MONTH_FORMAT')}"


@register.filter(name="version")
def version_filter(value):
    """{{ plan.version|version }} -> 第2版 / version 2: a version number in words, never "v2"."""
    if value in (None, ""):
        return ""
    return gettext("version %(n)s") % {"n": value}


@register.filter(name="relation")
def relation_filter(value):
    """{{ "father"|relation }} -> 父亲: a stored guardian relation in the reader's language."""
    from schools.models import StudentGuardian

    return StudentGuardian.Relation.label_of(value)


@register.simple_tag(takes_context=True)
def can(context, action, obj=None):
    """{% can "roster.export" school as ok %}: templates ask the policy, never re-implement it."""
    return permissions.can(context["request"].user, action, obj)


@register.simple_tag
def status_badge(obj, extra=""):
    """{% status_badge plan %} -> the record's status as a badge: its label (get_status_display) in the colour its
    model gives it (STATUS_STYLE, kept with the model's statuses). `extra` adds classes (e.g. "fs-6 fw-normal")."""
    style = getattr(obj, "STATUS_STYLE", {}).get(obj.status, "secondary")
    classes = f"badge text-bg-{style} {extra}".strip()
    return format_html('<span class="{}" data-status="{}">{}</span>', classes, obj.status, obj.get_status_display())
