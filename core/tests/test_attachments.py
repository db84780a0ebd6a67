"""core.attachments: photos lose their metadata and shrink; images preview inline, everything else downloads."""

import io
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from PIL import Image

from core import attachments
from core.errors import UserError
from core.files import JPEG, PNG


def _jpeg_with_location(width=4000, height=3000) -> bytes:
    image = Image.new("RGB", (width, height), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = 6  # Orientation: rotated 90°, to be turned upright
    exif[0x8825] = {1: "N", 2: (25.0, 2.0, 30.0)}  # GPSInfo
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_a_phone_photo_is_stored_upright_small_and_without_its_location():
    upload = SimpleUploadedFile("现场.jpg", _jpeg_with_location(), content_type="image/jpeg")
    cleaned = attachments._clean_image(upload, JPEG, "现场.jpg")
    with Image.open(io.BytesIO(cleaned)) as image:
        assert max(image.size) == attachments.MAX_IMAGE_SIDE
        assert image.size[1] > image.size[0]  # the orientation tag was applied: portrait now
        exif = image.getexif()
        assert 0x8825 not in exif and 0x010F not in exif and 0x0112 not in exif
    assert upload.tell() == 0


def test_a_png_stays_a_png_and_a_broken_image_is_refused_by_name():
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, format="PNG")
    cleaned = attachments._clean_image(SimpleUploadedFile("a.png", out.getvalue()), PNG, "a.png")
    assert cleaned.startswith(b"\x89PNG")
    broken = SimpleUploadedFile("坏图.jpg", b"\xff\xd8\xff" + b"\x00" * 100)
    with pytest.raises(UserError, match="坏图.jpg"):
        attachments._clean_image(broken, JPEG, "坏图.jpg")


def test_images_only_refuses_a_pdf_before_storing_anything():
    row = SimpleNamespace(file=SimpleNamespace(save=lambda *a, **k: pytest.fail("stored")))
    pdf = SimpleUploadedFile("记录.pdf", b"%PDF-1.4\n%%EOF\n")
    with pytest.raises(UserError, match="记录.pdf"):
        attachments.keep(row, pdf, images_only=True)


def _row(content_type, data=b"x"):
    return SimpleNamespace(
        file=SimpleNamespace(open=lambda mode: io.BytesIO(data)),
        original_name="照片.jpg",
        content_type=content_type,
        is_image=content_type in ("image/jpeg", "image/png"),
    )


def test_preview_is_inline_and_sandboxed_for_images_and_404_for_documents():
    response = attachments.preview(_row("image/jpeg"))
    assert "Content-Disposition" not in response or "attachment" not in response["Content-Disposition"]
    assert response["Content-Security-Policy"].startswith("default-src 'none'")
    assert response["X-Content-Type-Options"] == "nosniff"
    with pytest.raises(Http404):
        attachments.preview(_row("application/pdf"))


def test_download_is_always_an_attachment():
    response = attachments.download(_row("image/jpeg"))
    assert response["Content-Disposition"].startswith("attachment")
