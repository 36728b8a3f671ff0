"""A plain Python base class for the room's layers.

mypyc compiles the room's classes (P371) into types without a `__weakref__` slot unless
they inherit from a class of interpreted Python. The unload checks (P222, P225) hold a
weak reference to a room to see it collected, so DurableDoc derives from this one.
This module must stay out of native.MODULES.
"""

from __future__ import annotations


class Referable:
    """Gives compiled subclasses an instance dictionary and weak references."""
