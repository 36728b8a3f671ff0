"""Reading a pycrdt document through the transaction that is open on it, and observing
it with raw events.

pycrdt's `Map[key]` opens a transaction and checks the key in a second one, `Map.get`
opens three, and each wraps the value by `isinstance` against seven types; nested or not,
they cost more than the policy's checks on every keystroke (P364). These read with the
open transaction (or open one when none is) and wrap by type.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pycrdt import Map, Subscription, Text
from pycrdt._base import base_types

# pycrdt's wrappers of a map's or text's raw value, looked up by type rather than by
# pycrdt's isinstance() against each of its seven types on every read
_WRAPPERS: dict[type, Any] = {raw: cls for raw, cls in base_types.items() if cls in (Map, Text)}
_PLAIN = frozenset((str, int, float, bool, type(None), dict, list))


def _txn(shared: Map[Any] | Text) -> Any:
    """pycrdt's open transaction on the value's document, or None."""
    doc = shared._doc
    current = doc._txn if doc is not None else None
    return current._txn if current is not None else None


def get_key(m: Map[Any], key: str, default: Any = None) -> Any:
    """`m.get(key, default)`, one lookup through the open transaction."""
    txn = _txn(m)
    if txn is None:
        with m.doc.transaction():
            return get_key(m, key, default)
    try:
        raw = m.integrated.get(txn, key)
    except ValueError:  # pycrdt's "Key error": no such key
        return default
    wrapper = _WRAPPERS.get(type(raw))
    if wrapper is not None:
        return wrapper(_doc=m._doc, _integrated=raw)
    if type(raw) in _PLAIN:
        return raw
    return m._maybe_as_type_or_doc(raw)  # anything else as pycrdt wraps it


def has_key(m: Map[Any], key: str) -> bool:
    txn = _txn(m)
    if txn is None:
        return key in m
    return bool(m.integrated.has(txn, key))


def size(shared: Map[Any] | Text) -> int:
    """len() of a map or text (UTF-8 bytes for a text, as pycrdt's len)."""
    txn = _txn(shared)
    if txn is None:
        return len(shared)
    return int(shared.integrated.len(txn))


def key_set(m: Map[Any]) -> set[str]:
    txn = _txn(m)
    if txn is None:
        return set(m.keys())
    return set(m.integrated.keys(txn))


def observe_raw(root: Map[Any], callback: Callable[[list[Any]], None]) -> Subscription:
    """`root.observe_deep(callback)` without pycrdt's event wrappers: those build every
    event's target, delta and path (and a read transaction) before the callback runs,
    most of the cost of a keystroke's commit; the raw events compute only what is read.
    Registered like pycrdt registers its own, so `root.unobserve()` drops it."""
    subscription: Subscription = root.integrated.observe_deep(callback)
    root._subscriptions.append(subscription)
    return subscription
