"""Fixtures for the public site's tests (pages, feeds, logins, downloads, browsers, serving)."""
