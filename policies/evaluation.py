"""The policy uptake section of the evaluation report (publishing/evaluation.py's registry): the problems part
names the under-used measures and the enterprises that use none."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.formatting import percent
from publishing import evaluation

LISTED = 10  # measures and enterprises named in the text; the tables carry every measure


@evaluation.section("policies", gettext_lazy("政策落实"), order=40)
def policies_section(ctx: evaluation.Context) -> evaluation.Content | None:
    from policies.models import UptakeRound
    from policies.queries import UNDER_USED_RATE, analytics

    round_ = UptakeRound.objects.filter(year__lte=ctx.year, year__gte=ctx.first_year).order_by("-year").first()
    if round_ is None:
        return None
    found = analytics(round_)
    under = found.under_used
    rows = [
        [
            m.measure.title,
            str(m.eligible),
            str(m.reported),
            str(m.used),
            percent(m.rate * 100) if m.rate is not None else evaluation.NO_DATA,
            m.main_reason or "—",
        ]
        for m in sorted(found.measures, key=lambda m: (m.rate is None, m.rate or 0, m.measure.title))
    ]
    paragraphs = [
        _(
            "%(title)s：%(reported)d 家单位报送了政策享受情况（应报 %(expected)d 家）。%(measures)d 项政策中，"
            "%(under)d 项的使用率低于 %(threshold)s；%(none)d 家企业没有享受任何一项符合条件的政策。"
        )
        % {
            "title": round_.title,
            "reported": found.progress.submitted,
            "expected": found.progress.expected,
            "measures": len(found.measures),
            "under": len(under),
            "threshold": percent(UNDER_USED_RATE * 100, places=0),
            "none": len(found.none_used),
        }
    ]
    if under:
        paragraphs.append(
            _("使用不足的政策：%(list)s。")
            % {"list": "；".join(f"{m.measure.title}（{percent(m.rate * 100)}）" for m in under[:LISTED])}
        )
    if found.reasons:
        paragraphs.append(
            _("未享受的主要原因：%(list)s。") % {"list": "、".join(f"{label} {n} 次" for label, n in found.reasons[:5])}
        )
    table = evaluation.Table(
        _("各项政策的使用情况"),
        [_("政策"), _("符合条件"), _("已报送"), _("已享受"), _("使用率"), _("未享受的主要原因")],
        rows,
        note=_("使用率 = 已享受的单位数 ÷ 符合条件且已报送的单位数；无人报送时为“无数据”。"),
    )
    return evaluation.Content(paragraphs=paragraphs, tables=[table])
