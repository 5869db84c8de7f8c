"""IRBIS64 MST/XRF reader: the real istu database and hand-built master files with deleted records."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from libcat.kabis.mst import MstError, iter_mst
from libcat.marc.flavour import IRBIS, IRBIS_VALUE_CODE

V = IRBIS_VALUE_CODE


def test_istu_has_300_live_records(corpus: Path) -> None:
    items = list(iter_mst(corpus / "irbis" / "istu.mst"))
    assert len(items) == 300 and all(i.ok and not i.deleted for i in items)
    assert [i.mfn for i in items] == list(range(1, 301))
    assert all(i.record.flavour == IRBIS for i in items)
    first = items[0].record
    assert first["200"]["a"] == "Голоценовый вулканизм Срединного хребта Камчатки"
    assert first["700"]["g"] == "Мария Михайловна" and first["010"]["a"] == "978-5-89118-682-8"
    assert items[0].control_number == "551.21(571.66)-658726400"
    assert first["910"]["b"] == "666468" and first["2006"][V] == "a"
    assert [f["c"] for f in first.get_fields("907")] == ["ПК", "КТ", "КР"]
    assert items[-1].record["200"]["a"] == "Планиметрия" and items[-1].record["200"]["v"] == "Ч. 1"
    sheets = [i.record["920"][V] for i in items]
    assert sheets.count("PAZK") == 273 and sheets.count("SPEC") == 27
    assert items[1].offset == 1804 and items[0].offset == 36


def _record(mfn: int, fields: list[tuple[int, str]], status: int = 32, back: int = 0) -> bytes:
    data = [text.encode("utf-8") for _, text in fields]
    base = 32 + 12 * len(fields)
    directory, pos = b"", 0
    for (tag, _), d in zip(fields, data):
        directory += struct.pack(">3I", tag, pos, len(d))
        pos += len(d)
    length = base + pos
    return struct.pack(">8I", mfn, length, back, 0, base, len(fields), 1, status) + directory + b"".join(data)


def _database(tmp_path: Path) -> Path:
    """MFN 1 live (an old version first), 2 logically deleted, 3 physically deleted, 4 absent, 5 broken."""
    mst = bytearray(struct.pack(">9I", 0, 6, 0, 0, 0, 0, 0, 0, 0))
    offsets = {}
    old = len(mst)
    mst += _record(1, [(200, "^AСтарый вариант")], status=0)
    offsets[1] = len(mst)
    mst += _record(1, [(920, "PAZK"), (200, "^AҚамшы^FН.Кәрім"), (903, "K-1")], back=old)
    offsets[2] = len(mst)
    mst += _record(2, [(200, "^AУдалённая")], status=33)
    offsets[3] = len(mst)
    mst += _record(3, [(200, "^AСтёртая")])
    offsets[5] = len(mst)
    mst += _record(7, [(200, "^AЧужая")])
    mst += bytes(512)
    xrf = bytearray()
    flags = {1: 0, 2: 1, 3: 2, 4: 4, 5: 0}
    for mfn in range(1, 6):
        off = offsets.get(mfn, 0)
        xrf += struct.pack(">3I", off, 0, flags[mfn])
    xrf += bytes(12 * 3 + 5)
    (tmp_path / "db.mst").write_bytes(bytes(mst))
    (tmp_path / "db.xrf").write_bytes(bytes(xrf))
    return tmp_path / "db.mst"


def test_current_versions_deleted_and_broken(tmp_path: Path) -> None:
    items = list(iter_mst(_database(tmp_path)))
    assert [i.mfn for i in items] == [1, 2, 5]
    live, deleted, broken = items
    assert live.record["200"]["a"] == "Қамшы" and live.control_number == "K-1" and not live.deleted
    assert deleted.deleted and deleted.record["200"]["a"] == "Удалённая"
    assert not broken.ok and "MFN 5" in broken.error and "expected 5" in broken.error
    assert [i.position for i in items] == [1, 2, 3]


def test_missing_xrf_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "lonely.mst").write_bytes(bytes(36))
    with pytest.raises(MstError, match="no .xrf"):
        list(iter_mst(tmp_path / "lonely.mst"))
