"""Security headers on every response and CSRF protection on every form.

The CSP allows nothing but our own origin: no inline scripts or styles, no
third-party fonts, and no framing (clickjacking). Forms carry a CSRF token
(Flask-WTF ``CSRFProtect``); views that take no form (the anonymous view beacon)
opt out with ``csrf.exempt`` and say why.
"""
from __future__ import annotations

from flask import Blueprint, Flask, current_app, render_template
from flask_login import current_user
from flask_wtf.csrf import CSRFError, CSRFProtect

bp = Blueprint("security", __name__)
STAFF_ROLES = ("staff", "organiser")
csrf = CSRFProtect()

CONTENT_SECURITY_POLICY = ("default-src 'self'; img-src 'self' data:; object-src 'none'; "
                           "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


@bp.after_app_request
def add_security_headers(response):
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def csrf_failed(error: CSRFError):
    return render_template("site/error.html", code=400,
                           message="表单已过期或来源无法验证，请返回上一页刷新后重试。"), 400


def init_app(app: Flask) -> None:
    csrf.init_app(app)
    app.register_error_handler(CSRFError, csrf_failed)


def is_staff() -> bool:
    """True for a logged-in staff member (their page views are previews, not views)."""
    if not hasattr(current_app, "login_manager"):
        return False
    return getattr(current_user, "role", None) in STAFF_ROLES
