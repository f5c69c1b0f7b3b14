"""Uploaded images: checked by content, decoded safely, re-encoded without metadata.

Only JPEG, PNG and WebP are accepted, recognised by their first bytes (never by file name
or the browser's content type). The pixel count is checked from the header before any
pixel is decoded, so a small file that would expand into a huge bitmap (a decompression
bomb) is refused cheaply: the cap (IMAGE_MAX_PIXELS, 25 MP by default) fits a phone photo.
The image is then rotated upright from its EXIF orientation and re-encoded from pixels
alone, which drops EXIF (GPS position, camera serial), ICC tricks and anything appended to
the file; a display size and a thumbnail are produced.

Decoding costs a worker up to a few hundred MB and a second or two of CPU, so each worker
process decodes one image at a time (`_DECODING`): several uploads in one request, or in
several threads, wait their turn instead of multiplying the peak memory.
"""
from __future__ import annotations

import io
import threading
import warnings
from contextlib import contextmanager
from dataclasses import dataclass

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from bebeli.errors import ValidationFailed

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 25_000_000  # the default of IMAGE_MAX_PIXELS: a 24 MP phone photo passes
DECODE_WAIT_SECONDS = 60  # how long an upload waits for the worker's decoder before giving up
DISPLAY_SIZE = 1200
THUMB_SIZE = 480
OUTPUT_FORMAT = "WEBP"

_SIGNATURES = {
    "JPEG": (b"\xff\xd8\xff",),
    "PNG": (b"\x89PNG\r\n\x1a\n",),
}


# One decode at a time per worker process (see the module's docstring).
_DECODING = threading.BoundedSemaphore(1)


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


def max_pixels_setting() -> int:
    return current_app.config.get("IMAGE_MAX_PIXELS", MAX_PIXELS) if has_app_context() else MAX_PIXELS


def _too_large(max_pixels: int) -> ImageRejected:
    megapixels = format(max_pixels / 1_000_000, "g")
    return ImageRejected(_l("Resolusi gambar terlalu besar (maksimal %(mp)s megapiksel). Kecilkan atau potong "
                            "foto lalu unggah lagi.", mp=megapixels))


def _decode(image: Image.Image) -> Image.Image:
    """The pixels of an opened image, upright, as RGB: the costly step, one at a time."""
    if image.format == "JPEG":
        # JPEG can decode straight at 1/2, 1/4 or 1/8 scale: no more pixels than the display needs.
        image.draft("RGB", (DISPLAY_SIZE, DISPLAY_SIZE))
    image.seek(0)  # the first frame of an animation
    image.load()
    return _flatten(ImageOps.exif_transpose(image))


def _open(data: bytes, max_bytes: int, max_pixels: int) -> Image.Image:
    """The image with only its header read, or ImageRejected: size, format and pixel count are
    checked before a single pixel is decoded."""
    if len(data) > max_bytes:
        raise ImageRejected(_l("Ukuran gambar maksimal %(mb)d MB.", mb=max_bytes // (1024 * 1024)))
    kind = sniff_format(data[:16])
    if kind is None:
        raise ImageRejected()
    image = Image.open(io.BytesIO(data), formats=[kind])  # lazy: reads the header only
    if image.width * image.height > max_pixels:
        raise _too_large(max_pixels)
    return image


@contextmanager
def _refusing_broken_files():
    """Whatever a malformed or hostile file makes Pillow raise becomes the upload's refusal."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError,
            Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected() from None


def check_image(data: bytes, *, max_bytes: int = MAX_BYTES, max_pixels: int | None = None) -> None:
    """Refuse an upload that `process_image` would refuse by its header alone, without decoding:
    a form with several files checks them all before the first is decoded."""
    with _refusing_broken_files():
        _open(data, max_bytes, max_pixels or max_pixels_setting()).close()


def process_image(data: bytes, *, max_bytes: int = MAX_BYTES, max_pixels: int | None = None) -> ProcessedImage:
    """Validate an upload and return its re-encoded display and thumbnail versions.

    Raises ImageRejected with a message for the person who uploaded it."""
    with _refusing_broken_files():
        image = _open(data, max_bytes, max_pixels or max_pixels_setting())
        if not _DECODING.acquire(timeout=DECODE_WAIT_SECONDS):
            raise ImageRejected(_l("Server sedang sibuk memproses gambar lain. Coba unggah lagi sebentar lagi."))
        try:
            upright = _decode(image)
            display, size = _encode(upright, DISPLAY_SIZE)
            thumb, _ = _encode(upright, THUMB_SIZE)
        finally:
            _DECODING.release()
    return ProcessedImage(display=display, thumb=thumb, width=size[0], height=size[1])


def process_all(files: list[bytes], *, existing: int = 0, limit: int, too_many) -> list[ProcessedImage]:
    """Every upload of a form, checked and re-encoded before anything is stored (all or none):
    at most `limit` beside the `existing` ones (else `too_many`, a message), every header read
    first so that a bad last file costs no decoding of the others."""
    files = [f for f in files if f]
    if existing + len(files) > limit:
        raise ImageRejected(too_many)
    for data in files:
        check_image(data)
    return [process_image(data) for data in files]


def save_public(folder: str, image: ProcessedImage) -> tuple[str, str]:
    """Store a processed image's display and thumbnail copies under `folder` in public
    storage; returns their keys (display, thumbnail)."""
    from bebeli.storage import get_storage, new_key

    storage = get_storage()
    display, thumb = new_key("public", folder, "display.webp"), new_key("public", folder, "thumb.webp")
    storage.save(display, image.display)
    storage.save(thumb, image.thumb)
    return display, thumb
