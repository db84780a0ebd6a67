from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class BaseModel(models.Model):
    """Common columns: creation and change times and a version number for optimistic locking."""

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    version = models.PositiveIntegerField(_("版本号"), default=1)

    class Meta:
        abstract = True


def stored_file_path(instance: "StoredFile", filename: str) -> str:
    """A generated storage name under the app and model (never the uploaded name)."""
    meta = instance._meta
    return f"{meta.app_label}/{meta.model_name}/{timezone.now():%Y/%m}/{filename}"


class StoredFile(models.Model):
    """A kept upload: the columns every app's attachments share (core/attachments.py fills and serves them).

    An app's attachment model subclasses this and adds what the file belongs to (a visit, a case, a policy)
    and, for the door, its organisation or a `ScopedQuerySet` through its owner.
    """

    file = models.FileField(_("文件"), upload_to=stored_file_path, max_length=300)
    original_name = models.CharField(_("原文件名"), max_length=255)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    content_type = models.CharField(_("文件类型"), max_length=100)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type in ("image/jpeg", "image/png")


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


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class Job(models.Model):
    """One piece of long work run by the background worker on someone's behalf (an import, a recompute).

    It keeps what is needed to act as the person who asked (user, address, request id), the object
    the work concerns (type, id and text, so the row outlives it), and how it ended: a summary on
    success, the Chinese message the person sees on failure.
    """

    kind = models.CharField(_("类型"), max_length=64, db_index=True)
    status = models.CharField(_("状态"), max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    requested_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="jobs", verbose_name=_("发起人")
    )
    ip = models.GenericIPAddressField(_("地址"), null=True, blank=True)
    request_id = models.CharField(_("请求ID"), max_length=64, blank=True)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True)
    object_id = models.CharField(_("对象ID"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=300, blank=True)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    result = models.JSONField(_("结果摘要"), default=dict, blank=True)
    error = models.TextField(_("错误信息"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), db_index=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # Who runs it ("host:pid:process start") and when it last said so: how a restarted worker tells
    # a job whose worker was killed from one still running (core.jobs.jobs_recover_interrupted).
    worker = models.CharField(_("处理进程"), max_length=200, blank=True)
    heartbeat_at = models.DateTimeField(_("最近心跳"), null=True, blank=True)
    # The same request asked twice (a double-clicked confirm) finds this job instead of making another.
    dedupe_key = models.CharField(_("去重键"), max_length=200, blank=True, default="")

    class Meta:
        ordering = ["-id"]
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["queued", "running", "done", "failed"]),
                name="%(app_label)s_%(class)s_status_valid",
            ),
            models.UniqueConstraint(
                fields=["kind", "dedupe_key"],
                condition=~models.Q(dedupe_key=""),
                name="%(app_label)s_%(class)s_dedupe_key_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} {self.object_repr}".strip()

    @property
    def is_active(self) -> bool:
        """Still waiting or running: the page keeps refreshing itself."""
        return self.status in (JobStatus.QUEUED, JobStatus.RUNNING)


def versioned_update(
    obj: models.Model,
    expected_version: int,
    *,
    conflict_message: str = "",
    refresh: bool = True,
    only_if: dict[str, Any] | None = None,
    **changes: Any,
) -> models.Model:
    """Write `changes` to `obj`'s row only if it still has `expected_version` (optimistic lock).

    The version goes up by one and `updated_at` (when the model has one) is set, in the same
    UPDATE. Raises ConflictError (409 in the API, the message on pages) and writes nothing when
    someone saved the row since
    `expected_version` was loaded, or when the row no longer matches `only_if` (e.g. the states a
    workflow step starts from). `obj` is reloaded afterwards (`refresh=False` keeps the caller's
    unsaved attributes and only updates its version and time).
    """
    from core.errors import ConflictError

    now = timezone.now()
    model = type(obj)
    stamped = any(f.name == "updated_at" for f in model._meta.concrete_fields)
    if stamped:
        changes["updated_at"] = now
    updated = model._default_manager.filter(pk=obj.pk, version=expected_version, **(only_if or {})).update(
        **changes, version=models.F("version") + 1
    )
    if not updated:
        raise ConflictError(conflict_message or gettext("该记录已被他人修改，请刷新后重试。"))
    if refresh:
        _refresh_keeping_joins(obj)
    else:
        obj.version = expected_version + 1
        if stamped:
            obj.updated_at = now
    return obj


def _refresh_keeping_joins(obj: models.Model) -> None:
    """Reload `obj`'s row, keeping the related objects it was loaded with (select_related) whose key is
    unchanged: refresh_from_db drops them all, and each would be read again on its next use."""
    joined = {}
    for field in obj._meta.concrete_fields:
        if field.is_relation and field.is_cached(obj):
            joined[field] = field.get_cached_value(obj)
    obj.refresh_from_db()
    for field, related in joined.items():
        key = getattr(obj, field.attname)
        if key is None:
            keep = related is None
        else:
            keep = related is not None and getattr(related, field.target_field.attname) == key
        if keep:
            field.set_cached_value(obj, related)
