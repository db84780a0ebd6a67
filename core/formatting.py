"""Numbers the Chinese way: 730.75万, 13.71%, 2021年第二季度."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import pgettext_lazy

_QUARTERS = {
    1: pgettext_lazy("quarter", "一"),
    2: pgettext_lazy("quarter", "二"),
    3: pgettext_lazy("quarter", "三"),
    4: pgettext_lazy("quarter", "四"),
}


def _round(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def wan(value: int | float | Decimal | None, places: int = 2) -> str:
    """Headcounts and amounts of 10,000 or more in 万 (730.75万); smaller ones as they are."""
    if value is None:
        return "—"
    number = Decimal(str(value))
    if abs(number) >= 10000:
        return f"{_round(number / 10000, places)}万"
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return f"{_round(number, places)}"


def percent(value: int | float | Decimal | None, places: int = 2) -> str:
    """A ratio already multiplied by 100, with its sign: 13.71%."""
    if value is None:
        return "—"
    return f"{_round(Decimal(str(value)), places)}%"


def day_label(value) -> str:
    """2020年5月12日, for a date or a moment (in local time); "—" for none."""
    from django.utils import timezone
    from django.utils.translation import gettext as _

    if value is None:
        return "—"
    if hasattr(value, "hour"):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return _("%(y)d年%(m)d月%(d)d日") % {"y": value.year, "m": value.month, "d": value.day}


def quarter_label(year: int, quarter: int) -> str:
    """2021年第二季度 (Q2 2021 in English)."""
    from django.utils.translation import gettext as _

    return _("%(year)d年第%(numeral)s季度") % {"year": year, "numeral": _QUARTERS[quarter]}


def year_label(year: int) -> str:
    """2021年度 (2021 in English)."""
    from django.utils.translation import gettext as _

    return _("%(year)d年度") % {"year": year}
