from django import template
from django.utils.translation import gettext as _

from core.formatting import percent

register = template.Library()


@register.filter
def rate(value) -> str:
    """A coverage rate (a share, 0 to 1) as a percentage, or 无数据 when nothing was expected (never 0%)."""
    if value is None:
        return _("无数据")
    return percent(value * 100, 1)
