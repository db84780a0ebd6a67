"""Uploaded files: checked by content, named safely, fingerprinted: the rules every app's attachments follow.

A file is accepted when its bytes say it is a PDF, a Word (.docx) or Excel (.xlsx) document, a
JPEG or a PNG image, and the name it was uploaded with has the matching extension: a PNG renamed
.xlsx is refused. Macro-enabled Office files are refused. The uploaded name is kept for display
only; the stored name is generated (`new_storage_name`).
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid
import zipfile
from dataclasses import dataclass
from typing import IO

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from core.errors import UserError

MAX_ATTACHMENT_SIZE = 20 * 1024 * 1024
_ZIP_MAX_ENTRIES = 10_000


class FileTooLarge(UserError):
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


def check_upload(upload: UploadedFile, name: str) -> FileKind:
    """The kind of an upload shown as `name`; UserError (FileTooLarge) when it is empty, too large or not accepted."""
    if upload.size is None or upload.size == 0:
        raise UserError(_("文件“%(name)s”是空文件，请重新选择。") % {"name": name}, field="file")
    if upload.size > MAX_ATTACHMENT_SIZE:
        raise FileTooLarge(
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


def digest(upload: UploadedFile) -> str:
    """The upload's SHA-256, in hex (the stream is left at its start)."""
    sha = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        sha.update(chunk)
    upload.seek(0)
    return sha.hexdigest()


def checked_upload(upload: UploadedFile) -> tuple[str, FileKind, str]:
    """An upload's cleaned name, detected kind and SHA-256; UserError (FileTooLarge, 413, over the size limit)
    when it is not a file we accept."""
    name = clean_original_name(upload.name or "")
    return name, check_upload(upload, name), digest(upload)


def new_storage_name(extension: str) -> str:
    """A generated file name (the uploaded one is never used on disk)."""
    return f"{uuid.uuid4().hex}{extension}"
