"""The HTTP driving adapter (FastAPI): JSON API under /api/v1, ACCME web services under /accme."""
