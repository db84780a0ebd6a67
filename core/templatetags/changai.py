from django import template

from core import formatting
from core.masking import mask_id_number, mask_phone
from core.pii import shown

register = template.Library()

register.filter("wan", formatting.wan)
register.filter("percent", formatting.percent)
register.filter("mask_id", mask_id_number)
register.filter("mask_phone", mask_phone)
# {{ officer|shown:"phone" }}: an encrypted field, masked by its kind. The full value is never a
# filter: it is asked for with a POST that is audited (core/pii.py reveal_response).
register.filter("shown", shown)


@register.filter
def menu_active(entry, request) -> bool:
    """Whether a declared menu entry (core.registry.MenuItem) is the current page's section."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return False
    return entry.is_active(match.namespace or "", match.url_name or "")
