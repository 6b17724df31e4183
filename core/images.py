"""Uploaded images: taken in only as real pictures, and served back only as pictures.

Every app that keeps an image a person uploaded and shows it to others goes through here:

- ``reencode(upload)`` decodes the upload with Pillow (JPEG, PNG, GIF or WebP, nothing else),
  refuses what does not decode, decompression bombs and huge pixel counts, applies the EXIF
  orientation, drops every piece of metadata (EXIF with its GPS position, XMP, comments, text
  chunks) and saves the pixels again in the same format, under a generated name
  (``<uuid>.<ext>``). Whatever the upload carried besides pixels (a script, an HTML page after a
  GIF header) is not in the stored file, and the name the user gave is never used.
- ``stored_response(file)`` serves a stored file with a content type detected from its content
  (never from its name): ``image/*`` inline, with ``nosniff``, a generated file name and a
  sandboxing Content-Security-Policy; anything that is not an image (files stored before
  re-encoding, under the user's name) only as an ``application/octet-stream`` attachment.
"""

import io
import re
import threading
import uuid
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from PIL import Image, ImageFile, ImageOps

# A photo of a scene needs no more: 40 million pixels is 8000 × 5000, beyond a phone camera's
# usual output, and decodes to at most 160 MB (RGBA) in a web process.
MAX_PIXELS = 40_000_000


@dataclass(frozen=True)
class Kind:
    format: str  # Pillow's name
    extension: str
    content_type: str


KINDS = {
    "JPEG": Kind("JPEG", "jpg", "image/jpeg"),
    "PNG": Kind("PNG", "png", "image/png"),
    "GIF": Kind("GIF", "gif", "image/gif"),
    "WEBP": Kind("WEBP", "webp", "image/webp"),
}
# The only decoders Pillow may try: never EPS (Ghostscript), SVG or any other plugin.
FORMATS = tuple(KINDS)
GENERATED_NAME = re.compile(r"^[0-9a-f]{32}\.(jpg|png|gif|webp)$")
# The stored file's own policy: even if a browser were made to render it as a document, it
# could run nothing, load nothing and reach nothing of the site.
SANDBOX_POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


_STRICT = threading.Lock()


@contextmanager
def _whole_images_only():
    """Decode with Pillow's truncated-image leniency off. WeasyPrint switches that global on
    when it is imported (once a PDF has been made in the process), and an upload that does not
    decode whole must still be refused."""
    with _STRICT:
        before = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = before


def _type_error() -> ValidationError:
    return ValidationError(_("只能上传 JPG、PNG、GIF 或 WebP 格式的图片。"), code="photo_type")


def _pixels_error(max_pixels: int) -> ValidationError:
    return ValidationError(
        _("图片像素过多（最多%(limit)s像素），请缩小后再上传。"),
        params={"limit": f"{max_pixels:,}"},
        code="photo_pixels",
    )


def _unreadable_error() -> ValidationError:
    return ValidationError(
        _("图片已损坏或无法读取，请重新拍摄或另存为 JPG 后再上传。"), code="photo_unreadable"
    )


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )


def _for_format(image: Image.Image, kind: Kind) -> tuple[Image.Image, dict]:
    """The image in a mode the format saves as browsers expect, and the save options."""
    if kind.format == "JPEG":
        if image.mode not in ("L", "RGB"):
            image = image.convert("RGB")
        return image, {"quality": 85, "optimize": True}
    if kind.format == "GIF" and image.mode not in ("P", "L"):
        image = image.convert("P", palette=Image.Palette.ADAPTIVE)
    allowed = {
        "GIF": ("P", "L"),
        "PNG": ("1", "L", "LA", "P", "RGB", "RGBA"),
        "WEBP": ("RGB", "RGBA"),
    }[kind.format]
    if image.mode not in allowed:
        image = image.convert("RGBA" if _has_alpha(image) else "RGB")
    options = {"quality": 85, "method": 4} if kind.format == "WEBP" else {}
    # A palette's transparent index is the one piece of the old info the pixels need.
    if kind.format in ("PNG", "GIF") and image.info.get("transparency") is not None:
        options["transparency"] = image.info["transparency"]
    return image, options


