"""Fixtures for the review workspace's tests (marks, corrections, merging, publishing)."""
