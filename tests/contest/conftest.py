"""Fixtures for the contest tests (entries, uploads, pre-checks, judging, scoring)."""
