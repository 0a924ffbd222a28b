"""What makes the site recognisably the district's own: the office's logo, the 主办单位
line, the 网站标识码 and the ICP and public-security filing numbers (ICP备案, 公安备案).

All of them come from settings and appear only when set: no sample number is ever
shown, and no emblem or official badge ships with the code (their use is regulated;
the office supplies its own logo file). The logo is read once per process, checked to
be a PNG, JPEG or WebP picture (never SVG, which can carry script), and served at
``/site-logo`` with its real width and height in the page so nothing jumps.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Flask, Response, abort, current_app, url_for
from PIL import Image, UnidentifiedImageError

bp = Blueprint("branding", __name__)
LOGO_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
LOGO_HEIGHT = 48  # CSS pixels in the header; the width follows the picture's shape
ICP_LOOKUP = "https://beian.miit.gov.cn/"
POLICE_LOOKUP = "https://beian.mps.gov.cn/#/query/webSearch?code={}"


@dataclass(frozen=True)
class Logo:
    data: bytes
    mime_type: str
    width: int
    height: int
    etag: str


def init_app(app: Flask) -> None:
    app.context_processor(lambda: {"identity": identity})


def identity() -> dict:
    """The set parts of the site's identity for ``base.html``; unset ones are empty."""
    config = current_app.config
    police = config["POLICE_RECORD"].strip()
    digits = re.search(r"\d{6,}", police)
    logo = site_logo()
    return {"sponsor": config["SITE_SPONSOR"].strip(), "code": config["SITE_CODE"].strip(),
            "icp": config["ICP_RECORD"].strip(), "icp_url": ICP_LOOKUP, "police": police,
            "police_url": POLICE_LOOKUP.format(digits.group()) if digits else "",
            "logo": logo and {"src": url_for("branding.logo", v=logo.etag[:12]),
                              "height": LOGO_HEIGHT,
                              "width": round(logo.width * LOGO_HEIGHT / logo.height)}}


def site_logo() -> Logo | None:
    """The ``site_logo`` file, read once; None (and one logged line) when unset or unusable,
    so a wrong path costs the header its picture, never the page."""
    path = current_app.config["SITE_LOGO"]
    if not path:
        return None
    cached = current_app.extensions.get("site_logo")
    if cached is None or cached[0] != path:
        cached = (path, _read_logo(Path(path)))
        current_app.extensions["site_logo"] = cached
    return cached[1]


def _read_logo(path: Path) -> Logo | None:
    try:
        data = path.read_bytes()
        with Image.open(path) as image:
            kind, (width, height) = image.format, image.size
    except (OSError, UnidentifiedImageError) as exc:
        current_app.logger.error("%s: site_logo is not a readable picture (%s); "
                                 "the header shows the site name only", path, exc)
        return None
    if kind not in LOGO_TYPES:
        current_app.logger.error("%s: site_logo must be a PNG, JPEG or WebP picture, not %s; "
                                 "the header shows the site name only", path, kind)
        return None
    return Logo(data, LOGO_TYPES[kind], width, height, hashlib.sha256(data).hexdigest())


@bp.get("/site-logo")
def logo() -> Response:
    """The office's logo; the page's URL names its hash (``?v=``), so it is cacheable."""
    picture = site_logo()
    if picture is None:
        abort(404, "本站没有设置标志图片。")
    response = Response(picture.data, mimetype=picture.mime_type)
    response.set_etag(picture.etag)
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
