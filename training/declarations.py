"""What capacity building adds: its audit events, its entries under 政策与培训, its to-dos."""

from django.utils.translation import gettext_lazy as _

from core import registry
from orgs.choices import Action
from orgs.nav import may
from orgs.scoping import is_office

registry.audit_events(
    {
        "training.class.create": _("新建培训班"),
        "training.class.update": _("修改培训班"),
        "training.class.open": _("培训班开始报名"),
        "training.class.start": _("培训班开班"),
        "training.class.finish": _("培训班结束"),
        "training.class.cancel": _("取消培训班"),
        "training.material.add": _("上传培训资料"),
        "training.material.download": _("下载培训资料"),
        "training.enrolment.add": _("培训报名"),
        "training.enrolment.withdraw": _("退出培训报名"),
        "training.attendance.record": _("记录培训考勤"),
        "training.completion.record": _("记录培训结业"),
        "training.attendance.export": _("导出培训考勤表"),
        "training.coverage.export": _("导出培训覆盖情况"),
    }
)


def _todos(user):
    from training.queries.worklist import training_todos

    return training_todos(user)


registry.todos("training", _todos)


def _office(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and is_office(user)


# Under the 政策与培训 drop-down that the policy library declares (key "policy").
registry.menu_children(
    "policy",
    registry.MenuEntry(key="training_classes", label=_("能力建设"), url_name="training:home", visible=may(Action.VIEW)),
    registry.MenuEntry(key="training_coverage", label=_("培训覆盖"), url_name="training:coverage", visible=_office),
)
