"""cocanvas server: Starlette app, pycrdt rooms, durable storage."""

from . import native

__version__ = "0.1.0"
# before any module of the update path is imported (P371)
native.STATE = native.install()
