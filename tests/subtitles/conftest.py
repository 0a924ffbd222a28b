"""Fixtures for the subtitle tests (reading, checking, fixing, segmenting, aligning)."""
