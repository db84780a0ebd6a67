"""The period picker: a select of the reporting periods that exist, newest first, grouped by period type
(2026年第三季度, 2026年度 …), instead of a typed code such as 2026Q3.

`period_choices()` builds the grouped choices; `PeriodField` is a ChoiceField over them that cleans to the
period's code. A form that must keep a value the table does not hold yet (a bookmarked pivot, an open round
whose period was never used) passes it in `include`.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.utils.translation import gettext_lazy as _

from core.errors import UserError
from reporting import periods
from reporting.choices import PeriodType

# Group order and labels: the longer periods first, as the pages use them most.
GROUPS = [
    (PeriodType.YEAR, _("年度")),
    (PeriodType.HALF_YEAR, _("半年")),
    (PeriodType.QUARTER, _("季度")),
    (PeriodType.MONTH, _("月度")),
]


def period_choices(
    *, period_types: Iterable[str] | None = None, include: Iterable[str] = (), blank: str | None = None
) -> list:
    """Grouped (label, [(code, label), …]) choices of existing periods and `include`, newest first;
    only `period_types` when given; a first empty choice labelled `blank` when given."""
    from reporting.models import Period

    wanted = set(period_types) if period_types is not None else {kind for kind, _label in GROUPS}
    specs: dict[str, periods.PeriodSpec] = {
        p.code: p.spec
        for p in Period.objects.filter(period_type__in=wanted).only("code", "period_type", "start", "end")
    }
    for code in include:
        try:
            spec = periods.parse_code(code)
        except UserError:
            continue
        if spec.period_type in wanted:
            specs.setdefault(spec.code, spec)
    choices: list = [("", blank)] if blank is not None else []
    for kind, label in GROUPS:
        group = sorted((s for s in specs.values() if s.period_type == kind), key=lambda s: s.start, reverse=True)
        if group:
            choices.append((str(label), [(s.code, s.label) for s in group]))
    return choices


class PeriodField(forms.ChoiceField):
    """A reporting period chosen from `period_choices()`; cleans to its code ("" when optional and empty)."""

    default_error_messages = {
        "invalid_choice": _("“%(value)s”不是已有的报告期，请从列表中选择。"),
    }

    def __init__(self, *, period_types: Iterable[str] | None = None, blank: str | None = None, **kwargs):
        self.period_types = tuple(period_types) if period_types is not None else None
        self.blank = blank
        kwargs.setdefault("label", _("报告期"))
        super().__init__(choices=(), **kwargs)

    def offer(self, include: Iterable[str] = ()) -> None:
        """Load the choices (call from the form's __init__, with the values the form must keep)."""
        self.choices = period_choices(period_types=self.period_types, include=include, blank=self.blank)

    def to_python(self, value) -> str:
        return super().to_python(value).strip().upper()

    def validate(self, value) -> None:
        if value and not self.valid_value(value):
            try:
                periods.parse_code(value)  # a malformed code gets the message that shows the right form
            except UserError as error:
                raise forms.ValidationError(error.message, code="invalid_choice") from None
        super().validate(value)
