"""Template filters of the policy pages: a use rate shown as 37.50% or 无数据 (never 0% for nothing reported)."""

from django import template

from policies.exports import rate_text

register = template.Library()


@register.filter
def use_rate(value) -> str:
    return rate_text(value)