@dataclass(frozen=True)
class Cleaned:
    content: bytes
    kind: Kind
    width: int
    height: int

    def as_file(self) -> ContentFile:
        """A file to assign to a FileField: a generated name with the detected extension."""
        return ContentFile(self.content, name=f"{uuid.uuid4().hex}.{self.kind.extension}")


def reencode(upload, *, max_bytes: int, max_pixels: int = MAX_PIXELS) -> Cleaned:
    """Decode ``upload`` (a file object) and save its first frame's pixels again, without any
    metadata, in the format it came in. Raises ValidationError (code photo_type, photo_pixels
    or photo_unreadable) for anything else. The caller checks the size in bytes first, with
    its own message; more than ``max_bytes`` is refused here too."""
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    upload.seek(0)
    if len(data) > max_bytes:
        raise ValidationError(_("文件过大。"), code="photo_size")
    try:
        image = Image.open(io.BytesIO(data), formats=FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _pixels_error(max_pixels) from None
    except Exception:  # noqa: BLE001 - not one of the four formats, whatever Pillow says
        raise _type_error() from None
    with image:
        kind = KINDS.get(image.format or "")
        if kind is None:
            raise _type_error()
        width, height = image.size
        if width < 1 or height < 1 or width * height > max_pixels:
            raise _pixels_error(max_pixels)
        try:
            with _whole_images_only():
                image.load()  # the first frame only
            icc_profile = image.info.get("icc_profile")
            try:
                ImageOps.exif_transpose(image, in_place=True)
            except Exception:  # noqa: S110 - a broken EXIF block: keep the pixels as stored
                pass
            cleaned, options = _for_format(image, kind)
            # Nothing of the upload but its pixels (and colour profile) is written back.
            cleaned.info = {}
            if icc_profile and kind.format != "GIF":
                options["icc_profile"] = icc_profile
            out = io.BytesIO()
            cleaned.save(out, kind.format, **options)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _pixels_error(max_pixels) from None
        except Exception:  # noqa: BLE001 - truncated or corrupt data: refused, never stored
            raise _unreadable_error() from None
    return Cleaned(out.getvalue(), kind, cleaned.width, cleaned.height)


def detect(handle) -> Kind | None:
    """The kind of image in an open binary file, read from its content (its header, through
    Pillow's four decoders); None when it is not one. The file is left at its start."""
    handle.seek(0)
    try:
        with Image.open(handle, formats=FORMATS) as image:
            kind = KINDS.get(image.format or "")
            width, height = image.size
    except Exception:  # noqa: BLE001 - not an image we serve as one
        kind = None
    else:
        if width < 1 or height < 1:
            kind = None
    handle.seek(0)
    return kind


def stored_response(field_file, *, name_stem: str) -> FileResponse:
    """Serve a stored upload. An image: its detected ``image/*`` type, inline, named by its
    generated name (or ``name_stem`` with the detected extension for a file stored before names
    were generated). Not an image: ``application/octet-stream``, as an attachment. Never a type
    taken from the stored name. A missing file is a 404."""
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, OSError, ValueError):
        raise Http404 from None
    kind = detect(handle)
    if kind is None:
        response = FileResponse(
            handle,
            content_type="application/octet-stream",
            as_attachment=True,
            filename=f"{name_stem}.bin",
        )
    else:
        base = field_file.name.rsplit("/", 1)[-1]
        match = GENERATED_NAME.match(base)
        if not match or match.group(1) != kind.extension:
            base = f"{name_stem}.{kind.extension}"
        response = FileResponse(handle, content_type=kind.content_type, filename=base)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX_POLICY
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
