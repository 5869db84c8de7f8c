"""Export with holdings and deletions, and re-import into an empty catalogue (SQLite and PostgreSQL)."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from libcat.catalog import export as ex
from libcat.catalog import importer as imp
from libcat.catalog.models import CatalogRecord, Copy
from libcat.catalog.store import open_catalog
from libcat.marc import io as marc_io
from test_import_helpers import isbn, items, marc


def test_export_reimport_gives_the_same_records(catalog, db_url, tmp_path):
    from test_import_helpers import irbis

    irb = irbis([("920", [("*", "PAZK")]), ("200", [("a", "Қамшы")]), ("903", [("*", "K-1")]), ("1119", [("*", "guid")]),
                 ("910", [("a", "0"), ("b", "1001"), ("d", "ЦБ")])])
    recs = [marc(f"e{i}", f"Кітап {i}", isbn=isbn(300 + i), copies=[(f"E{i}", "ЦБ")]) for i in range(3)]
    imp.import_items(catalog, items(recs + [irb]), imp.ImportOptions(source="A"))
    with catalog.session() as s:
        from libcat.catalog import records as rec

        rec.delete(s, rec.find(s, "e2"), reason="written off")
    target = open_catalog(f"sqlite:///{tmp_path / 'other.db'}", must_exist=False)
    target.init()
    for fmt, flavour_files in (("json", None), ("iso2709", None)):
        buf = io.BytesIO()
        deleted = io.StringIO()
        report = ex.export(catalog, buf, ex.ExportOptions(fmt=fmt), deleted)
        assert report.written == 3 and report.deleted_listed == 1 and "written off" in deleted.getvalue()
        if fmt == "iso2709":
            assert any("1119" in p["message"] for p in report.problems), report.problems
            continue
        path = tmp_path / f"out.{fmt}"
        path.write_bytes(buf.getvalue())
        r = imp.import_files(target, [path], imp.ImportOptions(source="A"))
        assert r.added == 3 and r.rejected == 0
    with catalog.Session() as s1, target.Session() as s2:
        q = select(CatalogRecord.control_number, CatalogRecord.data, CatalogRecord.flavour).where(
            CatalogRecord.deleted_at.is_(None)).order_by(CatalogRecord.control_number)
        assert s1.execute(q).all() == s2.execute(q).all()
        assert s2.scalar(select(func.count()).select_from(Copy)) == 3
    target.engine.dispose()


def test_export_cli_irbis_cp1251_with_merged_copies(catalog, run_cli, tmp_path):
    imp.import_items(catalog, items([marc("m1", "Кітап", isbn=isbn(9), copies=[("M-1", "ЦБ")])]),
                     imp.ImportOptions(source="A"))
    imp.import_items(catalog, items([marc("n1", "Кітап", isbn=isbn(9), copies=[("N-1", "Ф1")])]),
                     imp.ImportOptions(source="B", on_duplicate="merge"))
    out = tmp_path / "out.iso"
    res = run_cli("export", "--format", "iso2709", "--flavour", "keep", "-o", str(out), "--since", "2000-01-01")
    assert res.exit_code == 0 and "exported 1 records" in res.output
    (item,) = list(marc_io.read(str(out)))
    assert sorted(f["a"] for f in item.record.get_fields("876")) == ["M-1", "N-1"]
    txt = tmp_path / "out.txt"
    res = run_cli("export", "--format", "irbis", "--flavour", "irbis", "--encoding", "cp1251", "-o", str(txt))
    assert res.exit_code == 0
    assert "Кітап".encode("cp1251") in txt.read_bytes() and b"#910: " in txt.read_bytes()
    assert run_cli("delete", "m1", "--reason", "списан").exit_code == 0
    res = run_cli("export", "--batch", "1", "-o", str(out), "--deleted-list", str(tmp_path / "d.tsv"))
    assert "exported 0 records" in res.output and "m1" in (tmp_path / "d.tsv").read_text(encoding="utf-8")
