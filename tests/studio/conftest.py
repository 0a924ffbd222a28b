"""Fixtures for the studio tests (CLI, pipeline, rendering, the model, scheduling, benches)."""
