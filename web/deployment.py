"""What a deployment must get right before the site answers anyone.

- **Secret key**: signs every session cookie, so a known key lets anyone log in as
  anyone. A key given by setting (``WULING_SECRET_KEY`` or ``SECRET_KEY`` in the
  instance ``config.py``) wins, so several machines can share one; without one the
  site generates a random key into ``<instance>/secret_key`` on first start. A
  published default or a key shorter than 32 bytes refuses to start.
- **Cookie security**: session cookies are ``Secure`` when ``SITE_URL`` is https
  (``SESSION_COOKIE_SECURE`` overrides), so logins work on a plain-HTTP intranet
  address, with a warning in the log.
- **Reverse proxies**: ``TRUSTED_PROXIES`` (default 0) says how many proxies in front
  of the site may set ``X-Forwarded-For``/``-Proto``; only then does the login limit
  and the view count see the real client address instead of the proxy's.
"""
from __future__ import annotations

import logging
import os
import secrets
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from subtitles.errors import WulingError

log = logging.getLogger(__name__)
KEY_FILE = "secret_key"
MIN_KEY_BYTES = 32
# Keys this project has published (the old built-in default): anyone can sign cookies with them.
PUBLISHED_KEYS = frozenset({"dev-only-change-me"})
MAX_TRUSTED_PROXIES = 5


class SiteConfigError(WulingError):
    """A setting the site cannot start with; ``path`` names the setting (or key file)."""


def configure(app: Flask) -> None:
    """Check and complete the loaded config: secret key, cookie security, proxies."""
    app.config["SECRET_KEY"] = secret_key(app.config.get("SECRET_KEY"), Path(app.instance_path))
    _secure_cookies(app)
    _trust_proxies(app)


def secret_key(configured: str | bytes | None, instance: Path) -> str | bytes:
    """The configured key if it is safe, else the instance folder's generated key."""
    if configured is None or configured == "":
        return instance_key(instance)
    if not isinstance(configured, (str, bytes)):
        raise SiteConfigError("must be text (32 or more random bytes)", "SECRET_KEY")
    text = configured if isinstance(configured, str) else configured.decode("utf-8", "replace")
    if text in PUBLISHED_KEYS:
        raise SiteConfigError(f"{text!r} is a published key anyone can sign logins with; "
                              f"remove it to use a generated key in {instance / KEY_FILE}, "
                              "or set 32+ random bytes", "SECRET_KEY")
    _check_length(configured, "SECRET_KEY")
    return configured


def instance_key(instance: Path) -> str:
    """Read ``instance/secret_key``, creating it first if missing.

    Several processes may start at once: each writes a complete key to its own temporary
    file (mode 0600) and hard-links it to the final name, which succeeds for exactly one
    of them; every process then reads the winner's key, so all of them agree.
    """
    path = instance / KEY_FILE
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=instance, prefix=f".{KEY_FILE}-")  # mode 0600
        try:
            with os.fdopen(descriptor, "w", encoding="ascii") as out:
                out.write(secrets.token_hex(MIN_KEY_BYTES) + "\n")
                out.flush()
                os.fsync(out.fileno())
            try:
                os.link(temporary, path)
            except FileExistsError:
                pass  # another process won the race: use its key
        finally:
            os.unlink(temporary)
    try:
        key = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise SiteConfigError(f"cannot read the secret key ({exc}); fix or delete the file "
                              "(deleting it logs everyone out)", path) from exc
    _check_length(key, path)
    return key


def _check_length(key: str | bytes, where: object) -> None:
    size = len(key.encode("utf-8") if isinstance(key, str) else key)
    if size < MIN_KEY_BYTES:
        raise SiteConfigError(f"secret key is {size} bytes; use {MIN_KEY_BYTES} or more random bytes "
                              "(python -c 'import secrets; print(secrets.token_hex(32))')", where)


def _secure_cookies(app: Flask) -> None:
    """Secure cookies follow SITE_URL's scheme unless SESSION_COOKIE_SECURE is set."""
    site_url = app.config.get("SITE_URL") or ""
    given = app.config.get("SESSION_COOKIE_SECURE")
    if given is None:
        app.config["SESSION_COOKIE_SECURE"] = urlsplit(site_url).scheme == "https"
    elif type(given) is not bool:
        # WULING_SESSION_COOKIE_SECURE=no arrives as the text "no", which Python calls true
        words = {"true": True, "yes": True, "on": True, "1": True,
                 "false": False, "no": False, "off": False, "0": False}
        if str(given).strip().lower() not in words:
            raise SiteConfigError(f"must be true or false, not {given!r}", "SESSION_COOKIE_SECURE")
        app.config["SESSION_COOKIE_SECURE"] = words[str(given).strip().lower()]
    if not app.config["SESSION_COOKIE_SECURE"]:
        log.warning("session cookies are not Secure (site_url %r is not https): passwords and "
                    "logins cross the network unencrypted; serve the site over HTTPS",
                    site_url or "unset")


def _trust_proxies(app: Flask) -> None:
    """Believe ``X-Forwarded-For``/``-Proto`` from exactly TRUSTED_PROXIES proxies."""
    count = app.config.setdefault("TRUSTED_PROXIES", 0)
    if type(count) is not int or not 0 <= count <= MAX_TRUSTED_PROXIES:
        raise SiteConfigError(f"must be a whole number from 0 to {MAX_TRUSTED_PROXIES} "
                              f"(proxies in front of the site), not {count!r}", "TRUSTED_PROXIES")
    if count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)
