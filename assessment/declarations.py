"""What assessment adds: its audit events, its background job and the "量化考核" menu."""

from django.utils.translation import gettext_lazy as _

from core import registry
from orgs.choices import Action
from orgs.nav import may

registry.audit_events(
    {
        "assessment.framework.create": _("新建考核方案"),
        "assessment.framework.update": _("修改考核方案"),
        "assessment.framework.issue": _("发布考核方案"),
        "assessment.framework.unissue": _("考核方案修改后退回草稿"),
        "assessment.dimension.save": _("保存考核维度"),
        "assessment.dimension.move": _("调整考核维度顺序"),
        "assessment.dimension.delete": _("删除考核维度"),
        "assessment.criterion.save": _("保存考核指标"),
        "assessment.criterion.move": _("调整考核指标顺序"),
        "assessment.criterion.delete": _("删除考核指标"),
        "assessment.round.open": _("开启考核轮次"),
        "assessment.round.advance": _("考核进入下一阶段"),
        "assessment.round.compute": _("计算考核得分"),
        "assessment.round.publish": _("公布考核结果"),
        "assessment.round.reopen": _("重新开启考核轮次"),
        "assessment.round.lock": _("锁定考核轮次"),
        "assessment.self_assessment.submit": _("提交自评"),
        "assessment.evidence.add": _("提交佐证材料"),
        "assessment.evidence.download": _("下载佐证材料"),
        "assessment.rater.assign": _("指派评分人"),
        "assessment.rating.create": _("评分"),
        "assessment.rating.update": _("修改评分"),
        "assessment.calibration.save": _("校准评分"),
        "assessment.entry.add": _("登记加扣分或否决事项"),
        "assessment.entry.delete": _("删除加扣分或否决事项"),
        "assessment.appeal.file": _("提出申诉"),
        "assessment.appeal.answer": _("答复申诉"),
        "assessment.score_card.export": _("导出评分表"),
        "assessment.summary.export": _("导出考核汇总表"),
    }
)

registry.job_kinds({"assessment.round_compute": _("考核得分计算")})


def _rater(user) -> bool:
    """Was named a rater in some round: 我的评分 lists those rounds, so a role the office could name raters from
    is not enough (an office administrator or a leader who never rates has nothing there). Only holders of
    such a role are asked, and the answer is cached (services.is_rater): the bar costs no query."""
    if not getattr(user, "is_authenticated", False):
        return False
    from assessment.forms import RATER_ROLES
    from assessment.services import is_rater
    from orgs.scoping import roles_of

    return bool(roles_of(user) & set(RATER_ROLES)) and is_rater(user)


def _any(*checks):
    return lambda user: any(check(user) for check in checks)


_office = may(Action.ASSESS_MANAGE)
_results = may(Action.VIEW)

registry.menu(
    registry.MenuEntry(
        key="assessment",
        label=_("量化考核"),
        order=40,
        visible=_any(_office, _results, _rater),
        section="assessment",
        children=(
            registry.MenuEntry(key="rounds", label=_("考核轮次"), url_name="assessment:round_list"),
            registry.MenuEntry(key="rating", label=_("我的评分"), url_name="assessment:rating_home", visible=_rater),
            registry.MenuEntry(
                key="my_results", label=_("我的考核结果"), url_name="assessment:my_results", visible=_results
            ),
            registry.MenuEntry(
                key="frameworks",
                label=_("考核方案"),
                url_name="assessment:framework_list",
                visible=_office,
                divider=True,
            ),
            registry.MenuEntry(
                key="round_open", label=_("开启考核轮次"), url_name="assessment:round_open", visible=_office
            ),
        ),
    ),
)


def _todos(user):
    from assessment.queries import assessment_todos

    return assessment_todos(user)


def _rounds(user):
    from assessment.queries import assessment_rounds

    return assessment_rounds(user)


registry.todos("assessment", _todos)
registry.rounds("assessment", _rounds)


# --- Integrity: published results are sealed and checked (assessment/integrity.py, core/integrity.py) ---

from assessment.integrity import SEALABLE  # noqa: E402  (declarations run once the apps are ready)
from core import integrity  # noqa: E402

integrity.register(SEALABLE)
