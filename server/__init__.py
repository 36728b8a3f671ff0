"""cocanvas server: Starlette app, pycrdt rooms, durable storage."""

__version__ = "0.1.0"
