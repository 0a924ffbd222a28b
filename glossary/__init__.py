"""The term base (jargon -> plain language), fast matching and rewriting."""
