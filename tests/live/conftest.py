"""Fixtures for the live broadcast tests (captions, hooks, jobs, the stream end to end)."""
