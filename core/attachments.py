"""Attachments every app keeps the same way: checked by content, photos cleaned, served only as themselves.

An app's attachment model subclasses `core.models.StoredFile`; its service calls `keep()` inside its own
transaction (after `ensure_allowed`) and audits the row; its view fetches the row through the door and answers
with `download()` (always a download) or `preview()` (images only, inline, for thumbnails on a page).

Photos taken on a phone carry their location and camera in EXIF: `keep()` re-encodes JPEG and PNG images
without metadata, turned upright and at most `MAX_IMAGE_SIDE` pixels on the long side, so a visit's photos
neither leak where someone lives nor fill the disk. The SHA-256 kept is the stored file's.
"""

from __future__ import annotations

import hashlib
import io

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from core.errors import UserError
from core.files import JPEG, PNG, FileKind, checked_upload, new_storage_name
from core.models import StoredFile

MAX_IMAGE_SIDE = 2560
_IMAGE_KINDS = (JPEG, PNG)


def _clean_image(upload: UploadedFile, kind: FileKind, name: str) -> bytes:
    """The image upright, without EXIF/XMP/ICC text chunks, scaled down to MAX_IMAGE_SIDE; UserError if unreadable."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = 80_000_000  # a decompression bomb is refused, not decoded
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            image = ImageOps.exif_transpose(image)
            image.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE))
            out = io.BytesIO()
            if kind is JPEG:
                image.convert("RGB").save(out, format="JPEG", quality=85, optimize=True)
            else:
                image.save(out, format="PNG", optimize=True)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        raise UserError(
            _("图片“%(name)s”无法读取（可能已损坏或过大），请重新拍摄或换一张图片。") % {"name": name}, field="file"
        ) from error
    finally:
        upload.seek(0)
    return out.getvalue()


def keep(row: StoredFile, upload: UploadedFile, *, by_user=None, images_only: bool = False) -> StoredFile:
    """Check `upload`, store it under a generated name and fill `row`'s file columns; saves the row.

    `images_only` refuses anything but JPEG and PNG (a visit's photos). Raises UserError (413 when too large)
    with the file's name in Chinese; nothing is stored then.
    """
    name, kind, digest = checked_upload(upload)
    if images_only and kind not in _IMAGE_KINDS:
        raise UserError(_("“%(name)s”不是 JPG 或 PNG 图片；照片只能上传图片文件。") % {"name": name}, field="file")
    if kind in _IMAGE_KINDS:
        data = _clean_image(upload, kind, name)
        content = ContentFile(data)
        size, digest = len(data), hashlib.sha256(data).hexdigest()
    else:
        content, size = upload, upload.size
    row.original_name = name
    row.size = size
    row.content_type = kind.content_type
    row.sha256 = digest
    row.uploaded_by = by_user
    row.file.save(new_storage_name(kind.extensions[0]), content, save=False)
    row.save()
    return row


def download(row: StoredFile) -> FileResponse:
    """The file as a download under its original name (never shown inline)."""
    response = FileResponse(
        row.file.open("rb"), as_attachment=True, filename=row.original_name, content_type=row.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def preview(row: StoredFile) -> FileResponse:
    """An image inline (for a thumbnail or a phone's full view); 404 for any other kind of file."""
    if not row.is_image:
        raise Http404
    response = FileResponse(row.file.open("rb"), content_type=row.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response
