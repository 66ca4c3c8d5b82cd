"""SQLAlchemy implementations of the read-model views, on SQLite or PostgreSQL alike."""
