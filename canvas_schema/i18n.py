"""Resolve text keys to texts, with fallback, and find texts that are missing."""

from __future__ import annotations

from .catalog import SUPPORTED_LOCALES as SUPPORTED_LOCALES
from .catalog import shared_texts
from .loader import list_canvases, load_canvas
from .model import Canvas

PRIMARY_LOCALE = "de"


def translate(key: str, locale: str, canvas: Canvas | None = None) -> str:
    """Return the text for a key.

    Looks in `locale`, then the canvas default locale, then German; in each, texts
    carried inline by the canvas win over the shared catalog.

    Args:
        key: e.g. `"canvas.ko-kreation.field.A1.prompt"`.
        locale: the wanted locale, e.g. `"en"`.
        canvas: the canvas the key belongs to, for its inline texts and default locale.

    Returns:
        The text, or the key itself if no locale has it (visible, never a crash).
    """
    chain = [locale, canvas.default_locale if canvas else PRIMARY_LOCALE, PRIMARY_LOCALE]
    for candidate in dict.fromkeys(chain):
        text = _lookup(key, candidate, canvas)
        if text:
            return text
    return key


def missing_keys(locale: str, canvas_id: str | None = None) -> list[str]:
    """List text keys that have no text in `locale`.

    Args:
        locale: the locale to check.
        canvas_id: check only this built-in canvas; by default all built-in canvases,
            plus every key of the German catalog (so no stray key lacks a translation).

    Returns:
        The missing keys, sorted.
    """
    canvases = [load_canvas(canvas_id)] if canvas_id else list_canvases()
    missing = {key for c in canvases for key in c.text_keys() if not _lookup(key, locale, c)}
    if canvas_id is None:
        shared = shared_texts(locale)
        missing |= {key for key in shared_texts(PRIMARY_LOCALE) if not shared.get(key, "").strip()}
    return sorted(missing)


def _lookup(key: str, locale: str, canvas: Canvas | None) -> str | None:
    if canvas is not None:
        text = canvas.texts.get(locale, {}).get(key)
        if text and text.strip():
            return text
    text = shared_texts(locale).get(key)
    return text if text and text.strip() else None
