"""A corpus of malformed request photos, each posted through the real page (the resident's
"new request" form): never a 500, refused on the form with one of the photo messages, no request
written and no file stored. test_photos.py covers the attacks one by one (HTML after a GIF
header, SVG, a decompression bomb, EXIF); this is the wide net of broken files."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.models import AuditEvent
from services.models import ServiceRequest
from services.tests.test_photos import image_bytes, png_bomb, post_photo, stored_files

pytestmark = pytest.mark.django_db

# The refusals of a photo (core/images.py, the service's size limit, Django's "empty file").
REFUSALS = (
    "只能上传 JPG、PNG、GIF 或 WebP 格式的图片",
    "图片已损坏或无法读取",
    "图片像素过多",
    "照片不能超过5MB",
    "所提交的是空文件",
)


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_with_header(width: int, height: int, depth: int = 8, colour: int = 2) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


def corpus() -> dict[str, tuple[str, bytes, str]]:
    """{case: (file name, bytes, declared content type)}."""
    jpeg, png, gif = image_bytes("JPEG"), image_bytes("PNG"), image_bytes("GIF", mode="P")
    webp = image_bytes("WEBP")
    tiff = io.BytesIO()
    Image.new("RGB", (4, 4)).save(tiff, "TIFF")
    bmp = io.BytesIO()
    Image.new("RGB", (4, 4)).save(bmp, "BMP")
    return {
        "empty": ("a.jpg", b"", "image/jpeg"),
        "one-byte": ("a.jpg", b"\xff", "image/jpeg"),
        "jpeg-magic-only": ("a.jpg", b"\xff\xd8\xff", "image/jpeg"),
        "jpeg-truncated": ("a.jpg", jpeg[: len(jpeg) // 3], "image/jpeg"),
        "jpeg-garbage-body": ("a.jpg", jpeg[:20] + b"\x00" * 2000, "image/jpeg"),
        "png-truncated": ("a.png", png[:40], "image/png"),
        "png-no-idat": ("a.png", png_with_header(10, 10), "image/png"),
        "png-zero-size": ("a.png", png_with_header(0, 0), "image/png"),
        "png-huge-dimensions": ("a.png", png_with_header(2**31 - 1, 2**31 - 1), "image/png"),
        "png-bad-depth": ("a.png", png_with_header(10, 10, depth=7, colour=9), "image/png"),
        "png-bad-crc": ("a.png", png[:29] + b"\x00\x00\x00\x00" + png[33:], "image/png"),
        "png-bomb": ("a.png", png_bomb(9000, 9000, rows=8), "image/png"),
        "gif-truncated": ("a.gif", gif[:13], "image/gif"),
        "webp-truncated": ("a.webp", webp[:20], "image/webp"),
        "riff-not-webp": ("a.webp", b"RIFF\x10\x00\x00\x00WAVEfmt " + b"\x00" * 40, "image/webp"),
        "tiff": ("a.tiff", tiff.getvalue(), "image/tiff"),
        "bmp-named-jpg": ("a.jpg", bmp.getvalue(), "image/jpeg"),
        "pdf-named-jpg": ("a.jpg", b"%PDF-1.4\n1 0 obj<<>>endobj\n", "image/jpeg"),
        "zip-named-png": ("a.png", b"PK\x03\x04" + b"\x00" * 100, "image/png"),
        "exe-named-gif": ("a.gif", b"MZ\x90\x00" + b"\x00" * 100, "image/gif"),
        "html-named-png": ("a.png", b"<!doctype html><script>alert(1)</script>", "image/png"),
        "svg-named-png": ("a.png", b'<svg xmlns="http://www.w3.org/2000/svg"/>', "image/png"),
        "text-utf16": ("a.jpg", "照片".encode("utf-16"), "text/plain"),
        "nul-name": ("a\x00.jpg", b"\x00" * 10, "image/jpeg"),
        "overlong-name": ("图" * 400 + ".jpg", b"GIF89a", "image/gif"),
        "no-extension": ("photo", b"\x89PNG\r\n\x1a\n", ""),
        "oversize": ("big.jpg", b"\xff\xd8\xff" + b"\x00" * (5 * 1024 * 1024 + 1), "image/jpeg"),
    }


CORPUS = corpus()


def written() -> tuple[int, int]:
    """Requests, and audit events other than the test client's own login."""
    events = AuditEvent.objects.exclude(action="account.login")
    return ServiceRequest.objects.count(), events.count()


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):
    settings.RATELIMIT_ENABLE = False


@pytest.mark.parametrize("case", sorted(CORPUS))
def test_malformed_photo_is_refused_on_the_form_and_nothing_is_written(
    client, world, settings, case
):
    name, content, content_type = CORPUS[case]
    before = written()
    upload = SimpleUploadedFile(name, content, content_type=content_type)
    page = post_photo(client, world, upload, f"corpus-{case}")
    assert page.status_code == 200, (case, page.status_code)
    text = page.content.decode()
    assert any(refusal in text for refusal in REFUSALS), (case, text[-3000:])
    assert written() == before
    assert stored_files(settings) == []
