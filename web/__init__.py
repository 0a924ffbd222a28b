"""The Flask site: app factory plus one blueprint per area (see ``BLUEPRINTS``)."""
from __future__ import annotations

import importlib
import os
from typing import Any, Mapping

from flask import Flask

from web import db, deployment

# Each module exposes ``bp`` (a Blueprint); order is registration order.
BLUEPRINTS: tuple[str, ...] = (
    "web.limits",
    "web.security",
    "web.site",
    "web.search",
    "web.views",
    "web.dashboard",
    "web.feed",
    "web.media",
    "web.auth",
    "web.contest",
    "web.contest_admin",
)


def create_app(test_config: Mapping[str, Any] | None = None,
               instance_path: str | None = None) -> Flask:
    """Build the site. Config: defaults -> instance ``config.py`` -> ``WULING_*`` env.

    Raises :class:`web.deployment.SiteConfigError` for a config the site must not run
    with (a published or short secret key, a bad proxy count).
    """
    instance_path = instance_path or os.environ.get("WULING_INSTANCE_PATH") or None
    if instance_path:
        instance_path = os.path.abspath(instance_path)
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    app.config.from_mapping(
        DATABASE_URL="",
        AUTO_MIGRATE=True,
        MEDIA_ROOT=os.path.join(app.instance_path, "media"),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=None,  # None: Secure when SITE_URL is https (web.deployment)
        JSON_AS_ASCII=False,
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("WULING")
    else:
        app.config.from_mapping(test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    deployment.configure(app)

    db.init_app(app)
    for module in BLUEPRINTS:
        blueprint_module = importlib.import_module(module)
        app.register_blueprint(blueprint_module.bp)
        if hasattr(blueprint_module, "init_app"):
            blueprint_module.init_app(app)
    return app
