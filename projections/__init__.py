"""Read models: each a View interface (what it stores and answers) and a Projection (how events change it)."""
