"""How large a request body each kind of route accepts, refused before it is read.

Every request gets a body limit before any other hook runs (CSRF protection reads
the form): ordinary forms get ``MAX_CONTENT_LENGTH`` (256 KiB); routes that need
another limit register it with :func:`limit_route` (the view beacon: a few KB; a
contest's upload form: that contest's size limit). A declared ``Content-Length`` over
the limit is a 413 at once, without reading a byte of the body; an undeclared
(chunked) body is cut off by werkzeug at the limit while it streams in.

waitress buffers a whole body before the app sees it, so ``studio serve`` also caps
it at :func:`largest_body`: the most any route accepts.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flask import Blueprint, Flask, abort, current_app, render_template, request

bp = Blueprint("limits", __name__)


def posted_object() -> dict | None:
    """The request's JSON body if it is a JSON object, else None: not JSON, another JSON
    value, or nesting so deep that the parser (which recurses) would exhaust the stack
    — 1,000 ``[`` in a few KB are enough, so every JSON route reads its body here."""
    if not request.is_json:
        return None
    try:
        body = request.get_json(silent=True)
    except RecursionError:
        return None
    return body if isinstance(body, dict) else None
FORM_MAX_BYTES = 256 * 1024


@dataclass(frozen=True)
class RouteLimit:
    """``for_request(app)``: the limit of the request being answered; ``largest(app)``:
    the most it can ever be on this site, for the server's own cap."""
    for_request: Callable[[Flask], int]
    largest: Callable[[Flask], int]

    @classmethod
    def from_config(cls, key: str) -> RouteLimit:
        """A fixed limit, read from the app's config key ``key``."""
        def read(app: Flask) -> int:
            return app.config[key]
        return cls(read, read)


def init_app(app: Flask) -> None:
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = FORM_MAX_BYTES
    app.extensions.setdefault("route_limits", {})
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_oversized_body)
    app.register_error_handler(413, too_large)


def limit_route(app: Flask, endpoint: str, limit: RouteLimit) -> None:
    """Give ``endpoint`` its own body limit instead of ``MAX_CONTENT_LENGTH``."""
    app.extensions.setdefault("route_limits", {})[endpoint] = limit


def refuse_oversized_body() -> None:
    limit = current_app.extensions["route_limits"].get(request.endpoint)
    request.max_content_length = limit.for_request(current_app) if limit else current_app.config["MAX_CONTENT_LENGTH"]
    if (request.content_length or 0) > request.max_content_length:
        abort(413)


def largest_body(app: Flask) -> int:
    """The largest body any route of ``app`` accepts (``studio serve`` caps waitress at it)."""
    return max([app.config["MAX_CONTENT_LENGTH"],
                *(limit.largest(app) for limit in app.extensions["route_limits"].values())])


def too_large(_error):
    return render_template("site/error.html", code=413,
                           message="提交的内容超过大小上限，请删减后重试。"), 413
