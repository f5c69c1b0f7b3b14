"""Uploaded images: checked by content, decoded safely, re-encoded without metadata.

Only JPEG, PNG and WebP are accepted, recognised by their first bytes (never by file name
or the browser's content type). The pixel count is checked from the header before any
pixel is decoded, so a small file that would expand into a huge bitmap (a decompression
bomb) is refused cheaply. The image is then rotated upright from its EXIF orientation and
re-encoded from pixels alone, which drops EXIF (GPS position, camera serial), ICC tricks
and anything appended to the file; a display size and a thumbnail are produced.
"""
from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from bebeli.errors import ValidationFailed

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 48 MP phone photo is refused; 40 MP is far above what a listing needs
DISPLAY_SIZE = 1200
THUMB_SIZE = 480
OUTPUT_FORMAT = "WEBP"

_SIGNATURES = {
    "JPEG": (b"\xff\xd8\xff",),
    "PNG": (b"\x89PNG\r\n\x1a\n",),
}


class ImageRejected(ValidationFailed):
    code = "image_rejected"
    default_message = _l("Berkas bukan gambar JPEG, PNG, atau WebP yang valid.")


@dataclass(frozen=True)
class ProcessedImage:
    display: bytes
    thumb: bytes
    width: int
    height: int


def sniff_format(head: bytes) -> str | None:
    """The image format named by the file's first bytes, or None."""
    for name, signatures in _SIGNATURES.items():
        if head.startswith(signatures):
            return name
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    return None


def _encode(image: Image.Image, box: int) -> tuple[bytes, tuple[int, int]]:
    copy = image.copy()
    copy.thumbnail((box, box), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    copy.save(out, OUTPUT_FORMAT, quality=82, method=4)
    return out.getvalue(), copy.size


def _flatten(image: Image.Image) -> Image.Image:
    """RGB pixels only; transparent areas become white, as they look on the page."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def process_image(data: bytes, *, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS) -> ProcessedImage:
    """Validate an upload and return its re-encoded display and thumbnail versions.

    Raises ImageRejected with a message for the person who uploaded it."""
    if len(data) > max_bytes:
        raise ImageRejected(_l("Ukuran gambar maksimal %(mb)d MB.", mb=max_bytes // (1024 * 1024)))
    kind = sniff_format(data[:16])
    if kind is None:
        raise ImageRejected()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[kind])
            if image.width * image.height > max_pixels:
                raise ImageRejected(_l("Resolusi gambar terlalu besar (maksimal %(mp)d megapiksel).",
                                       mp=max_pixels // 1_000_000))
            image.seek(0)  # the first frame of an animation
            image.load()
            upright = _flatten(ImageOps.exif_transpose(image))
    except ImageRejected:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError,
            Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected() from None
    display, size = _encode(upright, DISPLAY_SIZE)
    thumb, _ = _encode(upright, THUMB_SIZE)
    return ProcessedImage(display=display, thumb=thumb, width=size[0], height=size[1])
