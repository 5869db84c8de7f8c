"""The digitization commands end to end: digitize, collection, contract, rights, fund (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pymarc import Field, Indicators, Record, Subfield

from libcat.catalog.models import CatalogRecord
from libcat.catalog.store import open_catalog
from libcat.cli import digitize as digitize_cli
from libcat.cli import main
from libcat.digitize import collections as colls
from libcat.digitize import funds

from test_digitize_helpers import add_record, irbis_record, make_image, make_pdf


@pytest.fixture
def cli(run_cli, db_url: str):
    """run_cli with the digitization commands registered and an initialised catalogue."""
    digitize_cli.register(main)
    digitize_cli.register(main)  # registering twice is harmless
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


def test_contracts_and_rights_commands(cli, cat, tmp_path: Path) -> None:
    rid = add_record(cat, irbis_record("Қамшы", cn="KZ-0001", author=("Кәрім", "Н.")))
    cli("digitize", "add", "--record", str(rid), str(make_pdf(tmp_path / "k.pdf", 2)))
    scan = make_pdf(tmp_path / "contract.pdf", 1)
    r = cli("contract", "add", "--holder", "Кәрім Н.", "--signed", "2021-03-01", "--until", "2099-12-31",
            "--record", "KZ-0001", "--scope", "publish-site", "--number", "7/2021", "--file", str(scan))
    assert r.exit_code == 0, r.output
    r = cli("contract", "add", "--holder", "Кәрім Н.", "--signed", "2024-02-01", "--renewal-of", "1",
            "--scope", "publish-site,publish-aggregator")
    assert r.exit_code == 0 and "(1 record(s), scope publish-site,publish-aggregator)" in r.output
    assert cli("contract", "add", "--holder", "X", "--signed", "2024-02-01", "--scope", "print").exit_code == 1
    assert cli("contract", "add", "--holder", "X", "--signed", "2024-02-01", "--until", "2023-01-01").exit_code == 1
    r = cli("contract", "show", "1")
    assert "renewed by:\t2" in r.output and "scan:\tcontracts/" in r.output and "KZ-0001" in r.output
    assert cli("contract", "show", "99").exit_code == 1
    assert [ln.split("\t")[0] for ln in cli("contract", "list", "--year", "2024").output.splitlines()] == ["2"]
    assert cli("contract", "list", "--expiring", "30").output == ""
    r = cli("rights", "KZ-0001", "--scope", "publish-aggregator")
    assert r.exit_code == 0 and "publish-aggregator\tallowed\tcontract #2 with Кәрім Н. (from 2024-02-01, open-ended)" in r.output
    r = cli("rights", "KZ-0001", "--date", "2023-01-01")
    assert "publish-aggregator\tnot allowed" in r.output and "publish-site\tallowed" in r.output
    r = cli("rights", "KZ-0001", "--death-year", "1930", "--date", "2023-01-01", "--scope", "publish-aggregator")
    assert "allowed\tpublic domain since 2001-01-01: the author died in 1930 (set by hand)" in r.output
    r = cli("--lang", "ru", "rights", "KZ-0001", "--clear-death-year", "--own-publication", "--scope", "digitize")
    assert "digitize\tразрешено\tсобственное издание библиотеки" in r.output


def test_contract_expiring(cli, cat) -> None:
    add_record(cat, irbis_record("Қамшы", cn="KZ-0001"))
    soon = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    later = (dt.date.today() + dt.timedelta(days=100)).isoformat()
    cli("contract", "add", "--holder", "A", "--signed", "2020-01-01", "--until", soon, "--record", "KZ-0001")
    cli("contract", "add", "--holder", "B", "--signed", "2020-01-01", "--until", later)
    cli("contract", "add", "--holder", "C", "--signed", "2020-01-01", "--until", "2021-01-01")
    out = cli("contract", "list", "--expiring", "30").output
    assert [ln.split("\t")[5] for ln in out.splitlines()] == ["A"]
    statuses = [ln.split("\t")[4] for ln in cli("contract", "list").output.splitlines()]
    assert statuses == ["active", "active", "expired"]


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


def test_marc21_kazakhstan_fields() -> None:
    rec = Record()
    rec.add_field(Field("008", data="200101s2019    kz            000 0 kaz d"))
    assert funds._kazakhstan_field(rec, "marc21") == "008/15-17"
    rec = Record()
    rec.add_field(Field("043", indicators=Indicators(" ", " "), subfields=[Subfield("a", "a-kz---")]))
    assert funds._kazakhstan_field(rec, "marc21") == "043"
    rec = Record()
    rec.add_field(Field("651", indicators=Indicators(" ", "0"), subfields=[Subfield("a", "Kazakhstan"), Subfield("x", "History")]))
    assert funds._kazakhstan_field(rec, "marc21") == "651"
    rec = Record()
    rec.add_field(Field("102", indicators=Indicators(" ", " "), subfields=[Subfield("a", "KZ")]))
    assert funds._kazakhstan_field(rec, "unimarc") == "102"
