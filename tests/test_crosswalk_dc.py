"""Dublin Core from MARC 21, RUSMARC and IRBIS records."""

from __future__ import annotations

from pathlib import Path

from pymarc import Field, Indicators, Record, Subfield

from libcat.marc.crosswalk import dc_links, to_dc
from libcat.marc.flavour import MARC21, set_flavour


def _read(path: Path) -> list[Record]:
    from libcat.marc.io import read

    return [item.record for item in read(path) if item.record is not None]


def _values(dc: list[tuple[str, str]], element: str) -> list[str]:
    return [v for e, v in dc if e == element]


def test_rusmarc_record_to_dc(corpus):
    records = _read(corpus / "irbis/rusmarc_nlr_81records_cp1251.iso")
    rec = next(r for r in records if r["001"].data == "RU\\NLR\\bibl\\341772")
    dc = to_dc(rec)
    assert _values(dc, "title") == ["О судебных приставах : Федер. закон"]
    assert _values(dc, "creator") == ["Российская Федерация"]
    subjects = _values(dc, "subject")
    assert "Судебные приставы -- Российская Федерация -- Законодательные материалы" in subjects
    assert "UDC 347.96(470)(094.5)" in subjects and "BBK 67.71" in subjects and "GRNTI 10.31" in subjects
    assert _values(dc, "publisher") == ["Ось-89"]
    assert _values(dc, "date") == ["2002"]
    assert _values(dc, "type") == ["Text"]
    assert _values(dc, "format") == ["63,[1] с. ; 21"]
    assert _values(dc, "identifier") == ["ISBN 5-86894-544-1"]
    assert _values(dc, "language") == ["rus"]
    assert _values(dc, "coverage") == ["Российская Федерация"]
    assert [e for e, _ in dc][0] == "title"


def test_irbis_article_to_dc_has_source_and_annotation(corpus):
    asp = _read(corpus / "irbis/irbis_plaintext_3records_utf8.txt")[1]
    dc = to_dc(asp)
    assert _values(dc, "title") == ["Передовые охотники"]
    assert _values(dc, "creator") == ["Ведерников, И."]
    assert _values(dc, "source") == ["Восточно-Сибирская правда. - Иркутск, 1942. - № 14 (17 янв.). - 2"]
    assert _values(dc, "description")[0].startswith("Охотники Братского района")
    assert "BBK 63.3(2)622" in _values(dc, "subject")
    assert _values(dc, "date") == ["1942"]


def _marc21_with_links() -> Record:
    rec = Record(leader="00000nam a2200000 i 4500")
    rec.add_field(Field(tag="008", data="240101s2023    kz            000 0 kaz d"))
    rec.add_field(Field(tag="020", indicators=Indicators(" ", " "), subfields=[Subfield("a", "9786010000000 (тысл.)")]))
    rec.add_field(Field(tag="041", indicators=Indicators("0", " "), subfields=[Subfield("a", "kaz"), Subfield("a", "rus")]))
    rec.add_field(Field(tag="245", indicators=Indicators("0", "0"), subfields=[Subfield("a", "Өлкетану /"),
                                                                               Subfield("c", "құраст. А. Б.")]))
    rec.add_field(Field(tag="506", indicators=Indicators(" ", " "), subfields=[Subfield("a", "Авторлық шарт бойынша")]))
    rec.add_field(Field(tag="700", indicators=Indicators("1", " "), subfields=[Subfield("a", "Сейітов, А.")]))
    rec.add_field(Field(tag="856", indicators=Indicators("4", "0"), subfields=[Subfield("u", "http://example.kz/1.pdf")]))
    return set_flavour(rec, MARC21)


def test_links_only_when_asked():
    rec = _marc21_with_links()
    plain = to_dc(rec)
    assert "http://example.kz/1.pdf" not in _values(plain, "identifier")
    assert _values(plain, "identifier") == ["ISBN 9786010000000"]
    assert _values(plain, "language") == ["kaz", "rus"]
    assert _values(plain, "rights") == ["Авторлық шарт бойынша"]
    assert _values(plain, "contributor") == ["Сейітов, А."]
    assert _values(plain, "title") == ["Өлкетану"]
    assert "http://example.kz/1.pdf" in _values(to_dc(rec, include_links=True), "identifier")
    assert dc_links(rec) == ["http://example.kz/1.pdf"]
