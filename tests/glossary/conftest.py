"""Fixtures for the glossary tests (term base, correction, scoring)."""
