"""Pipeline stages, one module per group; :mod:`studio.pipeline` assembles them.

Every stage module exposes ``consumes(job)``, ``produces(job)``, ``params(job)``,
``run(job)`` and optionally ``skip_reason(job)``; they never print, progress goes
through ``job.progress``.
"""
