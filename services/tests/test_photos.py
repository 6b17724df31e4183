"""A request's photo: only real images are taken in, re-encoded under a generated name without
their metadata, and served back only as images (never as HTML on the site's origin).

The attack this guards against: a "photo" scene.html that starts with GIF89a passed a magic-byte
check, was stored under its own name and served as text/html, and its script ran in a
dispatcher's session. Everything here goes through the real form, service, storage and view.
"""

import io
import re
import struct
import zlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import ExifTags, Image, ImageFile, PngImagePlugin

from services import services as request_services
from services.models import ServiceRequest

pytestmark = pytest.mark.django_db

SCRIPT = b"<html><body><script>fetch('/x?c='+document.cookie)</script></body></html>"
GENERATED = re.compile(r"^services/\d{4}/\d{2}/[0-9a-f]{32}\.(jpg|png|gif|webp)$")


# ------------------------------------------------------------------ images made here


def image_bytes(fmt: str, size=(40, 20), mode="RGB", colour=(200, 30, 30), **save) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, colour).save(buffer, fmt, **save)
    return buffer.getvalue()


def jpeg_with_gps() -> bytes:
    """A 40×20 JPEG (left half red, right half blue) shot with the phone turned: EXIF
    orientation 6, a GPS position, a camera make and a comment."""
    image = Image.new("RGB", (40, 20), (220, 20, 20))
    image.paste((20, 20, 220), (20, 0, 40, 20))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "PhoneMaker"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (32.0, 2.0, 29.9)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (118.0, 47.0, 40.6)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, comment=b"home of Zhang San")
    data = buffer.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # it is there
    return data


def gif_polyglot() -> bytes:
    """A real 2×2 GIF that also carries an HTML page between its blocks (the decoder skips it,
    a browser told text/html renders it)."""
    gif = image_bytes("GIF", size=(2, 2), mode="P", colour=1)
    at = gif.index(b",")  # the image descriptor
    return gif[:at] + SCRIPT + gif[at:]


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width: int, height: int, *, rows: int | None = None) -> bytes:
    """A valid greyscale PNG of width×height whose pixels are all zero: tens of kilobytes that
    decode to width×height bytes. ``rows`` limits the compressed rows (the header still
    claims ``height``), for sizes too big to compress here."""
    compressor = zlib.compressobj(9)
    row = b"\x00" * (width + 1)
    parts = [compressor.compress(row) for _ in range(height if rows is None else rows)]
    data = b"".join(parts) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", data)
        + png_chunk(b"IEND", b"")
    )


# ------------------------------------------------------------------ helpers


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def posted_and_stored(client, world, upload, key, extension):
    """Post the photo through the page: the request made, and the bytes stored for it under a
    generated name ending in `extension`."""
    response = post_photo(client, world, upload, key)
    assert response.status_code == 302
    created = ServiceRequest.objects.get(client_key=f"k-{key}")
    assert GENERATED.match(created.photo.name) and created.photo.name.endswith(extension)
    with created.photo.open("rb") as handle:
        return created, handle.read()


def post_photo(client, world, upload, key):
    client.force_login(world.resident)
    return client.post(
        reverse("services:request_new") + "?free=1",
        {
            "client_key": f"k-{key}",
            "description": "楼道里的照片",
            "place": world.d.grids[0].pk,
            "photo": upload,
        },
    )


def assert_never_html(response):
    content_type = response["Content-Type"]
    assert not content_type.startswith("text/"), content_type
    assert "html" not in content_type and "xml" not in content_type, content_type
    assert response["X-Content-Type-Options"] == "nosniff"


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def submit(world, photo):
    return request_services.request_submit(
        actor=world.resident,
        place=world.d.grids[0],
        description="门口有积水",
        photo=photo,
        resident=world.resident.person,
    )


# ------------------------------------------------------------------ refused


@pytest.mark.parametrize("name", ["scene.html", "scene.htm", "scene.svg", "scene.xhtml"])
def test_html_after_a_gif_header_is_refused_and_nothing_is_written(client, world, settings, name):
    before = ServiceRequest.objects.count()
    upload = SimpleUploadedFile(name, b"GIF89a" + SCRIPT, content_type="image/gif")
    page = post_photo(client, world, upload, f"html-{name}")
    assert page.status_code == 200
    assert "只能上传 JPG、PNG、GIF 或 WebP 格式的图片" in page.content.decode()
    assert ServiceRequest.objects.count() == before
    assert stored_files(settings) == []


