"""Files attached to a report: checked by content, stored under a generated name, served only as downloads.

A file is accepted when its bytes say it is a PDF, a Word (.docx) or Excel (.xlsx) document, a
JPEG or a PNG image, and the name it was uploaded with has the matching extension: a PNG renamed
.xlsx is refused. Files are added and deleted only while the report can be edited; every add,
delete and download is audited.
"""

from __future__ import annotations

import hashlib
import os
import re
import zipfile
from dataclasses import dataclass
from typing import IO

from django.core.files.base import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.actor import Actor
from core.errors import UserError
from orgs.choices import Action
from orgs.scoping import ensure_allowed
from reporting.models import Report, ReportAttachment
from reporting.models.attachments import new_storage_name
from reporting.services.reports import _ensure_editable, _lock

MAX_ATTACHMENT_SIZE = 20 * 1024 * 1024
MAX_ATTACHMENTS_PER_REPORT = 50
_ZIP_MAX_ENTRIES = 10_000
_AUDITED_FIELDS = ("id", "report", "original_name", "size", "content_type", "sha256", "uploaded_by", "uploaded_at")


class AttachmentTooLarge(UserError):
    """The file is over the size limit (413)."""

    status_code = 413


@dataclass(frozen=True)
class FileKind:
    """A file type we accept: what it is called, its extensions, its content type."""

    label: str
    extensions: tuple[str, ...]
    content_type: str


PDF = FileKind("PDF", (".pdf",), "application/pdf")
DOCX = FileKind("Word（.docx）", (".docx",), "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
XLSX = FileKind("Excel（.xlsx）", (".xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
JPEG = FileKind("JPEG 图片", (".jpg", ".jpeg"), "image/jpeg")
PNG = FileKind("PNG 图片", (".png",), "image/png")
KINDS = (PDF, DOCX, XLSX, JPEG, PNG)
ALLOWED_EXTENSIONS = tuple(ext for kind in KINDS for ext in kind.extensions)


def _zip_kind(stream: IO[bytes]) -> FileKind | None:
    """DOCX or XLSX by the parts inside the package; None for any other zip (or a macro-enabled one)."""
    try:
        with zipfile.ZipFile(stream) as archive:
            infos = archive.infolist()
            if len(infos) > _ZIP_MAX_ENTRIES:
                return None
            names = {info.filename for info in infos}
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "[Content_Types].xml" not in names or any(name.endswith("vbaProject.bin") for name in names):
        return None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def sniff(stream: IO[bytes]) -> FileKind | None:
    """The kind of file the bytes show (None when it is none we accept); leaves the stream at its start."""
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    kind: FileKind | None = None
    if head.startswith(b"%PDF-"):
        kind = PDF
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = PNG
    elif head.startswith(b"\xff\xd8\xff"):
        kind = JPEG
    elif head.startswith(b"PK\x03\x04"):
        kind = _zip_kind(stream)
    stream.seek(0)
    return kind


_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def clean_original_name(name: str) -> str:
    """The uploaded name without any directory part or control characters (kept only for display)."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = _UNSAFE_NAME.sub("", base).strip().lstrip(".")
    if len(base) > 200:
        stem, ext = os.path.splitext(base)
        base = stem[: 200 - len(ext)] + ext
    return base or _("未命名文件")


def _size_label(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def _check(upload: UploadedFile, name: str) -> FileKind:
    if upload.size is None or upload.size == 0:
        raise UserError(_("文件“%(name)s”是空文件，请重新选择。") % {"name": name}, field="file")
    if upload.size > MAX_ATTACHMENT_SIZE:
        raise AttachmentTooLarge(
            _("文件“%(name)s”大小为 %(size)s，超过了 20 MB 的上限；请压缩或拆分后再上传。")
            % {"name": name, "size": _size_label(upload.size)},
            field="file",
        )
    extension = os.path.splitext(name)[1].lower()
    if extension not in ALLOWED_EXTENSIONS:
        raise UserError(
            _("文件“%(name)s”的类型不允许上传；只能上传 PDF、Word（.docx）、Excel（.xlsx）、JPG 或 PNG 文件。")
            % {"name": name},
            field="file",
        )
    kind = sniff(upload)
    if kind is None:
        raise UserError(
            _(
                "文件“%(name)s”的内容不是有效的 PDF、Word（.docx）、Excel（.xlsx）、JPG 或 PNG 文件"
                "（可能已损坏、加密、含宏或被改了扩展名）。"
            )
            % {"name": name},
            field="file",
        )
    if extension not in kind.extensions:
        raise UserError(
            _("文件“%(name)s”的内容是%(kind)s，与扩展名“%(ext)s”不符；请确认文件后重新上传。")
            % {"name": name, "kind": kind.label, "ext": extension},
            field="file",
        )
    return kind


def _digest(upload: UploadedFile) -> str:
    sha = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        sha.update(chunk)
    upload.seek(0)
    return sha.hexdigest()


def checked_upload(upload: UploadedFile) -> tuple[str, FileKind, str]:
    """An upload's cleaned name, detected kind and SHA-256, for other apps storing evidence files;
    UserError or AttachmentTooLarge as for report attachments."""
    name = clean_original_name(upload.name or "")
    return name, _check(upload, name), _digest(upload)


def attachment_add(*, by: Actor, report: Report, upload: UploadedFile) -> ReportAttachment:
    """Attach a checked file to an editable report.

    Raises UserError (wrong or broken type, empty, too many files, report not editable),
    AttachmentTooLarge (over 20 MB) or PermissionDenied; nothing is stored then.
    """
    ensure_allowed(by, Action.EDIT, report.org)
    name = clean_original_name(upload.name or "")
    kind = _check(upload, name)
    digest = _digest(upload)
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


@transaction.atomic
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
