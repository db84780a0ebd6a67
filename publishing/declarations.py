"""What the publishing app adds: its audit events, its background job, its to-dos and the "信息与快报" menu."""

from django.utils.translation import gettext_lazy as _

from core import registry
from orgs.choices import Action
from orgs.nav import may

registry.audit_events(
    {
        "publishing.submission.create": _("新建报送信息"),
        "publishing.submission.update": _("修改报送信息"),
        "publishing.submission.attach": _("上传报送信息的照片或附件"),
        "publishing.submission.detach": _("移除报送信息的照片或附件"),
        "publishing.submission.download": _("下载报送信息的附件"),
        "publishing.submission.submit": _("报送信息"),
        "publishing.submission.take": _("接收编辑报送信息"),
        "publishing.submission.return": _("退回修改报送信息"),
        "publishing.submission.accept": _("采用报送信息"),
        "publishing.submission.decline": _("不采用报送信息"),
        "publishing.series.save": _("保存刊物设置"),
        "publishing.issue.create": _("新建快报"),
        "publishing.issue.update": _("修改快报"),
        "publishing.issue.distribution": _("设置快报报送和发送对象"),
        "publishing.issue.finalise": _("快报定稿"),
        "publishing.issue.reopen": _("撤回快报定稿"),
        "publishing.issue.issue": _("印发快报"),
        "publishing.issue.documents": _("生成快报文件"),
        "publishing.article.add": _("增加快报文章"),
        "publishing.article.update": _("修改快报文章"),
        "publishing.article.remove": _("移除快报文章"),
        "publishing.article.move": _("调整快报文章顺序"),
        "publishing.document.download": _("下载快报文件"),
        "publishing.report.create": _("新建评估报告"),
        "publishing.report.documents": _("生成评估报告文件"),
        "publishing.report.download": _("下载评估报告文件"),
    }
)

registry.job_kinds(
    {
        "publishing.issue_documents": _("生成快报 Word 和 PDF 文件"),
        "publishing.report_documents": _("生成评估报告 Word 和 PDF 草稿"),
    }
)


def _todos(user):
    from publishing.queries import todos

    return todos(user)


registry.todos("publishing", _todos)


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


# Business data: not for the three separated administrators (三权分立), who hold no VIEW anywhere.
_reader = may(Action.VIEW)


def _submitter(user) -> bool:
    from publishing.queries import is_submitter

    return _signed_in(user) and is_submitter(user)


def _editor(user) -> bool:
    from publishing.queries import is_editor

    return is_editor(user)


registry.menu(
    registry.MenuEntry(
        key="publishing",
        label=_("信息与快报"),
        order=39,
        visible=_reader,
        section="publishing",
        children=(
            registry.MenuEntry(
                key="publishing_submissions",
                label=_("信息报送"),
                url_name="publishing:submissions",
                visible=lambda user: _submitter(user) or _editor(user),
            ),
            registry.MenuEntry(
                key="publishing_office", label=_("编辑部"), url_name="publishing:office", visible=_editor
            ),
            registry.MenuEntry(key="publishing_issues", label=_("快报"), url_name="publishing:issues"),
            registry.MenuEntry(
                key="publishing_reports",
                label=_("评估报告"),
                url_name="publishing:reports",
                visible=_editor,
                divider=True,
            ),
        ),
    ),
)
