"""Adapters: HTTP, CLI, database views, settings and wiring."""
