"""Open a catalogue (SQLite or PostgreSQL), create or upgrade its schema, hand out sessions."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import create_engine, event, inspect, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from .. import config, i18n
from ..kabis import profiles
from .models import Setting, Subcatalog

MIGRATIONS = Path(__file__).parent / "migrations"
#: The newest migration in ``migrations/versions``; a test keeps it equal to Alembic's head, so that
#: opening a catalogue can check its schema without importing Alembic.
SCHEMA_HEAD = "0009"


class CatalogError(Exception):
    """A problem the user can act on; the CLI prints its message as one line and exits 1."""


i18n.register({
    "store.no_schema": {
        "en": "no catalogue at {url}: run `libcat init` first",
        "ru": "нет каталога по адресу {url}: сначала выполните `libcat init`",
        "kk": "{url} мекенжайында каталог жоқ: алдымен `libcat init` іске қосыңыз",
    },
    "store.old_schema": {
        "en": "the catalogue at {url} has schema {schema}, this libcat needs {head}: run `libcat init` to upgrade it",
        "ru": "каталог {url} имеет схему {schema}, а этой версии libcat нужна {head}: обновите его командой `libcat init`",
        "kk": "{url} каталогының схемасы {schema}, ал libcat-тың бұл нұсқасына {head} керек: "
              "оны `libcat init` арқылы жаңартыңыз",
    },
    "store.no_file": {
        "en": "no catalogue at {path}: run `libcat init` first (or give --db)",
        "ru": "нет каталога {path}: сначала выполните `libcat init` (или укажите --db)",
        "kk": "{path} каталогы жоқ: алдымен `libcat init` іске қосыңыз (немесе --db көрсетіңіз)",
    },
    "store.no_folder": {
        "en": "cannot open catalogue {path}: folder {folder} does not exist",
        "ru": "не удаётся открыть каталог {path}: папки {folder} не существует",
        "kk": "{path} каталогын ашу мүмкін емес: {folder} қалтасы жоқ",
    },
    "store.bad_url": {
        "en": "cannot use database URL {url!r}: {reason}",
        "ru": "нельзя использовать адрес базы данных {url!r}: {reason}",
        "kk": "{url!r} дерекқор мекенжайын пайдалану мүмкін емес: {reason}",
    },
    "store.cannot_open": {
        "en": "cannot open catalogue {url}: {reason}",
        "ru": "не удаётся открыть каталог {url}: {reason}",
        "kk": "{url} каталогын ашу мүмкін емес: {reason}",
    },
})


def _alembic_config(connection=None):
    """Alembic configuration for libcat's migrations (Alembic is imported only when needed: it is slow)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    """The newest schema revision this version of libcat knows."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


CHECKPOINT_EVERY = 0.25  # seconds between background WAL checkpoints during an import
#: Page size of new SQLite catalogues. Records carry their MARC-in-JSON (~2 KB) in the row; with 16 KiB
#: pages an import of 200,000 catalogue-sized records cost the writing process 59 µs of CPU per record
#: against 81 with SQLite's default 4 KiB, and the statistics tables of a 1,000,000-record catalogue kept
#: their times (docs/benchmarks.md).
SQLITE_PAGE_SIZE = 16384


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cur = dbapi_connection.cursor()
    # Only a new, empty database takes it; existing ones keep theirs.
    cur.execute(f"PRAGMA page_size={SQLITE_PAGE_SIZE}")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


