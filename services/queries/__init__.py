"""The read side: one query module per context (cosmicpython's `views.py`).

The API routes, the web pages and the as-of reads all answer through these query objects, built over
the live read models by the composition root, or over read models replayed to an instant
(services/as_of.py): one way to read each thing, whichever front end asks and whenever it asks about.
"""
