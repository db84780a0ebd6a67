"""The ledger's fixed lists: the five key tasks, the nine aspects, group roles, officer kinds, states, alerts."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class KeyTask(models.TextChoices):
    """The five key tasks (DOMAIN.md §2) a reform task falls under, and the reform's own mechanisms."""

    THOUGHT = "thought", _("思想引领")
    CONTRIBUTION = "contribution", _("建功立业")
    SKILLS = "skills", _("素质提升")
    STATUS = "status", _("地位提高")
    GROWTH = "growth", _("队伍壮大")
    MECHANISM = "mechanism", _("工作机制")


class Aspect(models.IntegerChoices):
    """The nine aspects every organisation reports on in writing to the reform office."""

    INNOVATION = 1, _("职工创新：五小、创新工作室和技师工作站、合理化建议、民主管理和职代会")
    SPEAKERS = 2, _("选树优秀产业工人宣讲团宣讲重要讲话精神")
    DELEGATES = 3, _("两代表一委员参与国资委、财政、发改等政策制定及工会跟进")
    SITES = 4, _("第二批示范点建设和指导组深入一线指导")
    EDUCATION = 5, _("长期学历教育和短期素质培训")
    OFFICERS = 6, _("产改信息员和联络员")
    METHOD = 7, _("企业可量化的考核评价办法")
    CARE = 8, _("维权、激励、关爱、服务职工")
    MODELS = 9, _("培养选树优秀产业工人代表")


class GroupRole(models.TextChoices):
    LEADER = "leader", _("组长")
    DEPUTY = "deputy", _("副组长")
    MEMBER = "member", _("成员")
    OFFICE = "office", _("办公室")


class OfficerKind(models.TextChoices):
    INFO = "info", _("信息员")
    LIAISON = "liaison", _("联络员")


class TargetKind(models.TextChoices):
    """How a task's target is stated: on a platform indicator, as a counted result, or not in numbers."""

    INDICATOR = "indicator", _("指标目标")
    RESULT = "result", _("量化成果")
    NONE = "none", _("未量化")


class TaskStatus(models.TextChoices):
    PLANNED = "planned", _("未开始")
    ACTIVE = "active", _("推进中")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")


class DocumentKind(models.TextChoices):
    PLAN = "plan", _("实施方案")
    GROUP = "group", _("领导小组文件")
    METHOD = "method", _("考核评价办法")
    EVIDENCE = "evidence", _("进展佐证")
    REPORT = "report", _("书面报告附件")


class WrittenStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    RETURNED = "returned", _("已退回")
    ACCEPTED = "accepted", _("已通过")


class AlertKind(models.TextChoices):
    NO_PLAN = "no_plan", _("未出台实施方案")
    LATE_PLAN = "late_plan", _("实施方案出台滞后")
    NO_GROUP = "no_group", _("未建立领导小组")
    NO_INFO_OFFICER = "no_info_officer", _("未配备信息员")
    NO_LIAISON = "no_liaison", _("未配备联络员")
    NO_METHOD = "no_method", _("未出台量化考核办法")
    NO_ACTION = "no_action", _("有方案有机构无行动")
    VAGUE_TARGET = "vague_target", _("目标未量化")
    TASK_OVERDUE = "task_overdue", _("任务逾期未完成")
    BEHIND_PATH = "behind_path", _("指标进度明显滞后")
    WRITTEN_MISSING = "written_missing", _("书面报告未报送")
    WRITTEN_RETURNED = "written_returned", _("书面报告退回未重报")
