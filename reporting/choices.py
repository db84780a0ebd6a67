"""Enumerations of the reporting app: value types, periods, report states, rule importance, scope."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ValueType(models.TextChoices):
    INTEGER = "integer", _("整数")
    DECIMAL = "decimal", _("小数")
    MONEY = "money", _("金额（元）")
    PERCENTAGE = "percentage", _("百分比")
    TEXT = "text", _("文本")
    BOOLEAN = "boolean", _("是/否")
    DATE = "date", _("日期")


NUMERIC_TYPES = frozenset({ValueType.INTEGER, ValueType.DECIMAL, ValueType.MONEY, ValueType.PERCENTAGE})
# Types whose values carry a number for rules and aggregation (yes counts as 1, no as 0).
COUNTABLE_TYPES = NUMERIC_TYPES | {ValueType.BOOLEAN}


class Aggregation(models.TextChoices):
    """How values combine over organisations and over periods.

    SUM adds over both (flows: trainings held in a quarter). LAST adds over organisations and
    takes the last period over time (stocks: headcount at the period's end; four quarters of
    headcount are not four workforces). AVERAGE averages over both; NONE is never combined.
    """

    SUM = "sum", _("求和")
    LAST = "last", _("期末值（按机构求和，按时间取期末）")
    AVERAGE = "average", _("平均")
    NONE = "none", _("不汇总")


class PeriodType(models.TextChoices):
    MONTH = "month", _("月报")
    QUARTER = "quarter", _("季报")
    HALF_YEAR = "half_year", _("半年报")
    YEAR = "year", _("年报")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    APPROVED = "approved", _("已审核")
    RETURNED = "returned", _("已退回")
    ACCEPTED = "accepted", _("已验收")
    LOCKED = "locked", _("已锁定")


class Importance(models.TextChoices):
    ERROR = "error", _("错误（阻止提交）")
    WARNING = "warning", _("警告（需填写说明）")


class Operator(models.TextChoices):
    EQ = "==", _("等于")
    NE = "!=", _("不等于")
    LT = "<", _("小于")
    LE = "<=", _("小于或等于")
    GT = ">", _("大于")
    GE = ">=", _("大于或等于")


class MissingValueStrategy(models.TextChoices):
    """When a rule is skipped because values are missing (DHIS2's missingValueStrategy)."""

    SKIP_IF_ALL_MISSING = "skip_if_all", _("全部缺失时跳过")
    SKIP_IF_ANY_MISSING = "skip_if_any", _("任一缺失时跳过")
    NEVER_SKIP = "never_skip", _("从不跳过（缺失按 0 计）")


class MigrantScope(models.TextChoices):
    INCLUDED = "included", _("含农民工")
    EXCLUDED = "excluded", _("不含农民工")
    NOT_APPLICABLE = "na", _("不适用")


class Timeliness(models.TextChoices):
    ON_TIME = "on_time", _("按时报送")
    LATE = "late", _("逾期报送")
    MISSING = "missing", _("未报送")
    PENDING = "pending", _("未到截止日")


class VersionState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


class DigestStatus(models.TextChoices):
    """Where one day's digest e-mail to one person stands."""

    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")
