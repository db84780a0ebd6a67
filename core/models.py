from django.db import models
from django.utils.translation import gettext_lazy as _


class BaseModel(models.Model):
    """Common columns: creation and change times and a version number for optimistic locking."""

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    version = models.PositiveIntegerField(_("版本号"), default=1)

    class Meta:
        abstract = True


class AuditEntry(models.Model):
    """One event: who did what to which object, from where, with the values before and after.

    Rows are append-only: the database refuses UPDATE and DELETE (triggers installed by the
    migration), and each row carries a hash of its content chained to the previous row, so
    an edit made around the application is detected by `manage.py verify_audit`.
    User, role and organisation are copied as text so that the row outlives renames.
    """

    at = models.DateTimeField(_("时间"), db_index=True)
    user_id = models.BigIntegerField(_("用户ID"), null=True, blank=True, db_index=True)
    username = models.CharField(_("用户名"), max_length=150, blank=True)
    role = models.CharField(_("角色"), max_length=200, blank=True)
    org_code = models.CharField(_("机构代码"), max_length=64, blank=True)
    event = models.CharField(_("事件"), max_length=100, db_index=True)
    success = models.BooleanField(_("成功"), default=True)
    ip = models.GenericIPAddressField(_("地址"), null=True, blank=True)
    request_id = models.CharField(_("请求ID"), max_length=64, blank=True)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True, db_index=True)
    object_id = models.CharField(_("对象ID"), max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(_("对象"), max_length=300, blank=True)
    before = models.JSONField(_("修改前"), null=True, blank=True)
    after = models.JSONField(_("修改后"), null=True, blank=True)
    detail = models.JSONField(_("详情"), null=True, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    entry_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        indexes = [models.Index(fields=["object_type", "object_id"], name="core_audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username or '-'} {self.event}"
