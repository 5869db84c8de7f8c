"""Shared fixtures: the ../shared corpus, catalogues on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples"
ENV_SHARED = "LIBCAT_SHARED"
ENV_REQUIRE_SHARED = "LIBCAT_REQUIRE_SHARED"
ENV_PG = "LIBCAT_TEST_PG"


def _shared_path() -> Path:
    return Path(os.environ.get(ENV_SHARED) or REPO.parent / "shared")


def _pg_base() -> str | None:
    url = os.environ.get(ENV_PG)
    if url and url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def pytest_report_header(config):
    lines = [f"shared: {_shared_path()} ({'present' if _shared_path().is_dir() else 'ABSENT'})"]
    base = _pg_base()
    if base:
        try:
            from sqlalchemy import create_engine, text

            eng = create_engine(base)
            with eng.connect() as c:
                lines.append("postgresql: " + c.execute(text("select version()")).scalar_one())
            eng.dispose()
        except Exception as exc:  # reported, and the PostgreSQL tests will fail loudly
            lines.append(f"postgresql: cannot connect to {base}: {exc}")
    else:
        lines.append(f"postgresql: {ENV_PG} not set, PostgreSQL tests skip")
    return lines


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared beside the checkout; skip without it, fail without it when LIBCAT_REQUIRE_SHARED=1."""
    path = _shared_path()
    if not path.is_dir():
        msg = f"{path} is absent: the real corpus and schemas live there (set {ENV_SHARED} to point elsewhere)"
        if os.environ.get(ENV_REQUIRE_SHARED) == "1":
            pytest.fail(msg)
        pytest.skip(msg)
    return path


@pytest.fixture(scope="session")
def corpus(shared_dir: Path) -> Path:
    return shared_dir / "corpus"


@pytest.fixture(scope="session")
def schemas(shared_dir: Path) -> Path:
    return shared_dir / "schemas"


def _pg_database_url() -> tuple[str, str]:
    from sqlalchemy import create_engine, text

    base = _pg_base()
    if not base:
        pytest.skip(f"{ENV_PG} not set: no PostgreSQL server to test against (the test script starts one)")
    name = "libcat_t_" + uuid.uuid4().hex[:12]
    eng = create_engine(base, isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE template0'))
    eng.dispose()
    url = base.rsplit("/", 1)[0] + "/" + name
    return url, name


def _pg_drop(name: str) -> None:
    from sqlalchemy import create_engine, text

    eng = create_engine(_pg_base(), isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    eng.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path: Path):
    """An empty database URL, once on SQLite and once on PostgreSQL."""
    yield from _empty_database(request.param, tmp_path / "catalog.db")


@pytest.fixture
def second_url(db_url: str, tmp_path: Path):
    """Another empty database of the same kind as ``db_url``."""
    yield from _empty_database(db_url.split(":", 1)[0].split("+", 1)[0], tmp_path / "second.db")


def _empty_database(kind: str, sqlite_path: Path):
    """Yield the URL of an empty database of ``kind`` (sqlite, postgresql); a PostgreSQL one is dropped after."""
    if kind == "sqlite":
        yield f"sqlite:///{sqlite_path}"
        return
    url, name = _pg_database_url()
    try:
        yield url
    finally:
        from sqlalchemy.orm import close_all_sessions

        close_all_sessions()
        _pg_drop(name)


@pytest.fixture
def catalog(db_url: str, tmp_path: Path, monkeypatch):
    """An initialised catalogue (default profile) on SQLite or PostgreSQL, files in tmp_path."""
    from libcat.catalog.store import open_catalog

    monkeypatch.setenv("LIBCAT_FILES", str(tmp_path / "files"))
    cat = open_catalog(db_url, must_exist=False)
    cat.init()
    yield cat
    cat.engine.dispose()


@pytest.fixture
def run_cli(db_url: str, tmp_path: Path, monkeypatch):
    """Run ``libcat`` in-process against ``db_url``: returns a function(args, input=None) -> Result."""
    from libcat.cli import main

    monkeypatch.setenv("LIBCAT_FILES", str(tmp_path / "files"))
    runner = CliRunner()

    def run(*args: str, input: str | bytes | None = None):
        return runner.invoke(main, ["--db", db_url, *args], input=input, catch_exceptions=False)

    return run
