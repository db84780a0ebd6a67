"""The .xlsx of a competition's results, through core/exports.py (formula-safe cells, write-only mode).

No ID number or phone is ever written: a participant is named, with the entrant organisation and, for people of
the talent pool, the pool's number.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

from django.utils.translation import gettext as _

from competitions.models import Competition, CompetitionEntry
from core.exports import write_xlsx


def headers() -> list[str]:
    return [_("工种"), _("姓名"), _("参赛单位"), _("人才库编号"), _("成绩"), _("名次"), _("奖项"), _("获奖成果")]


def outcome_text(entry: CompetitionEntry) -> str:
    return "；".join(f"{o.get_kind_display()}：{o.effect()}" for o in entry.outcomes.all())


def result_rows(entries: Iterable[CompetitionEntry]):
    for e in entries:
        yield [e.trade.name, e.name, e.org.name, e.person_id or "", e.score, e.rank, e.get_award_display(),
               outcome_text(e)]  # fmt: skip


def results_xlsx(competition: Competition, entries: Iterable[CompetitionEntry], *, fileobj: IO[bytes]) -> int:
    """Write the results sheet of `competition` into `fileobj`; the number of rows written."""
    return write_xlsx(fileobj, sheet_title=_("竞赛结果"), headers=headers(), rows=result_rows(entries))
