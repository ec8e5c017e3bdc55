from django import template

from xiji_afterschool import money, permissions

register = template.Library()


@register.filter(name="money")
def money_filter(value):
    """{{ amount|money }} -> ¥1,234.50"""
    return money.format_yuan(value)


@register.filter(name="relation")
def relation_filter(value):
    """{{ "father"|relation }} -> 父亲: a stored guardian relation in the reader's language."""
    from schools.models import StudentGuardian

    return dict(StudentGuardian.Relation.choices).get(value, value)


@register.simple_tag(takes_context=True)
def can(context, action, obj=None):
    """{% can "roster.export" school as ok %}: templates ask the policy, never re-implement it."""
    return permissions.can(context["request"].user, action, obj)
