"""长辈版: the large-print mode for older residents (GB/T 37668, the 互联网网站适老化
rules): larger type, higher contrast, bigger controls and no motion, on every page.

The choice is remembered in a preference cookie that holds only ``1`` (no identifier,
so it tracks nobody and needs no consent): ``/large-print?on=1&next=/e/…`` sets it and
returns to the page the resident was on; ``on=0`` removes it. It is a plain link, so it
works without JavaScript.
"""
from __future__ import annotations

from flask import Blueprint, Flask, redirect, request, url_for

from web.auth import local_target

bp = Blueprint("largeprint", __name__)
COOKIE = "wuling_large_print"
ONE_YEAR = 365 * 24 * 3600


def init_app(app: Flask) -> None:
    app.context_processor(lambda: {"large_print": large_print(), "large_print_url": toggle_url})


def large_print() -> bool:
    return request.cookies.get(COOKIE) == "1"


def toggle_url() -> str:
    """The header link: switch the mode and come back to this very page."""
    here = request.full_path.rstrip("?")
    return url_for("largeprint.switch", on=0 if large_print() else 1, next=here)


@bp.get("/large-print")
def switch():
    response = redirect(local_target(request.args.get("next", "")) or url_for("site.home"))
    if request.args.get("on") == "1":
        response.set_cookie(COOKIE, "1", max_age=ONE_YEAR, httponly=True, samesite="Lax",
                            secure=request.is_secure)
    else:
        response.delete_cookie(COOKIE)
    return response


@bp.after_app_request
def vary_on_cookie(response):
    """Pages differ by the mode: a shared cache must not give one resident's print size
    to another."""
    if response.mimetype == "text/html":
        response.vary.add("Cookie")
    return response
