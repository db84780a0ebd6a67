"""Choices of accounts' own fields."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class NoticeDelivery(models.TextChoices):
    """How a person's in-app notifications reach them by e-mail (我的账号 › 通知邮件).

    The inbox always gets every notification; this only decides the e-mail copies. The default keeps
    the e-mail copy of each notification and adds the daily digest of the ones still unread; someone
    for whom that is too much keeps one of the two, or neither.
    """

    EACH_AND_DAILY = "each_daily", _("每条通知都发邮件，另发每日汇总")
    EACH = "each", _("每条通知都发邮件")
    DAILY = "daily", _("每日汇总")
    NONE = "none", _("不发邮件")


# The choices under which a notification's own e-mail copy goes out, and those that get the daily digest.
EACH_NOTICE_BY_MAIL = frozenset({NoticeDelivery.EACH_AND_DAILY, NoticeDelivery.EACH})
DAILY_DIGEST_MAIL = frozenset({NoticeDelivery.EACH_AND_DAILY, NoticeDelivery.DAILY})
