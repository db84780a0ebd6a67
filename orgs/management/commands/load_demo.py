"""`manage.py load_demo`: load the demo province (idempotent; see orgs/demo.py for the rules)."""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from core.actor import Actor
from orgs.choices import Role
from orgs.demo import ACCOUNTS, DEMO_PASSWORD, load_demo

# The apps' demos after the reports, the indicator targets and the assessment, in this order: each may read what
# the ones before it made (the ledger's targets read accepted reports; cases come from sites' enterprises). Each
# module has `<loader>(office_user)` returning a result with `warnings`, and `summary_lines(result)`.
APP_DEMOS = (
    ("ledger", "load_demo_ledger"),
    ("policies", "load_demo_policies"),
    ("sites", "load_demo_sites"),
    ("cases", "load_demo_cases"),
    ("training", "load_demo_training"),
    ("talent", "load_demo_talent"),
    ("publishing", "load_demo_publishing"),
    ("competitions", "load_demo_competitions"),
    ("studios", "load_demo_studios"),
    ("suggestions", "load_demo_suggestions"),
)


class Command(BaseCommand):
    help = "加载演示省份（可重复运行：只补建缺少的机构、账号、任职和挂钩关系，已有数据保持不变）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="把演示账号的密码重置为演示密码。",
        )
        reports = parser.add_mutually_exclusive_group()
        reports.add_argument(
            "--with-reports",
            action="store_true",
            help="即使未开启演示模式也生成示例报表（示例报表会计入统计分析）。",
        )
        reports.add_argument(
            "--without-reports",
            action="store_true",
            help="只加载机构和账号，不生成示例报表（示例报表要走完整的填报流程，需要几十秒）。",
        )

    def handle(self, *args, **options):
        result = load_demo(reset_passwords=options["reset_passwords"])
        from assessment.demo import DemoAssessmentResult, load_demo_assessment
        from assessment.demo import summary_lines as assessment_lines
        from reporting.demo import DemoReportsResult, load_demo_reports, summary_lines  # built on the tree

        # Sample reports would count in the province's figures: only in demo mode, unless asked for.
        with_reports = options["with_reports"] or (settings.DEMO_MODE and not options["without_reports"])
        reports, assessment = DemoReportsResult(), DemoAssessmentResult()
        later: list = []  # (the app's demo module, its result)
        if with_reports:
            reports = load_demo_reports(reset_passwords=options["reset_passwords"])
            from analytics.demo import load_demo_targets  # built on the indicators and the office

            office = next(a.username for a in ACCOUNTS if a.role == Role.OFFICE_ADMIN)
            office_user = get_user_model().objects.get(username=office)
            load_demo_targets(by=Actor(user=office_user))
            assessment = load_demo_assessment(office_user)  # scores the 2021 reports against the targets
            for app, loader in APP_DEMOS:
                module = import_module(f"{app}.demo")
                later.append((module, getattr(module, loader)(office_user)))
        created, kept = result.created, result.kept
        lines = [
            _("演示省份已加载（重复运行只补建缺少的数据）："),
            _("  机构：新建 %(new)d 个，已存在 %(old)d 个；隶属关系：新建 %(links)d 条")
            % {"new": created["organisations"], "old": kept["organisations"], "links": created["links"]},
            _("  挂钩帮带：新建 %(new)d 条，已存在 %(old)d 条")
            % {"new": created["assignments"], "old": kept["assignments"]},
            _("  演示账号：新建 %(new)d 个，已存在 %(old)d 个；任职：新建 %(grants)d 条，已存在 %(kept)d 条")
            % {
                "new": created["users"],
                "old": kept["users"],
                "grants": created["memberships"],
                "kept": kept["memberships"],
            },
        ]
        if options["reset_passwords"]:
            lines.append(
                _("  已重置 %(n)d 个演示账号的密码。") % {"n": result.passwords_reset + reports.passwords_reset}
            )
        lines.append(
            _("  演示账号（密码均为 %(password)s）：%(names)s")
            % {"password": DEMO_PASSWORD, "names": "、".join(a.username for a in ACCOUNTS)}
        )
        if with_reports:
            lines.extend(summary_lines(reports))
            lines.extend(assessment_lines(assessment))
            for module, app_result in later:
                lines.extend(module.summary_lines(app_result))
        elif not options["without_reports"]:
            lines.append(_("  未开启演示模式，未生成示例报表（需要时加 --with-reports）。"))
        self.stdout.write("\n".join(lines))
        warnings = [*result.warnings, *reports.warnings, *assessment.warnings]
        for _module, app_result in later:
            warnings.extend(app_result.warnings)
        for warning in warnings:
            self.stderr.write(_("  注意：%(text)s") % {"text": warning})
        if not settings.DEMO_MODE:
            self.stdout.write(self.style.WARNING(_("未开启演示模式（CHANGAI_DEMO_MODE=1），演示账号不能登录。")))
