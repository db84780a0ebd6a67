"""What analytics adds: its audit events and the "统计分析" menu."""

from django.utils.translation import gettext_lazy as _

from core import registry
from orgs.choices import Action
from orgs.nav import may

registry.audit_events(
    {
        "analytics.indicator.create": _("新增指标"),
        "analytics.indicator.update": _("修改指标"),
        "analytics.target.set": _("设定指标目标"),
        "analytics.external.create": _("录入部门统计数据"),
        "analytics.view.create": _("保存分析视图"),
        "analytics.view.update": _("修改分析视图"),
        "analytics.view.delete": _("删除分析视图"),
        "analytics.pivot.export": _("导出数据透视表"),
        "analytics.dashboard.export": _("导出驾驶舱"),
        "analytics.aggregates.rebuild": _("重建统计汇总"),
    }
)


def _entry(key: str, label, **kwargs) -> registry.MenuEntry:
    return registry.MenuEntry(key=key, label=label, url_name=f"analytics:{key}", **kwargs)


registry.menu(
    registry.MenuEntry(
        key="analytics",
        label=_("统计分析"),
        order=30,
        visible=may(Action.VIEW),
        section="analytics",
        children=(
            _entry("dashboard", _("领导驾驶舱")),
            _entry("pivot", _("数据透视")),
            _entry("charts", _("统计图表")),
            _entry("map", _("州市地图")),
            _entry("reconcile", _("填报与记录对照")),
            _entry("views", _("保存的视图")),
            _entry("indicator_list", _("指标定义"), divider=True),
            _entry("external_list", _("部门统计数据"), visible=may(Action.METADATA_MANAGE)),
        ),
    ),
)
