"""What both HTTP front ends share: the API (adapters/api/) and the web pages (adapters/web/) import
from here, never from each other; adapters/app.py composes them into one FastAPI app."""
