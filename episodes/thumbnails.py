"""Poster thumbnails for the site's cards: a small JPEG drawn from the full poster.

Cards show a 320x180 picture; sending the 1920 px poster and shrinking it with CSS
costs a resident on a metered phone plan 20 times the bytes. The thumbnail always has
the card's 16:9 shape (a vertical poster is padded, never cropped), so the page can
give ``<img>`` its width and height and nothing jumps while it loads.

Example::

    data = thumbnail(Path("poster.jpg").read_bytes())   # JPEG bytes, at most 40 KB
"""
from __future__ import annotations

import io

from PIL import Image, ImageOps, UnidentifiedImageError

from episodes.errors import CatalogError

SIZE = (320, 180)
MAX_BYTES = 40 * 1024
PADDING = (242, 245, 249)  # the cards' background colour (site.css --band)
QUALITIES = (80, 65, 50, 35)  # tried in turn until the file fits MAX_BYTES


def thumbnail(poster: bytes, name: str = "poster") -> bytes:
    """``poster`` (any image Pillow reads) as a 320x180 JPEG of at most ``MAX_BYTES``.

    Raises :class:`CatalogError` naming ``name`` when the bytes are not an image.
    """
    try:
        with Image.open(io.BytesIO(poster)) as image:
            picture = ImageOps.pad(ImageOps.exif_transpose(image).convert("RGB"), SIZE,
                                   Image.Resampling.LANCZOS, color=PADDING)
    except (UnidentifiedImageError, OSError) as exc:
        raise CatalogError(f"poster is not a readable image ({exc})", name) from exc
    for quality in QUALITIES:
        out = io.BytesIO()
        picture.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
        if out.tell() <= MAX_BYTES:
            break
    return out.getvalue()


def thumbnail_relpath(poster_relpath: str) -> str:
    """Where a poster's thumbnail is kept in the media library: beside the poster, in its
    content-addressed folder, so a new poster gets a new thumbnail and none is stale."""
    stem, _, _ = poster_relpath.rpartition(".")
    return f"{stem or poster_relpath}-{SIZE[0]}w.jpg"
