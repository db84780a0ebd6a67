"""Suggestions and their statistics as .xlsx (core/exports.py). Proposers are listed by name and occupation
only: no ID number or phone is kept for them here (the talent pool keeps those, masked)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

from django.utils.translation import gettext as _

from core.exports import export_file


def suggestion_headers() -> list[str]:
    return [
        _("编号"), _("类别"), _("名称"), _("单位"), _("所属活动"), _("建议人"), _("提出日期"), _("状态"),
        _("不采纳原因"), _("实施日期"), _("创效金额（元）"), _("效益评估依据"), _("奖励金额（元）"), _("奖励形式"),
        _("奖励日期"),
    ]  # fmt: skip


def suggestion_rows(suggestions: Iterable) -> Iterable[list]:
    for s in suggestions:
        proposers = "、".join(f"{p.name}（{p.occupation}）" if p.occupation else p.name for p in s.proposers.all())
        yield [
            s.pk, s.get_kind_display(), s.title, s.org.name, s.campaign.name if s.campaign else "", proposers,
            s.submitted_on, s.get_status_display(), s.reject_reason, s.implemented_on, s.value, s.value_basis,
            s.reward_amount, s.reward_form, s.rewarded_on,
        ]  # fmt: skip


def suggestions_file(suggestions: Iterable) -> tuple[IO[bytes], int]:
    """The filtered list, one row per suggestion."""
    return export_file(
        "xlsx", sheet_title=_("合理化建议和五小"), headers=suggestion_headers(), rows=suggestion_rows(suggestions)
    )


def stats_file(table) -> tuple[IO[bytes], int]:
    """The statistics table (suggestions.stats.StatsTable), one row per organisation and a total row."""
    headers = [
        _("单位"), _("提出数"), _("其中五小"), _("采纳数"), _("不采纳数"), _("采纳率"), _("创效金额（元）"),
        _("建议人数"), _("职工人数"), _("参与率"), _("人均提出数"),
    ]  # fmt: skip

    def row(line):
        return [
            line.org.name if line.org else _("合计"), line.submitted, line.wuxiao, line.adopted, line.rejected,
            line.adoption_rate, line.value, line.proposers, line.workers, line.participation, line.per_capita,
        ]  # fmt: skip

    rows = [row(line) for line in table.lines] + ([row(table.total)] if table.total else [])
    return export_file(
        "xlsx", sheet_title=_("%(year)d年合理化建议统计") % {"year": table.year}, headers=headers, rows=rows
    )
