"""The importer's plumbing between the writing process and its workers changes nothing: the units of work
hold exactly the records ``iso2709.iter_chunks`` cuts (the plain rule), whatever the file holds between them,
and outcomes fed in batches make the chunks that single outcomes made."""

from __future__ import annotations

import io
import random
from pathlib import Path

import pytest

from libcat.catalog import importer as imp
from libcat.marc import iso2709
from test_import_helpers import marc, write_iso


def _cut(path: Path) -> list[tuple[int, int, bytes]]:
    """``(position, byte offset, bytes)`` of each record as the one-process reader cuts them."""
    with open(path, "rb") as fh:
        return [(pos, at, chunk) for pos, (at, chunk) in enumerate(iso2709.iter_chunks(fh), 1)]


def _units(path: Path, size: int) -> list[tuple[int, int, bytes]]:
    """The same, as the workers read them from the units of ``_raw_units``."""
    units = list(imp._raw_units(str(path), size))
    assert all(len(u[2]) == size for u in units[:-1]), "every unit but the last holds ``size`` records"
    return [r for unit in units for r in imp._unit_records(str(path), unit)]


def _records(tmp_path: Path) -> list[bytes]:
    path = write_iso(tmp_path / "plain.mrc", [marc(f"c{i}", f"Кітап {i}" * (1 + i % 5), isbn=None) for i in range(40)])
    return [chunk for _, chunk in iso2709.iter_chunks(io.BytesIO(path.read_bytes()))]


def _mutated(rnd: random.Random, record: bytes) -> bytes:
    """A record made irregular: padding, a 0x1D inside, cut short, a leader length too big or too small, junk."""
    i = rnd.randrange(1, len(record))
    return rnd.choice([
        b"\n" + record, record + b"\r\n", record[:i] + b"\x1d" + record[i:], record[:i] + b"\x1d" + record[i + 1:],
        record[:i], b"\x1d", b"%05d" % rnd.choice([1, 30, len(record) + 10, 99999]) + record[5:],
        bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 40))), b" \t\x00\x1a"[:rnd.randrange(1, 5)],
    ])


@pytest.mark.parametrize("block", [37, 4096, imp.BLOCK_BYTES])
def test_units_hold_what_iter_chunks_cuts(monkeypatch, tmp_path, block):
    monkeypatch.setattr(imp, "BLOCK_BYTES", block)
    records = _records(tmp_path)
    rnd = random.Random(block)
    path = tmp_path / "f.mrc"
    cases = [b"", b"\n\n", records[0][:-1], b"".join(records), b"".join(records) + b"\n", b"x" * 5000]
    for _ in range(120):
        rate = rnd.choice([0, 0.02, 0.2, 0.6])
        picked = rnd.choices(records, k=rnd.randrange(1, 60))
        cases.append(b"".join(_mutated(rnd, r) if rnd.random() < rate else r for r in picked))
    for data in cases:
        path.write_bytes(data)
        want = _cut(path)
        for size in (1, 3, 1000):
            assert _units(path, size) == want


def test_plain_blocks_are_cut_without_iter_chunks(monkeypatch, tmp_path):
    """A regular file is cut by splitting at 0x1D (the fast path is what these tests compare)."""
    records = _records(tmp_path)
    path = tmp_path / "f.mrc"
    path.write_bytes(b"".join(records * 30))
    monkeypatch.setattr(iso2709, "iter_chunks", None)
    assert len(_units(path, 7)) == 1200


def test_a_file_that_changed_under_the_workers_is_refused(tmp_path):
    path = write_iso(tmp_path / "f.mrc", [marc(f"c{i}", "Кітап") for i in range(5)])
    unit = next(imp._raw_units(str(path), 10))
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(imp.CatalogError, match="changed"):
        imp._unit_records(str(path), unit)


def test_feed_cuts_batches_into_chunks(catalog, monkeypatch):
    """Batches of any size make the chunks that single outcomes made, ``fed`` counting what was taken."""
    run = imp._Run(catalog, imp.ImportOptions(dry_run=True, chunk_size=4), "import", "", [])
    chunks, fed = [], []
    monkeypatch.setattr(run, "run_chunk", lambda chunk: (chunks.append(list(chunk)), fed.append(run.fed)))
    run.feed(iter([list(range(7)), [], list(range(7, 12)), [12]]))
    assert chunks == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11], [12]]
    assert fed == [4, 8, 12, 13]


def test_progress_bar_counts_records_and_changes_nothing(catalog, tmp_path):
    path = write_iso(tmp_path / "f.mrc", [marc(f"c{i}", f"Кітап {i}") for i in range(30)])
    shown = imp.import_files(catalog, [path], imp.ImportOptions(source="a", progress=True, chunk_size=7))
    plain = imp.import_files(catalog, [path], imp.ImportOptions(source="b", chunk_size=7))
    assert (shown.read, shown.added) == (plain.read, plain.added) == (30, 30)


@pytest.mark.parametrize("how", ["moved", "replaced"])
def test_a_file_moved_or_replaced_during_an_import_stops_it_with_a_message(catalog, monkeypatch, tmp_path, how):
    path = write_iso(tmp_path / "көшті.mrc", [marc(f"м{i}", f"Жазба {i}") for i in range(200)])
    chunk = imp._Run._chunk
    done = []

    def then_touch(run, s, outcomes):
        if not done:
            done.append(True)
            if how == "moved":
                path.rename(tmp_path / "басқа.mrc")
            else:  # same size, same place, another file
                fresh = path.read_bytes().replace("Жазба".encode(), "Кітап".encode())
                (tmp_path / "new.mrc").write_bytes(fresh)
                (tmp_path / "new.mrc").replace(path)
        return chunk(run, s, outcomes)

    monkeypatch.setattr(imp._Run, "_chunk", then_touch)
    with pytest.raises(imp.CatalogError, match="көшті.mrc: .*(stay in place|changed or was replaced)"):
        imp.import_files(catalog, [path], imp.ImportOptions(jobs=2, chunk_size=5))


def test_workers_send_the_json_their_hash_was_taken_of(tmp_path):
    """``many(data_bytes=True)``, as a worker prepares: the same rows, the JSON as the UTF-8 bytes whose SHA-256 is
    the content hash (``records.content_hash`` of the text)."""
    from libcat.catalog import records
    from libcat.kabis import classify, profiles

    path = write_iso(tmp_path / "kk.mrc", [marc(f"қ{i}", f"Қазақ әдебиеті {i}", isbn=None) for i in range(30)])
    unit = next(imp._raw_units(str(path), 30))
    prep = imp._Preparer(None, None, classify.load(profiles.DEFAULT_PROFILE))
    plain = prep.many(str(path), imp._read_raw(imp._unit_records(str(path), unit), None))
    sent = prep.many(str(path), imp._read_raw(imp._unit_records(str(path), unit), None), data_bytes=True)
    assert len(plain) == len(sent) == 30
    for p, b in zip(plain, sent):
        data = p.row[imp._DATA]
        assert type(data) is str and b.row[imp._DATA] == data.encode("utf-8") and "Қазақ" in data
        assert p.row[imp._HASH] == b.row[imp._HASH] == records.content_hash(data)
        assert imp._pack(p) == imp._pack(b)
