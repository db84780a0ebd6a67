"""Figures of the suggestion pages the Chinese way (core/formatting.py), and 暂无数据 where there is none."""

from django import template
from django.utils.translation import gettext as _

from core.formatting import percent, wan

register = template.Library()


@register.filter
def yuan(value) -> str:
    """An amount in 元: 12,345元 or 73.08万元; 暂无数据 when none was assessed."""
    if value is None:
        return _("暂无数据")
    return f"{wan(value)}元"


@register.filter
def rate(value) -> str:
    """A share (0 to 1) as a percentage (13.71%), or 暂无数据 when there is no denominator (never 0%)."""
    if value is None:
        return _("暂无数据")
    return percent(value * 100, 2)


@register.filter
def count(value) -> str:
    """A count the Chinese way, or 暂无数据."""
    if value is None:
        return _("暂无数据")
    return wan(value)