def test_an_svg_is_refused_even_well_formed(client, world, settings):
    svg = (
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b'<rect width="10" height="10" fill="red"/><script>alert(1)</script></svg>'
    )
    before = ServiceRequest.objects.count()
    page = post_photo(client, world, SimpleUploadedFile("map.svg", svg, "image/svg+xml"), "svg")
    assert "只能上传 JPG、PNG、GIF 或 WebP 格式的图片" in page.content.decode()
    assert ServiceRequest.objects.count() == before
    assert stored_files(settings) == []
    with pytest.raises(ValidationError) as error:
        submit(world, SimpleUploadedFile("map.svg", svg, "image/svg+xml"))
    assert error.value.code == "photo_type"


def test_a_decompression_bomb_is_refused_with_a_clear_message_and_nothing_written(
    client, world, settings
):
    bomb = png_bomb(8000, 8000)  # 64 million pixels from about 60 KB
    assert len(bomb) < 200_000
    before = ServiceRequest.objects.count()
    page = post_photo(client, world, SimpleUploadedFile("bomb.png", bomb, "image/png"), "bomb")
    assert page.status_code == 200
    assert "图片像素过多（最多40,000,000像素），请缩小后再上传" in page.content.decode()
    assert ServiceRequest.objects.count() == before
    assert stored_files(settings) == []
    # Beyond Pillow's own limit too (20000×20000: refused as the header is read).
    with pytest.raises(ValidationError) as error:
        submit(world, SimpleUploadedFile("big.png", png_bomb(20000, 20000, rows=16), "image/png"))
    assert error.value.code == "photo_pixels"
    assert ServiceRequest.objects.count() == before
    assert stored_files(settings) == []


