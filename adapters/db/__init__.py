"""The database side, on SQLite or PostgreSQL alike: the read models' SQL views and the stores beside the event log.

One module per thing held: `<projection>_view.py` is a projection's SQL view and `<projection>_tables.py`
its tables (what they share: `view_base.py`, `tables.py`); `*_store.py` is a table kept beside the log
with the one class that reads and writes it (credentials, sessions, the sign-in throttle, learner keys).
"""
