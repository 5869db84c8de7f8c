"""Sub-catalogues through export and re-import into an empty catalogue (SQLite and PostgreSQL).

The reviewer's bug: a local-lore record (IRBIS 629) exported as RUSMARC or MARC 21 came back as a book.
The mark now travels (RUSMARC 629, MARC 21 886 $2 rusmarc $a 629), the profile rules read it in every
flavour, and a record put into local lore by hand goes out with the mark.
"""

from __future__ import annotations

import io

import pytest
from pymarc import Field, Indicators, Subfield
from sqlalchemy import select

from libcat import i18n
from libcat.catalog import export as ex
from libcat.catalog import importer as imp
from libcat.catalog.models import CatalogRecord, Subcatalog
from libcat.kabis import classify
from libcat.marc.crosswalk import convert
from libcat.marc.crosswalk.common import has_local_lore_mark
from libcat.marc.fieldindex import index
from libcat.marc.flavour import IRBIS, MARC21, UNIMARC
from test_export_holdings import empty_target  # noqa: F401 (fixture)
from test_import_helpers import irbis, items, marc

PAIRS = [(fmt, flavour) for fmt in ex.FORMATS for flavour in ex.FLAVOURS
         if fmt != "irbis" or flavour in ("keep", "irbis")]
MARK = "Местное изд. с краеведческим материалом"


def _lore() -> list:
    """A Kazakh local-lore record about Қарағанды облысы with its IRBIS 629 mark, as catalogued."""
    return irbis([
        ("920", [("*", "PAZK")]), ("101", [("*", "kaz")]), ("903", [("*", "63.3(5Каз)/Қ 18-1")]),
        ("200", [("a", "Қарағанды облысының тарихы"), ("e", "өлкетану очерктері")]),
        ("210", [("a", "Қарағанды"), ("c", "Болашақ-Баспа"), ("d", "2019")]),
        ("606", [("a", "Қарағанды облысы"), ("b", "тарихы")]), ("629", [("b", MARK)]),
        ("907", [("c", "ПК"), ("a", "20190304"), ("b", "Айгүл")]), ("910", [("a", "0"), ("b", "K-100"), ("d", "ЦБ")]),
    ])


def _fill(catalog) -> None:
    """The 629 record, an IRBIS e-book (a file, no copy), and records put into sub-catalogues by hand."""
    ebook = irbis([("920", [("*", "PAZK")]), ("101", [("*", "kaz")]), ("903", [("*", "E-1")]),
                   ("200", [("a", "Сарыарқа жырлары")]), ("951", [("i", "https://csmb.kz/e/saryarqa.pdf")]),
                   ("907", [("c", "ПК"), ("a", "20200101"), ("b", "Айгүл")])])
    imp.import_items(catalog, items([_lore(), ebook]), imp.ImportOptions(source="A"))
    theirs = irbis([("920", [("*", "PAZK")]), ("200", [("a", "Теміртау: қала тарихы")]), ("903", [("*", "L-2")])])
    imp.import_items(catalog, items([theirs, marc("m-lore", "Балқаш өңірі", isbn=None)]),
                     imp.ImportOptions(source="A", into="local-lore"))


def _subcats(catalog) -> dict[str, str]:
    with catalog.Session() as s:
        q = (select(CatalogRecord.control_number, Subcatalog.code).join(Subcatalog, isouter=True)
             .where(CatalogRecord.deleted_at.is_(None)))
        return dict(s.execute(q).all())


@pytest.mark.parametrize("fmt,flavour", PAIRS)
def test_local_lore_and_e_books_come_back_in_their_sub_catalogues(catalog, empty_target, tmp_path, fmt, flavour):
    _fill(catalog)
    before = _subcats(catalog)
    assert before == {"63.3(5Каз)/Қ 18-1": "local-lore", "E-1": "e-books", "L-2": "local-lore",
                      "m-lore": "local-lore"}
    buf = io.BytesIO()
    report = ex.export(catalog, buf, ex.ExportOptions(fmt=fmt, flavour=flavour))
    assert report.written == 4
    assert not [p for p in report.problems if i18n.t("export.what.subcat") in p["message"]], report.problems
    path = tmp_path / f"out-{fmt}-{flavour}"
    path.write_bytes(buf.getvalue())
    back = imp.import_files(empty_target, [path], imp.ImportOptions(source="A", fmt=fmt))
    assert back.rejected == 0 and back.added == 4, back.problems
    assert _subcats(empty_target) == before


def test_the_mark_text_crosses_rusmarc_and_marc21_and_comes_back():
    rusmarc, _ = convert(_lore(), "rusmarc")
    assert [(f.indicators, f.get_subfields("b")) for f in rusmarc.get_fields("629")] == [(Indicators(" ", " "), [MARK])]
    marc21, warnings = convert(rusmarc, "marc21")
    assert not [w for w in warnings if "629" in w], warnings
    (f886,) = marc21.get_fields("886")
    assert [(sf.code, sf.value) for sf in f886] == [("2", "rusmarc"), ("a", "629"), ("b", "  "), ("b", MARK)]
    assert f886.indicator1 == "2"
    again, warnings = convert(marc21, "rusmarc")
    assert not [w for w in warnings if "886" in w], warnings
    assert [f.get_subfields("b") for f in again.get_fields("629")] == [[MARK]] and not again.get_fields("886")
    irb, _ = convert(marc21, "irbis")
    assert [f.get_subfields("b") for f in irb.get_fields("629")] == [[MARK]]
    rules = classify.load()
    each = ((rusmarc, UNIMARC), (marc21, MARC21), (again, UNIMARC), (irb, IRBIS))
    assert [rules.classify(r, fl) for r, fl in each] == ["local-lore"] * 4
    assert [has_local_lore_mark(index(r), fl) for r, fl in each] == [True] * 4


def test_an_886_from_another_format_is_no_local_lore_mark():
    record = marc("u1", "Абай жолы")
    record.add_field(Field("886", Indicators("2", " "), [Subfield("2", "ukmarc"), Subfield("a", "629"),
                                                         Subfield("b", "  "), Subfield("b", MARK)]))
    out, warnings = convert(record, "rusmarc")
    assert not out.get_fields("629") and any("886" in w for w in warnings)
    assert classify.load().classify(out, UNIMARC) == "books"
    assert not has_local_lore_mark(index(record), MARC21) and not has_local_lore_mark(index(out), UNIMARC)


@pytest.mark.parametrize("lang,told", [
    ("en", "sub-catalogue rare is not carried to MARC 21: the record reads back as books"),
    ("ru", "подкаталог rare не переносится в MARC 21: запись читается обратно как books"),
    ("kk", "ішкі каталог rare MARC 21 форматына көшпейді: жазба кері books болып оқылады"),
])
def test_a_rare_book_put_there_by_hand_is_told_even_in_its_own_flavour(catalog, lang, told):
    """The profile has no rare-book mark: the export cannot carry it and says so, also with --flavour keep."""
    imp.import_items(catalog, items([marc("r1", "Қарқаралы қолжазбасы", year=1890)]),
                     imp.ImportOptions(source="A", into="rare"))
    report = ex.export(catalog, io.BytesIO(), ex.ExportOptions(fmt="iso2709", flavour="keep", lang=lang))
    assert [p["message"] for p in report.problems] == [told]
