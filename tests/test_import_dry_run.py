"""A dry run reports what the real import would do, also when a record duplicates one the dry run "added" in
an earlier chunk (rolled back, so not in the catalogue): SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from libcat.catalog import importer as imp
from libcat.catalog.store import open_catalog
from test_import_helpers import isbn, marc, write_iso


def _file(tmp_path):
    # Each ISBN comes twice, 4 records apart, so with chunks of 3 the second copy is in a later chunk; the
    # second copies of even numbers have copies and an author, so a merge finds them more complete.
    records = [marc(f"а{i}", f"Абай жолы {i}", isbn=isbn(i)) for i in range(4)]
    records += [marc(f"б{i}", f"Абай жолы {i}, 2-бас.", isbn=isbn(i), author="Әуезов, Мұхтар",
                     copies=[(f"инв-{i}", "Алматы")] if i % 2 == 0 else ()) for i in range(4)]
    return write_iso(tmp_path / "dup.mrc", records)


@pytest.mark.parametrize("action", ["update", "merge", "skip"])
def test_dry_run_counts_duplicates_across_chunks_as_the_import_does(catalog, db_url, second_url, tmp_path,
                                                                    action):
    path = _file(tmp_path)
    options = dict(on_duplicate=action, chunk_size=3)
    dry = imp.import_files(catalog, [path], imp.ImportOptions(dry_run=True, **options))
    real_catalog = open_catalog(second_url, must_exist=False)
    real_catalog.init()
    real = imp.import_files(real_catalog, [path], imp.ImportOptions(**options))
    real_catalog.engine.dispose()
    counts = ("read", "added", "updated", "unchanged", "duplicates", "rejected")
    assert {k: dry.to_dict()[k] for k in counts} == {k: real.to_dict()[k] for k in counts}
    assert dry.duplicates == 4 and dry.added == 4
