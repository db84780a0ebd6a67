"""What the demonstration sites add: audit events, the "示范引领" menu, to-dos and the open batches' progress."""

from django.utils.translation import gettext_lazy as _

from core import registry
from orgs.choices import Action
from orgs.nav import may

registry.audit_events(
    {
        "sites.batch.create": _("新建示范点批次"),
        "sites.batch.update": _("修改示范点批次"),
        "sites.batch.announce": _("公布示范点批次"),
        "sites.batch.export": _("导出示范点名单"),
        "sites.nomination.create": _("填写示范点推荐"),
        "sites.nomination.update": _("修改示范点推荐"),
        "sites.nomination.attach": _("上传示范点推荐材料"),
        "sites.nomination.submit": _("推荐示范点"),
        "sites.nomination.return": _("退回示范点推荐"),
        "sites.nomination.select": _("示范点推荐入选"),
        "sites.nomination.reject": _("示范点推荐未入选"),
        "sites.file.download": _("下载示范点材料"),
        "sites.site.create": _("示范点入选公布"),
        "sites.site.assign": _("派驻指导组"),
        "sites.site.accept": _("示范点验收"),
        "sites.site.withdraw": _("撤销示范点"),
        "sites.site.update": _("修改示范点进展概要"),
        "sites.group.create": _("新建指导组"),
        "sites.group.update": _("修改指导组"),
        "sites.visit.record": _("记录指导走访"),
        "sites.visit.attach": _("上传走访照片或文件"),
        "sites.followup.create": _("提出跟进事项"),
        "sites.followup.close": _("办结跟进事项"),
        "sites.rating.save": _("指导组评价示范点"),
        "sites.rating.lock": _("锁定指导组评价"),
    }
)


def _todos(user):
    from sites.queries.worklist import site_todos

    return site_todos(user)


def _rounds(user):
    from sites.queries.worklist import batch_rounds

    return batch_rounds(user)


registry.todos("sites", _todos)
registry.rounds("sites", _rounds)


def _guidance(user) -> bool:
    """Those who may sit on a guidance group (cached roles: the bar costs no query)."""
    from orgs.scoping import roles_of
    from sites.services.sites import MEMBER_ROLES

    return bool(roles_of(user) & set(MEMBER_ROLES))


_view = may(Action.VIEW)
_office = may(Action.ACCEPT, Action.ASSESS_MANAGE)

registry.menu(
    registry.MenuEntry(
        key="demonstration",
        label=_("示范引领"),
        order=37,
        visible=_view,
        section="sites",
        children=(
            registry.MenuEntry(key="sites", label=_("示范点"), url_name="sites:home"),
            registry.MenuEntry(key="site_batches", label=_("批次"), url_name="sites:batches"),
            registry.MenuEntry(key="guidance_groups", label=_("指导组"), url_name="sites:groups", visible=_office),
            registry.MenuEntry(key="my_guidance", label=_("我的指导"), url_name="sites:mine", visible=_guidance),
        ),
    ),
)
