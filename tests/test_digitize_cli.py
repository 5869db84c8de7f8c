"""The digitization commands end to end: digitize, collection, contract, rights, fund (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pymarc import Field, Indicators, Record, Subfield

from libcat.catalog.models import CatalogRecord
from libcat.catalog.store import open_catalog
from libcat.digitize import collections as colls
from libcat.digitize import funds
from libcat.marc.summary import summarize

from test_digitize_helpers import add_record, irbis_record, make_image, make_pdf


@pytest.fixture
def cli(run_cli):
    """run_cli against an initialised catalogue."""
    assert run_cli("init").exit_code == 0
    return run_cli


@pytest.fixture
def cat(cli, db_url: str):
    c = open_catalog(db_url)
    yield c
    c.engine.dispose()


def test_format_mb_and_materials() -> None:
    assert colls.summary_text(3, 566231, "ru") == "3 материала, 0,54 МБ"
    assert colls.summary_text(3, 566231, "kk") == "3 материал, 0,54 МБ"
    assert colls.summary_text(3, 566231, "en") == "3 materials, 0.54 MB"
    assert colls.summary_text(1, 0, "ru") == "1 материал, 0,00 МБ"
    assert colls.summary_text(11, 0, "ru").startswith("11 материалов")


def test_digitize_collection_and_list(cli, cat, tmp_path: Path) -> None:
    rid = add_record(cat, irbis_record("Қамшы", cn="KZ-0001", author=("Кәрім", "Н."), dates="1940-2020"))
    r = cli("collection", "add", "Қарағанды суретшілері", "--ru", "Художники Караганды", "--kk", "Қарағанды суретшілері")
    assert r.exit_code == 0, r.output
    assert cli("collection", "add", "Қарағанды суретшілері").exit_code == 1
    pdf = make_pdf(tmp_path / "kamshy.pdf", 5)
    r = cli("digitize", "add", "--record", "KZ-0001", "--date", "2023-04-05", "--collection", "Қарағанды суретшілері", str(pdf))
    assert r.exit_code == 0, r.output
    assert "book, kaz, 5 pages, 1 file(s)" in r.output
    r = cli("digitize", "add", "--record", "KZ-0001", str(pdf))
    assert r.exit_code == 1 and "already registered for record" in r.output
    assert "Traceback" not in r.output
    r = cli("--lang", "ru", "digitize", "add", "--record", "KZ-0001", str(pdf))
    assert r.exit_code == 1 and "уже зарегистрирован" in r.output
    r = cli("digitize", "list", "--year", "2023")
    assert r.exit_code == 0 and r.output.count("\n") == 1 and "Қамшы" in r.output and f"\t{rid}\t" in r.output
    assert cli("digitize", "list", "--year", "2022").output == ""
    r = cli("--lang", "kk", "collection", "list")
    assert r.output.strip() == f"Қарағанды суретшілері\t1 материал, {colls.format_mb(pdf.stat().st_size, 'kk')} МБ"
    r = cli("digitize", "verify")
    assert r.exit_code == 0 and "checked 1 file(s): 0 missing, 0 changed" in r.output
    for f in cat.file_store().rglob("*.pdf"):
        f.write_bytes(b"%PDF-1.4 changed")
    r = cli("digitize", "verify")
    assert r.exit_code == 1 and "changed: object" in r.output


def test_import_csv_exit_status(cli, cat, tmp_path: Path) -> None:
    add_record(cat, irbis_record("Қамшы", cn="KZ-0001"))
    make_image(tmp_path / "p.png", "PNG")
    (tmp_path / "d.csv").write_text("record;file;lang\nKZ-0001;p.png;kaz\nKZ-9999;p.png;kaz\n", encoding="utf-8")
    r = cli("digitize", "import", str(tmp_path / "d.csv"))
    assert r.exit_code == 1
    assert "d.csv:3: not registered: no record 'KZ-9999'" in r.output
    assert "registered 1 digital object(s), 1 failed" in r.output


def test_fund_categories_and_override(cli, cat) -> None:
    rare = add_record(cat, irbis_record("Ескі қолжазба", cn="R-1"), subcat="rare")
    lore = irbis_record("Балқаш", cn="L-1", extra=[
        Field("629", indicators=Indicators(" ", " "), subfields=[Subfield("b", "Местное изд.")]),
        Field("102", indicators=Indicators(" ", " "), subfields=[Subfield("*", "KZ")]),
    ])
    lore_id = add_record(cat, lore)
    geo = irbis_record("Жер", cn="G-1", extra=[
        Field("607", indicators=Indicators(" ", " "), subfields=[Subfield("a", "Қазақстан")])])
    geo_id = add_record(cat, geo)
    with cat.Session() as s:
        c = funds.derive(s.get(CatalogRecord, rare))
        assert (c.rare, c.local_lore, c.kazakhstan) == (True, False, False)
        c = funds.derive(s.get(CatalogRecord, lore_id))
        assert (c.rare, c.local_lore, c.kazakhstan) == (False, True, True)
        assert c.sources == {"local-lore": "field 629", "kazakhstan": "field 102"}
        assert funds.derive(s.get(CatalogRecord, geo_id)).kazakhstan
    r = cli("digitize", "fund", "L-1", "--no-local-lore", "--rare")
    assert r.exit_code == 0
    assert r.output.splitlines() == ["rare\tyes\tset by hand", "local-lore\tno\tset by hand", "kazakhstan\tyes\tfield 102"]
    r = cli("digitize", "fund", "L-1", "--auto", "local-lore")
    assert "local-lore\tyes\tfield 629" in r.output and "rare\tyes\tset by hand" in r.output
    with cat.Session() as s:
        t = funds.totals(s)
    assert t["all"] == (3, 0) and t["rare"] == (2, 0) and t["local-lore"] == (1, 0) and t["kazakhstan"] == (2, 0)
    marc = Record()
    marc.add_field(Field("001", data="M-886"))
    marc.add_field(Field("245", indicators=Indicators("1", "0"), subfields=[Subfield("a", "Іле өңірі")]))
    marc.add_field(Field("886", indicators=Indicators("2", " "), subfields=[
        Subfield("2", "rusmarc"), Subfield("a", "629"), Subfield("b", "##"), Subfield("b", "Алматы облысы")]))
    marc_id = add_record(cat, marc, flavour="marc21")
    with cat.Session() as s:  # the mark as the MARC 21 export keeps it
        c = funds.derive(s.get(CatalogRecord, marc_id))
        assert c.local_lore and c.sources == {"local-lore": "field 886"}


def test_marc21_kazakhstan_fields() -> None:
    rec = Record()
    rec.add_field(Field("008", data="200101s2019    kz            000 0 kaz d"))
    assert summarize(rec, "marc21").kazakhstan == "008/15-17"
    rec = Record()
    rec.add_field(Field("043", indicators=Indicators(" ", " "), subfields=[Subfield("a", "a-kz---")]))
    assert summarize(rec, "marc21").kazakhstan == "043"
    rec = Record()
    rec.add_field(Field("651", indicators=Indicators(" ", "0"), subfields=[Subfield("a", "Kazakhstan"), Subfield("x", "History")]))
    assert summarize(rec, "marc21").kazakhstan == "651"
    rec = Record()
    rec.add_field(Field("102", indicators=Indicators(" ", " "), subfields=[Subfield("a", "KZ")]))
    assert summarize(rec, "unimarc").kazakhstan == "102"


def test_import_binary_file_is_a_one_line_error(cli, tmp_path: Path) -> None:
    junk = tmp_path / "junk.bin"
    junk.write_bytes(bytes([0x98, 0x00, 0xFF, 0x81]) * 64)
    r = cli("digitize", "import", str(junk))
    assert r.exit_code == 1
    assert r.output.strip() == f"libcat: error: {junk}: not a CSV file (binary data, or text neither UTF-8 nor Windows-1251)"
    text = tmp_path / "undecodable.csv"
    text.write_bytes("record;file\nKZ-0001;p.png\n".encode("utf-8") + b"\x98\n")
    r = cli("--lang", "kk", "digitize", "import", str(text))
    assert r.exit_code == 1 and r.output.strip().endswith("CSV файлы емес (екілік деректер немесе UTF-8 те, Windows-1251 де емес мәтін)")


def test_import_cp1251_csv(cli, cat, tmp_path: Path) -> None:
    add_record(cat, irbis_record("Қамшы", cn="KZ-0001"))
    make_image(tmp_path / "p.png", "PNG")
    (tmp_path / "d.csv").write_bytes("record;file;collection\nKZ-0001;p.png;Краеведение\n".encode("cp1251"))
    r = cli("digitize", "import", str(tmp_path / "d.csv"))
    assert r.exit_code == 0, r.output
    assert "registered 1 digital object(s)" in r.output and "Краеведение" in r.output
