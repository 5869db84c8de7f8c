"""Where the catalogue lives: the database URL (--db, LIBCAT_DB) and the file store beside it."""

from __future__ import annotations

import os
from pathlib import Path

ENV_DB = "LIBCAT_DB"
ENV_FILES = "LIBCAT_FILES"
DEFAULT_DB_FILE = "libcat.db"


def database_url(value: str | None = None) -> str:
    """Turn --db / LIBCAT_DB / the default into an SQLAlchemy URL (a plain path means SQLite)."""
    value = value or os.environ.get(ENV_DB) or DEFAULT_DB_FILE
    if "://" in value:
        if value.startswith("postgresql://") or value.startswith("postgres://"):
            value = "postgresql+psycopg://" + value.split("://", 1)[1]
        return value
    return f"sqlite:///{Path(value).expanduser()}"


def sqlite_path(url: str) -> Path | None:
    """The file of an SQLite URL, or None for other databases and in-memory SQLite."""
    if not url.startswith("sqlite"):
        return None
    path = url.split(":///", 1)[1] if ":///" in url else ""
    if not path or path == ":memory:":
        return None
    return Path(path)


def default_file_store(url: str) -> Path:
    """Folder for digitized files: LIBCAT_FILES, else beside the SQLite file, else ./libcat-files."""
    if os.environ.get(ENV_FILES):
        return Path(os.environ[ENV_FILES]).expanduser()
    db = sqlite_path(url)
    if db is not None:
        return db.with_name(db.stem + "-files")
    return Path("libcat-files").resolve()