class Catalog:
    """A connection to one catalogue database."""

    def __init__(self, url: str, engine: Engine):
        self.url = url
        self.engine = engine
        self.Session = sessionmaker(engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def display_url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed on success and rolled back on error."""
        with self.Session() as s:
            try:
                yield s
                s.commit()
            except BaseException:
                s.rollback()
                raise

    @contextlib.contextmanager
    def background_checkpoints(self, every: float = CHECKPOINT_EVERY) -> Iterator[None]:
        """While a long write runs, copy SQLite's write-ahead log into the database from a thread of its own.

        The writing connection would otherwise stop every ~4 MB of log to copy it and wait for two fsyncs
        (SQLite's automatic checkpoint); done here, that disk wait overlaps the writer's work and its own
        checkpoints find nothing left to do. Durability is the same (``synchronous=NORMAL``). No-op for
        PostgreSQL and in-memory SQLite.
        """
        path = config.sqlite_path(self.url)
        if self.dialect != "sqlite" or path is None:
            yield
            return
        stop = threading.Event()

        def run() -> None:
            # A checkpoint that fails only leaves the work to SQLite's own automatic ones.
            try:
                conn = sqlite3.connect(str(path), isolation_level=None, timeout=30)
            except sqlite3.Error:
                return
            try:
                while not stop.wait(every):
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            except sqlite3.Error:
                pass
            finally:
                conn.close()

        thread = threading.Thread(target=run, name="libcat-checkpoint", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()

    def current_revision(self) -> str | None:
        """The schema revision of this catalogue, None when it has no libcat schema."""
        with self.engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()

    def upgrade(self, revision: str = "head") -> None:
        """Create or upgrade the schema to ``revision`` (Alembic migrations, in one transaction)."""
        from alembic import command

        with self.engine.begin() as conn:
            command.upgrade(_alembic_config(conn), revision)

    def require_schema(self, lang: str | None = None) -> None:
        """Fail with a clear message when the catalogue is missing or older than this libcat."""
        rev = self.current_revision()
        if rev is None:
            raise CatalogError(i18n.t("store.no_schema", lang, url=self.display_url))
        if rev != SCHEMA_HEAD:
            raise CatalogError(i18n.t("store.old_schema", lang, url=self.display_url, schema=rev, head=SCHEMA_HEAD))

    def init(self, profile: str = profiles.DEFAULT_PROFILE, lang: str | None = None) -> tuple[str | None, str, int]:
        """Create or upgrade the catalogue and add the profile's sub-catalogues that are missing.

        Returns (revision before, revision after, number of sub-catalogues added); a profile that
        cannot be read is a ProfileError in ``lang``.
        """
        prof = profiles.load(profile, lang)
        before = self.current_revision()
        self.upgrade()
        added = 0
        with self.session() as s:
            existing = set(s.scalars(select(Subcatalog.code)))
            order = len(existing)
            for sc in prof.get("subcatalog", []):
                if sc["code"] in existing:
                    continue
                order += 1
                s.add(
                    Subcatalog(
                        code=sc["code"],
                        name_ru=sc["ru"],
                        name_kk=sc["kk"],
                        name_en=sc.get("en") or sc["code"],
                        since_year=sc.get("since"),
                        sort_order=order,
                    )
                )
                added += 1
            if s.get(Setting, "profile") is None:
                s.add(Setting(key="profile", value=prof["name"]))
        return before, head_revision(), added

    def setting(self, key: str, default: str | None = None) -> str | None:
        with self.Session() as s:
            row = s.get(Setting, key)
            return row.value if row is not None else default

    def set_setting(self, key: str, value: str | None) -> None:
        with self.session() as s:
            s.merge(Setting(key=key, value=value))

    def file_store(self) -> Path:
        """Folder where digitized files are kept (setting `file_store`, else beside the database)."""
        value = self.setting("file_store")
        return Path(value) if value else config.default_file_store(self.url)


def open_catalog(db: str | None = None, *, must_exist: bool = True, lang: str | None = None) -> Catalog:
    """Open the catalogue at ``db`` (URL or SQLite path; LIBCAT_DB; ./libcat.db).

    With ``must_exist`` the schema must be present and current. Connection problems become
    a one-line CatalogError naming the database, in ``lang``.
    """
    url = config.database_url(db)
    path = config.sqlite_path(url)
    if path is not None:
        if must_exist and not path.exists():
            raise CatalogError(i18n.t("store.no_file", lang, path=path))
        if not path.parent.exists():
            raise CatalogError(i18n.t("store.no_folder", lang, path=path, folder=path.parent))
    try:
        kwargs = {}
        if url.startswith("postgresql"):
            # UTF-8 whatever PGCLIENTENCODING says: the importer sends stored JSON as UTF-8 bytes (bulk.insert_rows).
            kwargs["connect_args"] = {"connect_timeout": 10, "client_encoding": "utf8"}
        engine = create_engine(url, **kwargs)
    except (ArgumentError, NoSuchModuleError) as exc:
        raise CatalogError(i18n.t("store.bad_url", lang, url=url, reason=exc)) from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    cat = Catalog(url, engine)
    try:
        with engine.connect():
            pass
        if must_exist:
            cat.require_schema(lang)
    except DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise CatalogError(i18n.t("store.cannot_open", lang, url=cat.display_url, reason=reason)) from None
    except SQLAlchemyError as exc:
        raise CatalogError(i18n.t("store.cannot_open", lang, url=cat.display_url, reason=exc)) from None
    return cat
