"""Fixtures for the catalog tests (migrations, the episode record, jobs, leases, engines)."""
