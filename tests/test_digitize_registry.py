"""Digital objects: page counting, registration, duplicates, no half-registration, verify, import."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from sqlalchemy import func, select

from libcat.catalog.models import DigitalFile, DigitalObject
from libcat.catalog.store import CatalogError
from libcat.digitize import filestore, pages, registry
from libcat.digitize import collections as colls

from test_digitize_helpers import (
    add_record, djvu_bytes, irbis_record, kamshy, make_djvu, make_image, make_pdf, newspaper_article,
)


def _stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


# --- page counting (no database) ---------------------------------------------------------------

def test_count_pages_of_every_type(tmp_path: Path) -> None:
    assert pages.count_pages(make_pdf(tmp_path / "a.pdf", 7)) == 7
    assert pages.count_pages(make_image(tmp_path / "a.jpg", "JPEG")) == 1
    assert pages.count_pages(make_image(tmp_path / "a.png", "PNG")) == 1
    assert pages.count_pages(make_image(tmp_path / "a.tif", "TIFF", frames=3)) == 3
    assert pages.count_pages(make_djvu(tmp_path / "one.djvu", 1)) == 1
    assert pages.count_pages(make_djvu(tmp_path / "many.djvu", 5)) == 5
    assert pages.sniff(tmp_path / "many.djvu") == "image/vnd.djvu"
    assert pages.sniff(tmp_path / "a.tif") == "image/tiff"


def test_indirect_djvu_and_unknown_files_are_refused(tmp_path: Path) -> None:
    data = bytearray(djvu_bytes(3))
    data[data.index(b"DIRM") + 8] = 0x01  # not bundled: the pages live in other files
    (tmp_path / "indirect.djvu").write_bytes(bytes(data))
    with pytest.raises(CatalogError, match="indirect"):
        pages.count_pages(tmp_path / "indirect.djvu")
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(CatalogError, match="not a PDF, TIFF, JPEG, PNG or DjVu"):
        pages.sniff(tmp_path / "notes.txt")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4\nrubbish")
    with pytest.raises(CatalogError, match="broken.pdf"):
        pages.count_pages(tmp_path / "broken.pdf")


def test_default_type_from_the_record() -> None:
    book = irbis_record("Қамшы", cn="1")
    paper = irbis_record("Мақала", cn="2", source={"c": "Орталық Қазақстан газеті", "j": "2020"})
    dated = irbis_record("Статья", cn="3", source={"c": "Восточно-Сибирская правда", "h": "№ 14 (17 янв.)"})
    journal = irbis_record("Статья", cn="4", source={"c": "Простор", "h": "№ 3", "j": "2019"})
    chapter = irbis_record("Глава", cn="5", source={"c": "Сборник", "d": "Алматы", "g": "Өнер"},
                           extra=[])
    assert registry.default_type(book, "irbis") == "book"
    assert registry.default_type(paper, "irbis") == "newspaper-article"
    assert registry.default_type(dated, "irbis") == "newspaper-article"
    assert registry.default_type(journal, "irbis") == "journal-article"
    chapter["463"].add_subfield("i", "978-601-7000-00-1")
    assert registry.default_type(chapter, "irbis") == "book-chapter"


# --- registration ----------------------------------------------------------------------------------

def test_register_kazakh_book_and_newspaper_article(catalog, tmp_path: Path) -> None:
    book = kamshy(catalog)
    article = newspaper_article(catalog)
    with catalog.session() as s:
        colls.add(s, "Қарағанды суретшілері", ru="Художники Караганды")
    pdf = make_pdf(tmp_path / "kamshy.pdf", 84)
    obj = registry.add_object(catalog, "KZ-0001", [pdf], date=dt.date(2023, 5, 4), collection="Қарағанды суретшілері")
    assert (obj.type, obj.language, obj.pages, obj.digitized_on) == ("book", "kaz", 84, dt.date(2023, 5, 4))
    assert obj.bytes == pdf.stat().st_size
    jpg = make_image(tmp_path / "page.jpg", "JPEG")
    tif = make_image(tmp_path / "pages.tif", "TIFF", frames=2)
    obj2 = registry.add_object(catalog, article, [jpg, tif])
    assert (obj2.type, obj2.language, obj2.pages) == ("newspaper-article", "kaz", 3)
    with catalog.Session() as s:
        files = registry.files_of(s, obj2.id)
        assert [f.pages for f in files] == [1, 2]
        assert [f.mime for f in files] == ["image/jpeg", "image/tiff"]
        sha, size = filestore.hash_file(jpg)
        assert files[0].sha256 == sha and files[0].bytes == size
        assert files[0].path == f"{article}/{sha[:16]}.jpg"
        stored = filestore.resolve(catalog, files[0].path)
        assert stored.read_bytes() == jpg.read_bytes()
        listed = registry.list_objects(s, collection="Қарағанды суретшілері")
        assert [o.id for o, _r, _c in listed] == [obj.id]
        assert [o.id for o, _r, _c in registry.list_objects(s, year=2023)] == [obj.id]
        assert [o.id for o, _r, _c in registry.list_objects(s, record=book)] == [obj.id]
        totals = {t.collection.name: (t.items, t.bytes) for t in colls.totals(s)}
        assert totals["Қарағанды суретшілері"] == (1, pdf.stat().st_size)
    assert not [p for p in _stored_files(catalog.file_store()) if p.name.startswith(".tmp")]


def test_given_pages_language_and_type_win(catalog, tmp_path: Path) -> None:
    rid = kamshy(catalog)
    obj = registry.add_object(catalog, rid, [make_djvu(tmp_path / "x.djvu", 2)], pages=12, language="ru",
                              type="book-chapter")
    assert (obj.pages, obj.language, obj.type) == (12, "rus", "book-chapter")


def test_same_file_twice_is_refused(catalog, tmp_path: Path) -> None:
    rid = kamshy(catalog)
    pdf = make_pdf(tmp_path / "kamshy.pdf", 2)
    registry.add_object(catalog, rid, [pdf])
    copy = tmp_path / "copy-of-kamshy.pdf"
    copy.write_bytes(pdf.read_bytes())
    with pytest.raises(CatalogError, match=f"copy-of-kamshy.pdf is already registered for record {rid}"):
        registry.add_object(catalog, rid, [copy])
    with pytest.raises(CatalogError, match="are the same file"):
        registry.add_object(catalog, rid, [make_pdf(tmp_path / "b.pdf", 3), copy, copy])
    # the same scan may belong to another record (e.g. a newspaper page with two articles)
    other = newspaper_article(catalog)
    registry.add_object(catalog, other, [pdf])
    with catalog.Session() as s:
        assert s.scalar(select(func.count()).select_from(DigitalObject)) == 2


def test_errors_leave_nothing_half_registered(catalog, tmp_path: Path) -> None:
    rid = kamshy(catalog)
    pdf = make_pdf(tmp_path / "kamshy.pdf", 2)
    jpg = make_image(tmp_path / "cover.jpg", "JPEG")

    def boom(*_a, **_k):
        raise RuntimeError("disk on fire")

    store = catalog.file_store()
    assert str(store).startswith(str(tmp_path))
    # a failure while the rows are being inserted: rolled back, staged copies removed
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(registry, "_bump", boom)
        with pytest.raises(RuntimeError):
            registry.add_object(catalog, rid, [pdf, jpg])
    assert _stored_files(catalog.file_store()) == []
    # a failure when renaming after the commit: the rows are removed again
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(filestore.os, "replace", lambda *_a: (_ for _ in ()).throw(OSError(28, "No space left")))
        with pytest.raises(CatalogError, match="nothing was registered"):
            registry.add_object(catalog, rid, [pdf, jpg])
    assert _stored_files(catalog.file_store()) == []
    with catalog.Session() as s:
        assert s.scalar(select(func.count()).select_from(DigitalObject)) == 0
        assert s.scalar(select(func.count()).select_from(DigitalFile)) == 0
    # a bad file among good ones: nothing registered, nothing copied
    (tmp_path / "notes.txt").write_text("not a scan")
    with pytest.raises(CatalogError):
        registry.add_object(catalog, rid, [pdf, tmp_path / "notes.txt"])
    with pytest.raises(CatalogError, match="no collection"):
        registry.add_object(catalog, rid, [pdf], collection="nope")
    assert _stored_files(catalog.file_store()) == []
    # and afterwards the same files register fine
    obj = registry.add_object(catalog, rid, [pdf, jpg])
    assert obj.pages == 3 and len(_stored_files(catalog.file_store())) == 2


def test_verify_detects_changed_and_missing_files(catalog, tmp_path: Path) -> None:
    rid = kamshy(catalog)
    registry.add_object(catalog, rid, [make_pdf(tmp_path / "a.pdf", 2)])
    registry.add_object(catalog, rid, [make_image(tmp_path / "b.png", "PNG")])
    checked, problems = registry.verify(catalog)
    assert (checked, problems) == (2, [])
    with catalog.Session() as s:
        f1, f2 = s.scalars(select(DigitalFile).order_by(DigitalFile.id)).all()
    path1 = filestore.resolve(catalog, f1.path)
    with open(path1, "ab") as fh:
        fh.write(b"\n% tampered")
    os.remove(filestore.resolve(catalog, f2.path))
    checked, problems = registry.verify(catalog)
    assert checked == 2
    assert [(p.file.id, p.status) for p in problems] == [(f1.id, "changed"), (f2.id, "missing")]


def test_csv_import_reports_bad_rows_and_keeps_good_ones(catalog, tmp_path: Path) -> None:
    kamshy(catalog)
    newspaper_article(catalog)
    make_pdf(tmp_path / "kamshy.pdf", 4)
    make_image(tmp_path / "article.jpg", "JPEG")
    make_image(tmp_path / "article2.tif", "TIFF", frames=2)
    (tmp_path / "readme.txt").write_text("x")
    (tmp_path / "scans.csv").write_text(
        "record,type,pages,lang,date,collection,file\n"
        "KZ-0001,book,,kaz,2023-02-01,,kamshy.pdf\n"
        "KZ-0002,,,,2023-03-01,,article.jpg;article2.tif\n"
        "NOPE-1,book,,,,,kamshy.pdf\n"
        "KZ-0001,magazine,,,,,kamshy.pdf\n"
        "KZ-0001,book,,,31.13.2023,,kamshy.pdf\n"
        "KZ-0001,book,,,,,missing.pdf\n"
        "KZ-0001,book,,,,,readme.txt\n"
        "KZ-0001,book,,,,,kamshy.pdf\n",
        encoding="utf-8",
    )
    result = registry.import_csv(catalog, tmp_path / "scans.csv")
    assert [o.pages for o in result.added] == [4, 3]
    assert result.added[1].type == "newspaper-article"
    lines = [where for where, _ in result.failed]
    assert lines == ["scans.csv:4", "scans.csv:5", "scans.csv:6", "scans.csv:7", "scans.csv:8", "scans.csv:9"]
    reasons = [r for _, r in result.failed]
    assert "NOPE-1" in reasons[0] and "magazine" in reasons[1] and "31.13.2023" in reasons[2]
    assert "missing.pdf" in reasons[3] and "already registered" in reasons[5]


def test_folder_import(catalog, tmp_path: Path) -> None:
    rid = kamshy(catalog)
    folder = tmp_path / "in"
    (folder / "KZ-0002").mkdir(parents=True)
    newspaper_article(catalog)
    make_pdf(folder / f"{rid}.pdf", 3)
    make_image(folder / "KZ-0002" / "p1.jpg", "JPEG")
    make_image(folder / "KZ-0002" / "p2.jpg", "JPEG", shade=10)
    make_pdf(folder / "unknown.pdf", 1)
    result = registry.import_folder(catalog, folder)
    assert sorted(o.pages for o in result.added) == [2, 3]
    assert [w for w, _ in result.failed] == ["unknown.pdf"]


def test_store_failure_after_commit_is_undone_for_objects_and_contract_scans(catalog, tmp_path: Path,
                                                                              monkeypatch) -> None:
    from libcat.catalog.models import Contract
    from libcat.digitize import contracts

    kamshy(catalog)
    pdf = make_pdf(tmp_path / "k.pdf", 2)

    def refuse(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(filestore.os, "replace", refuse)
    with pytest.raises(CatalogError, match=r"could not put the files into the file store \(No space left on device\)"):
        registry.add_object(catalog, "KZ-0001", [pdf])
    with pytest.raises(CatalogError, match="contract 1 saved, but its scan could not be stored: No space left"):
        contracts.add(catalog, holder="Кәрім Н.", signed=dt.date(2021, 3, 1), scan=pdf)
    with catalog.Session() as s:
        assert s.scalar(select(func.count()).select_from(DigitalObject)) == 0
        assert s.scalar(select(Contract.file_path)) is None
    assert _stored_files(filestore.root(catalog)) == []
    with pytest.raises(CatalogError, match="unknown scope 'publish-moon'; expected one of"):
        contracts.parse_scope("publish-site, publish-moon")
