"""The Flask site: app factory plus one blueprint per area (see ``BLUEPRINTS``)."""
from __future__ import annotations

import importlib
import json
import os
from typing import Any, Mapping

from flask import Flask

from episodes import settings
from web import db, deployment

# Each module exposes ``bp`` (a Blueprint); order is registration order.
BLUEPRINTS: tuple[str, ...] = (
    "web.limits",
    "web.security",
    "web.site",
    "web.branding",
    "web.largeprint",
    "web.search",
    "web.views",
    "web.dashboard",
    "web.feed",
    "web.media",
    "web.auth",
    "web.contest",
    "web.contest_admin",
    "web.captions",
    "web.review",
    "web.live",
)


# Settings of the shared table (episodes.settings) the site reads, as config keys in
# upper case; the CLI reads the same rows, so both agree on the catalog, zone and term base.
SITE_SETTINGS = ("database_url", "timezone", "site_url", "podcast_owner_email", "podcast_artwork",
                 "guides_podcast_artwork", "podcast_locked", "glossary", "profile", "review_required",
                 "queue_url", "site_sponsor", "site_code", "icp_record", "police_record", "site_logo",
                 "live_path", "live_early_minutes",
                 "live_late_minutes", "live_grace_seconds", "live_hotline")
PREFIX = "WULING_"


def create_app(test_config: Mapping[str, Any] | None = None, instance_path: str | None = None,
               environ: Mapping[str, str] | None = None) -> Flask:
    """Build the site. Config: the settings table (``WULING_<NAME>`` in ``environ``, then its
    default) and the site's own defaults -> instance ``config.py`` -> ``WULING_*`` in ``environ``.

    ``environ`` is injected as the CLI's :class:`studio.environment.Environment` is
    (``studio serve`` passes its own; tests pass a dict, so they never patch ``os.environ``);
    ``None`` means the process environment. ``test_config`` replaces ``config.py`` and the
    ``WULING_*`` keys.

    Raises :class:`web.deployment.SiteConfigError` for a config the site must not run
    with (a published or short secret key, a bad proxy count).
    """
    environ = os.environ if environ is None else environ
    instance_path = os.path.abspath(instance_path or settings.get("instance_path", environ))
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    app.config.from_mapping(
        {name.upper(): settings.get(name, environ) for name in SITE_SETTINGS},
        AUTO_MIGRATE=True,
        MEDIA_ROOT=os.path.join(app.instance_path, "media"),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=None,  # None: Secure when SITE_URL is https (web.deployment)
        JSON_AS_ASCII=False,
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_mapping(prefixed_config(environ))
    else:
        app.config.from_mapping(test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    deployment.configure(app)

    db.init_app(app, environ)
    for module in BLUEPRINTS:
        blueprint_module = importlib.import_module(module)
        app.register_blueprint(blueprint_module.bp)
        if hasattr(blueprint_module, "init_app"):
            blueprint_module.init_app(app)
    return app


def prefixed_config(environ: Mapping[str, str]) -> dict[str, Any]:
    """Config keys from ``WULING_<KEY>`` variables, as Flask's ``from_prefixed_env`` reads
    them from ``os.environ``: a value that parses as JSON (``1``, ``false``) is that value.

    >>> prefixed_config({"WULING_TRUSTED_PROXIES": "1", "WULING_SITE_URL": "https://x", "HOME": "/"})
    {'TRUSTED_PROXIES': 1, 'SITE_URL': 'https://x'}
    """
    config = {}
    for key, value in environ.items():
        if key.startswith(PREFIX):
            try:
                config[key.removeprefix(PREFIX)] = json.loads(value)
            except ValueError:
                config[key.removeprefix(PREFIX)] = value
    return config
