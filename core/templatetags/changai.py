from django import template

from core import formatting
from core.masking import mask_id_number, mask_phone

register = template.Library()

register.filter("wan", formatting.wan)
register.filter("percent", formatting.percent)
register.filter("mask_id", mask_id_number)
register.filter("mask_phone", mask_phone)
