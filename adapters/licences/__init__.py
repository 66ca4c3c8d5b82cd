"""Licence requirement tracking at the edge: the seed rules (`seed_rules.json`, from LICENCE-RULES.md)."""