@pytest.mark.parametrize("lenient", [False, True])
def test_a_corrupt_image_is_refused(world, settings, monkeypatch, lenient):
    """Also once WeasyPrint has switched Pillow's truncated-image leniency on for the process
    (it does so when imported), which stays as WeasyPrint left it."""
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", lenient)
    noisy = Image.effect_noise((300, 300), 60).convert("RGB")
    buffer = io.BytesIO()
    noisy.save(buffer, "JPEG", quality=95)
    cut = buffer.getvalue()[: len(buffer.getvalue()) // 2]
    before = ServiceRequest.objects.count()
    with pytest.raises(ValidationError) as error:
        submit(world, SimpleUploadedFile("cut.jpg", cut, "image/jpeg"))
    assert error.value.code == "photo_unreadable"
    assert "图片已损坏或无法读取" in error.value.messages[0]
    assert ServiceRequest.objects.count() == before
    assert stored_files(settings) == []
    assert ImageFile.LOAD_TRUNCATED_IMAGES is lenient


def test_refusals_read_in_english_too(client, world):
    client.force_login(world.resident)
    client.cookies["django_language"] = "en"
    page = client.post(
        reverse("services:request_new") + "?free=1",
        {
            "client_key": "k-english",
            "description": "photo",
            "place": world.d.grids[0].pk,
            "photo": SimpleUploadedFile("bomb.png", png_bomb(8000, 8000), "image/png"),
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "too many pixels" in page.content.decode()


# ------------------------------------------------------------------ taken in, re-encoded


def test_a_real_jpeg_is_stored_under_a_generated_name_without_its_gps(client, world, settings):
    upload = SimpleUploadedFile("张三家门口.jpeg", jpeg_with_gps(), "image/jpeg")
    created, stored = posted_and_stored(client, world, upload, "jpg", ".jpg")
    assert "张三" not in created.photo.name
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG"
    assert image.size == (20, 40)  # the orientation is applied, not kept as a tag
    exif = image.getexif()
    assert dict(exif) == {}
    assert exif.get_ifd(ExifTags.IFD.GPSInfo) == {}
    assert b"Exif" not in stored and b"PhoneMaker" not in stored and b"Zhang San" not in stored
    assert "comment" not in image.info
    # Turned upright: the red half (left in the file as shot) is now on top.
    rgb = image.convert("RGB")
    assert rgb.getpixel((10, 5))[0] > 150 and rgb.getpixel((10, 35))[2] > 150

    served = client.get(reverse("services:request_photo", args=[created.pk]))
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    assert_never_html(served)
    generated = created.photo.name.rsplit("/", 1)[-1]
    assert served["Content-Disposition"] == f'inline; filename="{generated}"'
    assert body(served) == stored


def test_a_png_keeps_its_pixels_and_loses_its_text_chunks(world):
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "住址：某小区3栋")
    info.add_text("GPS", "32.0415,118.7946")
    source = Image.new("RGBA", (12, 9), (10, 200, 30, 128))
    buffer = io.BytesIO()
    source.save(buffer, "PNG", pnginfo=info)
    request = submit(world, SimpleUploadedFile("a.html", buffer.getvalue(), "text/html"))
    assert GENERATED.match(request.photo.name) and request.photo.name.endswith(".png")
    with request.photo.open("rb") as handle:
        stored = Image.open(io.BytesIO(handle.read()))
        stored.load()
    assert stored.format == "PNG" and stored.size == (12, 9) and stored.mode == "RGBA"
    assert stored.getpixel((3, 3)) == (10, 200, 30, 128)
    assert "Comment" not in stored.info and "GPS" not in stored.info
    assert getattr(stored, "text", {}) == {}


def test_webp_and_gif_keep_their_format(world):
    webp = submit(world, SimpleUploadedFile("w.webp", image_bytes("WEBP"), "image/webp"))
    gif = submit(world, SimpleUploadedFile("g.gif", image_bytes("GIF", mode="P", colour=3), ""))
    assert webp.photo.name.endswith(".webp") and gif.photo.name.endswith(".gif")
    for request, fmt in ((webp, "WEBP"), (gif, "GIF")):
        with request.photo.open("rb") as handle:
            assert Image.open(io.BytesIO(handle.read())).format == fmt


def test_a_real_gif_carrying_html_is_neutralised(client, world, settings):
    upload = SimpleUploadedFile("scene.html", gif_polyglot(), "text/html")
    created, stored = posted_and_stored(client, world, upload, "poly", ".gif")
    assert b"<script" not in stored and b"<html" not in stored
    assert [path.suffix for path in stored_files(settings)] == [".gif"]
    served = client.get(reverse("services:request_photo", args=[created.pk]))
    assert served["Content-Type"] == "image/gif"
    assert_never_html(served)
    assert served["Content-Disposition"].startswith("inline; ")
    assert "sandbox" in served["Content-Security-Policy"]


# ------------------------------------------------------------------ stored before this change


def old_style(world, name: str, content: bytes) -> ServiceRequest:
    """A request whose photo was stored the old way: under the name the user gave."""
    request = submit(world, None)
    storage = ServiceRequest._meta.get_field("photo").storage
    stored_name = storage.save(f"services/2024/05/{name}", ContentFile(content))
    ServiceRequest.objects.filter(pk=request.pk).update(photo=stored_name)
    return ServiceRequest.objects.get(pk=request.pk)


@pytest.mark.parametrize("name", ["scene.html", "scene.svg", "scene.xhtml", "scene.htm"])
def test_an_old_html_file_is_never_served_as_html(client, world, name):
    for content in (b"GIF89a" + SCRIPT, SCRIPT):
        request = old_style(world, name, content)
        client.force_login(world.dispatcher)
        served = client.get(reverse("services:request_photo", args=[request.pk]))
        assert served.status_code == 200
        assert_never_html(served)
        assert served["Content-Type"] == "application/octet-stream"
        assert served["Content-Disposition"] == f'attachment; filename="photo-{request.pk}.bin"'
        assert "sandbox" in served["Content-Security-Policy"]


def test_an_old_real_image_under_an_html_name_is_served_as_the_image_it_is(client, world):
    request = old_style(world, "scene.html", gif_polyglot())
    client.force_login(world.dispatcher)
    served = client.get(reverse("services:request_photo", args=[request.pk]))
    assert served["Content-Type"] == "image/gif"
    assert_never_html(served)
    # Named after the request, not after the file the user sent.
    assert served["Content-Disposition"] == f'inline; filename="photo-{request.pk}.gif"'
    png = old_style(world, "p.jpg", image_bytes("PNG"))
    served = client.get(reverse("services:request_photo", args=[png.pk]))
    assert served["Content-Type"] == "image/png"
    assert served["Content-Disposition"] == f'inline; filename="photo-{png.pk}.png"'


def test_a_photo_missing_from_storage_is_a_404(client, world):
    request = old_style(world, "gone.png", image_bytes("PNG"))
    request.photo.storage.delete(request.photo.name)
    client.force_login(world.dispatcher)
    assert client.get(reverse("services:request_photo", args=[request.pk])).status_code == 404
