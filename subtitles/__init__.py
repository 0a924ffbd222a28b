"""Subtitle domain: cues, Chinese line breaking, timing rules, checks, format I/O."""
