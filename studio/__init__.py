"""Wuling Studio: the pipeline and the `studio` command line."""
