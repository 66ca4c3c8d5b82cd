"""Commands: small immutable intent objects, and the handlers that apply them to aggregates."""
