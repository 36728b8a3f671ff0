"""compose.open_store picks the store from the settings, in one place (P300)."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.compose import open_store
from server.settings import Settings
from server.store.postgres import PostgresStore
from server.store.postgres_db import redact_url
from server.store.sqlite import SqliteStore


def test_p300_a_postgresql_url_picks_postgres_and_empty_picks_sqlite(tmp_path: Path) -> None:
    url = "postgresql://cocanvas:s3cret@db.internal:5432/cocanvas"
    store = open_store(Settings(data_dir=tmp_path, store_url=url))
    assert isinstance(store, PostgresStore)
    assert "s3cret" not in store.name and store.name.endswith("@db.internal:5432/cocanvas")
    assert isinstance(open_store(Settings(data_dir=tmp_path)), SqliteStore)


def test_p300_another_scheme_is_refused_with_what_to_write(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="must start with postgresql://"):
        open_store(Settings(data_dir=tmp_path, store_url="mysql://u@h/db"))


def test_p300_retention_is_checked_for_every_store(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="RETENTION"):
        open_store(Settings(store_url="postgresql://u@h/db", retention_days=-1))


def test_a_url_without_password_is_shown_as_it_is() -> None:
    assert redact_url("postgresql://u@h/db") == "postgresql://u@h/db"
