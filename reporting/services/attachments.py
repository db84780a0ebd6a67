"""Files attached to a report: checked by content, stored under a generated name, served only as downloads.

A file is accepted by the kernel's file checks (core/files.py: content, extension, size).
Files are added and deleted only while the report can be edited; every add,
delete and download is audited.
"""

from __future__ import annotations

from typing import IO

from django.core.files.base import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.actor import Actor
from core.db import atomic_retrying
from core.errors import UserError
from core.files import checked_upload, new_storage_name
from orgs.choices import Action
from orgs.scoping import ensure_allowed
from reporting.models import Report, ReportAttachment
from reporting.services.filling import _ensure_editable, _lock

MAX_ATTACHMENTS_PER_REPORT = 50
_AUDITED_FIELDS = ("id", "report", "original_name", "size", "content_type", "sha256", "uploaded_by", "uploaded_at")


def attachment_add(*, by: Actor, report: Report, upload: UploadedFile) -> ReportAttachment:
    """Attach a checked file to an editable report.

    Raises UserError (wrong or broken type, empty, too many files, report not editable),
    AttachmentTooLarge (over 20 MB) or PermissionDenied; nothing is stored then.
    """
    ensure_allowed(by, Action.EDIT, report.org)
    name, kind, digest = checked_upload(upload)
    storage_name = new_storage_name(kind.extensions[0])
    attachment = ReportAttachment(
        original_name=name, size=upload.size, content_type=kind.content_type, sha256=digest, uploaded_by=by.user
    )
    saved_name = ""
    try:
        with transaction.atomic():
            locked = _lock(report)
            _ensure_editable(locked, timezone.now())
            if locked.attachments.count() >= MAX_ATTACHMENTS_PER_REPORT:
                raise UserError(
                    _("每份报表最多上传 %(n)d 个附件；请删除不需要的附件后再上传。") % {"n": MAX_ATTACHMENTS_PER_REPORT}
                )
            attachment.report = locked
            attachment.file.save(storage_name, File(upload), save=False)
            saved_name = attachment.file.name
            attachment.save()
            audit.record(
                by,
                "reporting.attachment.add",
                locked,
                after=None,
                detail={
                    "attachment": attachment.pk,
                    "name": name,
                    "size": attachment.size,
                    "content_type": attachment.content_type,
                    "sha256": digest,
                    "stored_as": saved_name,
                },
            )
    except BaseException:
        if saved_name:
            attachment.file.storage.delete(saved_name)
        raise
    return attachment


@atomic_retrying
def attachment_delete(*, by: Actor, attachment: ReportAttachment) -> None:
    """Remove a file from a report that can still be edited; the stored file goes after the commit."""
    ensure_allowed(by, Action.EDIT, attachment.report.org)
    report = _lock(attachment.report)
    _ensure_editable(report, timezone.now())
    # A FieldFile is not JSON: the audit row keeps the stored name instead.
    before = {**audit.snapshot(attachment, fields=_AUDITED_FIELDS), "file": attachment.file.name}
    storage, stored_name = attachment.file.storage, attachment.file.name
    attachment.delete()
    audit.record(
        by,
        "reporting.attachment.delete",
        report,
        before=before,
        after=None,
        detail={"attachment": before["id"], "name": before["original_name"], "sha256": before["sha256"]},
    )
    transaction.on_commit(lambda: storage.delete(stored_name))


@transaction.atomic
def attachment_open(*, by: Actor, attachment: ReportAttachment) -> IO[bytes]:
    """The stored file, opened for a download by someone who may view the report (audited)."""
    ensure_allowed(by, Action.VIEW, attachment.report.org)
    try:
        handle = attachment.file.storage.open(attachment.file.name, "rb")
    except FileNotFoundError as error:
        raise UserError(_("附件“%(name)s”的文件已丢失，请联系管理员。") % {"name": attachment.original_name}) from error
    audit.record(
        by,
        "reporting.attachment.download",
        attachment.report,
        after=None,
        detail={"attachment": attachment.pk, "name": attachment.original_name},
    )
    return handle
