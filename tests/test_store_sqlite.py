"""SQLite storage choices: background WAL checkpoints during a long write, the page size of new catalogues."""

from __future__ import annotations

import shutil
import sqlite3
import threading
import time
from pathlib import Path

from sqlalchemy import text

from libcat.catalog import store


def _in_main_file(db: Path, tmp_path: Path, key: str) -> bool:
    """Whether the database file alone (without its -wal log) holds the setting ``key``."""
    copy = tmp_path / f"copy-{time.monotonic_ns()}.db"
    shutil.copyfile(db, copy)
    conn = sqlite3.connect(copy)
    try:
        return conn.execute("SELECT count(*) FROM settings WHERE key = ?", (key,)).fetchone()[0] == 1
    finally:
        conn.close()


def _write(cat: store.Catalog, key: str) -> None:
    """Commit one setting on a connection whose own automatic checkpoints are off."""
    with cat.engine.connect() as conn:
        conn.execute(text("PRAGMA wal_autocheckpoint=0"))
        conn.execute(text("INSERT INTO settings (key, value) VALUES (:k, 'Қазақстан ұлттық кітапханасы')"), {"k": key})
        conn.commit()
        conn.execute(text("PRAGMA wal_autocheckpoint=1000"))


def _catalog(tmp_path: Path) -> tuple[store.Catalog, Path]:
    """An initialised SQLite catalogue and its file."""
    db = tmp_path / "cat.db"
    cat = store.open_catalog(f"sqlite:///{db}", must_exist=False)
    cat.init()
    cat.engine.dispose()
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return cat, db


def test_checkpoints_reach_the_database_file_during_the_write(tmp_path: Path) -> None:
    cat, db = _catalog(tmp_path)
    with cat.background_checkpoints(every=0.02):
        _write(cat, "during")
        deadline = time.monotonic() + 10
        while not _in_main_file(db, tmp_path, "during") and time.monotonic() < deadline:
            time.sleep(0.02)
        assert _in_main_file(db, tmp_path, "during")
    cat.engine.dispose()


def test_without_checkpoints_the_commit_stays_in_the_log(tmp_path: Path) -> None:
    cat, db = _catalog(tmp_path)
    _write(cat, "later")
    time.sleep(0.1)
    assert not _in_main_file(db, tmp_path, "later")
    cat.engine.dispose()


def test_memory_catalogues_start_no_thread() -> None:
    cat = store.Catalog("sqlite://", store.create_engine("sqlite://"))
    before = threading.active_count()
    with cat.background_checkpoints(every=0.01):
        assert threading.active_count() == before


def test_new_catalogues_get_big_pages_and_old_ones_keep_theirs(tmp_path: Path) -> None:
    _, new = _catalog(tmp_path)
    conn = sqlite3.connect(new)
    assert conn.execute("PRAGMA page_size").fetchone()[0] == store.SQLITE_PAGE_SIZE
    conn.close()
    old = tmp_path / "old.db"
    conn = sqlite3.connect(old)
    conn.execute("PRAGMA page_size=4096")
    conn.execute("CREATE TABLE kept (x)")
    conn.commit()
    conn.close()
    cat = store.open_catalog(f"sqlite:///{old}", must_exist=False)
    cat.init()
    cat.engine.dispose()
    conn = sqlite3.connect(old)
    assert conn.execute("PRAGMA page_size").fetchone()[0] == 4096
    assert conn.execute("SELECT count(*) FROM subcatalogs").fetchone()[0] > 0
    conn.close()
