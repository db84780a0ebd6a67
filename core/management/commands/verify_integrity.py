"""Recompute the integrity seal of every accepted item (reports, written reports, published results) and say,
in Chinese, which no longer match their stored data; exit non-zero on any mismatch (docs/integrity.md).

    manage.py verify_integrity                 check, print, record the outcome in the audit log
    manage.py verify_integrity --json          the same as JSON on stdout (for monitoring)
    manage.py verify_integrity --seal-missing  first seal, once, the items accepted before sealing existed

The worker runs the same check every day (core/declarations.py); the audit administrator's page shows the
last outcome.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core import integrity
from core.actor import Actor

SHOWN_CELLS = 20  # cells listed per item; the rest counted


def _item(problem: integrity.Problem) -> str:
    if not problem.org_code:  # an item over many organisations (an assessment's results): named by its round
        return _("%(kind)s：%(org)s %(period)s“%(subject)s”（编号 %(id)s）") % {
            "kind": problem.kind_label,
            "org": problem.org_name,
            "period": problem.period,
            "subject": problem.subject,
            "id": problem.pk,
        }
    return _("%(kind)s：%(org)s（%(code)s）%(period)s“%(subject)s”（编号 %(id)s）") % {
        "kind": problem.kind_label,
        "org": problem.org_name,
        "code": problem.org_code,
        "period": problem.period,
        "subject": problem.subject,
        "id": problem.pk,
    }


def _cells(problem: integrity.Problem) -> list[str]:
    if not problem.cells:
        return [
            _(
                "    未能从审计日志指出是哪一项：逐项内容与审计日志的记录一致，"
                "可能改动的是该项本身（所属机构、报告期、报表或计算批次），或审计日志中没有逐项记录。"
            )
        ]
    lines = [
        _("    %(label)s（%(key)s）%(what)s：审计日志最后记录为“%(recorded)s”，现存为“%(stored)s”")
        % {
            "label": c["label"],
            "key": c["key"],
            "what": c.get("what", ""),
            "recorded": c["recorded"] if c["recorded"] not in (None, "") else _("（空）"),
            "stored": c["stored"] if c["stored"] not in (None, "") else _("（空）"),
        }
        for c in problem.cells[:SHOWN_CELLS]
    ]
    if len(problem.cells) > SHOWN_CELLS:
        lines.append(_("    另有 %(n)d 项不一致未列出") % {"n": len(problem.cells) - SHOWN_CELLS})
    return lines


class Command(BaseCommand):
    help = _(
        "重新计算每项已验收数据（统计报表、书面报告、已公布的考核结果）的完整性封印，列出与现存数据不符的项目；"
        "有不符时以非零状态退出。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help=_("以 JSON 输出结果"))
        parser.add_argument(
            "--seal-missing", action="store_true", help=_("先为已验收但尚无封印的项目补加封印（每项记入审计日志）")
        )
        parser.add_argument("--no-record", action="store_true", help=_("不把本次校验结果记入审计日志"))

    def handle(self, *args, json: bool, seal_missing: bool, no_record: bool, **options):  # noqa: A002
        sealed = integrity.seal_missing(Actor.system("verify_integrity")) if seal_missing else {}
        report = integrity.check()
        if not no_record:
            integrity.record_check(report, by=Actor.system("verify_integrity"), source="command")
        if json:
            self.stdout.write(_dumps({**report.as_dict(), "sealed_now": sealed}))
        else:
            self._print(report, sealed)
        if not report.intact:
            raise CommandError(
                _("数据完整性校验失败：%(m)d 项与封印不符，%(u)d 项无法校验。")
                % {"m": report.mismatches, "u": report.unknown_key}
            )

    def _print(self, report: integrity.CheckReport, sealed: dict[str, int]) -> None:
        if sum(sealed.values()):
            self.stdout.write(_("已为 %(n)d 项尚无封印的已验收数据补加封印。") % {"n": sum(sealed.values())})
        mismatched = [p for p in report.problems if p.outcome == integrity.MISMATCH]
        unknown = [p for p in report.problems if p.outcome == integrity.UNKNOWN_KEY]
        unsealed = [p for p in report.problems if p.outcome == integrity.UNSEALED]
        if mismatched:
            self.stdout.write(_("以下数据在验收后被改动，与其完整性封印不符："))
            for problem in mismatched:
                self.stdout.write("  " + _item(problem))
                for line in _cells(problem):
                    self.stdout.write(line)
        if unknown:
            self.stdout.write(
                _("以下数据由本机没有的密钥封印，无法校验（请在 CHANGAI_AUDIT_KEYS 中保留轮换前的密钥）：")
            )
            for problem in unknown:
                self.stdout.write("  " + _item(problem))
        if unsealed:
            self.stdout.write(
                _("以下数据已验收但尚无封印（封印功能启用前验收；可运行 verify_integrity --seal-missing 补加）：")
            )
            for problem in unsealed:
                self.stdout.write("  " + _item(problem))
        self.stdout.write(
            _("共校验 %(n)d 项已验收数据：%(ok)d 项完整，%(m)d 项不符，%(u)d 项尚无封印，%(k)d 项无法校验。")
            % {
                "n": report.items,
                "ok": report.items - len(report.problems),
                "m": report.mismatches,
                "u": report.unsealed,
                "k": report.unknown_key,
            }
        )


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)
