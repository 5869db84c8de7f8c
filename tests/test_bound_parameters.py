"""Re-import, undo and dedupe of more records than SQLite binds in one statement (999 before SQLite 3.32, as on older
systems): every statement stays within the limit."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from libcat.catalog import dedupe
from libcat.catalog import importer as imp
from libcat.catalog.models import CatalogRecord
from libcat.catalog.store import open_catalog
from libcat.catalog.undo import undo_batch
from test_import_helpers import isbn, marc, write_iso

N = 1100  # more than 999 ids: the importer binds a chunk's updated ids, undo and dedupe 1,000 plus another value


@pytest.fixture
def limited(tmp_path: Path):
    """A SQLite catalogue whose every connection binds at most 999 parameters per statement."""
    cat = open_catalog(f"sqlite:///{tmp_path / 'limited.db'}", must_exist=False)
    cat.init()
    cat.engine.dispose()

    @event.listens_for(cat.engine, "connect")
    def _limit(dbapi_connection, _record):
        dbapi_connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)

    yield cat
    cat.engine.dispose()


def _live(cat) -> int:
    with cat.session() as s:
        return s.scalar(select(func.count()).select_from(CatalogRecord).where(CatalogRecord.deleted_at.is_(None)))


def test_undo_of_batches_bigger_than_the_bound_limit(limited, tmp_path):
    first = write_iso(tmp_path / "a.mrc", [marc(f"кн-{i}", f"Қазақ әдебиеті {i}", isbn=isbn(i)) for i in range(N)])
    second = write_iso(tmp_path / "b.mrc", [marc(f"кн-{i}", f"Қазақ әдебиеті {i}, 2-бас.", isbn=isbn(i))
                                            for i in range(N)])
    added = imp.import_files(limited, [first], imp.ImportOptions())
    updated = imp.import_files(limited, [second], imp.ImportOptions())
    assert (added.added, updated.updated) == (N, N)
    assert undo_batch(limited, updated.batch)["restored"] == N
    assert undo_batch(limited, added.batch)["removed"] == N
    assert _live(limited) == 0


def test_dedupe_of_more_records_than_the_bound_limit(limited, tmp_path):
    # Pairs with the same title, author and year and no ISBN: duplicate candidates, merged when asked.
    path = write_iso(tmp_path / "c.mrc", [marc(f"дк-{i}", f"Абай жолы {i // 2}", author="Әуезов", year=1942)
                                          for i in range(N)])
    assert imp.import_files(limited, [path], imp.ImportOptions()).added == N
    groups = dedupe.find_groups(limited, candidates=True)
    assert len(groups) == N // 2
    batch, merged = dedupe.apply(limited, groups, candidates=True)
    assert merged == N // 2 and _live(limited) == N // 2
    undo_batch(limited, batch)
    assert _live(limited) == N
