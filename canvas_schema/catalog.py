"""The shared text catalogs `i18n/<locale>.json`: flat maps of key -> text."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

I18N_DIR = Path(__file__).resolve().parent / "i18n"
SUPPORTED_LOCALES = ("de", "en")


@functools.cache
def shared_texts(locale: str) -> Mapping[str, str]:
    """Return the shared catalog of a locale, or an empty map if it has none.

    Raises:
        ValueError: the catalog file exists but is not a flat JSON object of strings.
    """
    if locale not in SUPPORTED_LOCALES:
        return MappingProxyType({})
    path = I18N_DIR / f"{locale}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise ValueError(f"{path} must be a JSON object mapping text keys to strings")
    return MappingProxyType(data)
