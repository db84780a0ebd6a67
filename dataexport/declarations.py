"""What the province export adds: its audit events, its job, its entry in the user's menu."""

from django.utils.translation import gettext_lazy as _

from core import registry


def _may_export(user) -> bool:
    from dataexport.services import may_export

    return bool(getattr(user, "is_authenticated", False)) and may_export(user)


registry.audit_events(
    {
        "dataexport.export.create": _("导出全省数据"),
        "dataexport.export.download": _("下载全省数据导出"),
    }
)
registry.job_kinds({"dataexport.province": _("全省数据导出")})
registry.menu(
    registry.MenuEntry(
        key="dataexport", label=_("全省数据导出"), url_name="dataexport:home", visible=_may_export, place="user"
    ),
)
