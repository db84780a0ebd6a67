"""What the studios' services share: text, date, money and year checks with Chinese messages."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from core import deadlines
from core.cleaning import clean_date, clean_text  # noqa: F401 - the app's services import them from here
from core.errors import ConflictError, UserError

MAX_MONEY = Decimal("999999999999.99")


def clean_money(value, *, field: str, label: str, required: bool = False) -> Decimal | None:
    """An amount in 元 with at most two decimals, not negative; None when empty and optional."""
    if value in (None, ""):
        if required:
            raise UserError(_("请填写%(label)s。") % {"label": label}, field=field)
        return None
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise UserError(_("%(label)s应为数字（元）。") % {"label": label}, field=field) from None
    if not amount.is_finite():
        raise UserError(_("%(label)s应为数字（元）。") % {"label": label}, field=field)
    if amount < 0:
        raise UserError(_("%(label)s不能为负数。") % {"label": label}, field=field)
    if amount > MAX_MONEY:
        raise UserError(_("%(label)s过大，请核对单位（元）。") % {"label": label}, field=field)
    if amount != amount.quantize(Decimal("0.01")):
        raise UserError(_("%(label)s最多保留两位小数。") % {"label": label}, field=field)
    return amount


def clean_year(value, *, field: str = "year", label: str = "") -> int:
    """A year between 1990 and next year."""
    label = label or _("年度")
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise UserError(_("请填写%(label)s。") % {"label": label}, field=field) from None
    if not 1990 <= year <= deadlines.today().year + 1:
        raise UserError(_("%(label)s应在1990年至明年之间。") % {"label": label}, field=field)
    return year


def check_version(obj, version: int | None, what: str) -> None:
    """ConflictError unless `version` is the row's current one (a change without a version is refused too)."""
    if version is None or obj.version != version:
        raise ConflictError(_("该%(what)s已被他人修改，请刷新后重试。") % {"what": what})
