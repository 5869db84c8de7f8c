"""Validation rules per flavour: codes, severities, messages in three languages, speed."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from pymarc import Field, Indicators, Record, Subfield

from libcat.marc.flavour import IRBIS, MARC21, UNIMARC, set_flavour
from libcat.marc.validate import ERROR, WARNING, finding, has_errors, languages, validate


def _marc21(*fields: Field, leader: str = "00000nam a2200000 i 4500") -> Record:
    rec = Record(leader=leader)
    for f in fields:
        rec.add_field(f)
    return set_flavour(rec, MARC21)


def _df(tag: str, ind: str = "  ", *pairs: tuple[str, str]) -> Field:
    return Field(tag=tag, indicators=Indicators(ind[0], ind[1]), subfields=[Subfield(c, v) for c, v in pairs])


def _good_marc21() -> Record:
    return _marc21(
        Field(tag="001", data="kz-1"),
        Field(tag="008", data="240101s2023    kz            000 0 kaz d"),
        _df("020", "  ", ("a", "978-601-7000-00-4")),
        _df("041", "0 ", ("a", "kaz"), ("a", "rus")),
        _df("245", "10", ("a", "Абай жолы")),
        _df("260", "  ", ("a", "Алматы"), ("c", "2023")),
    )


def _codes(findings) -> list[str]:
    return [f.code for f in findings]


def test_clean_marc21_record_has_no_findings():
    assert validate(_good_marc21()) == []


def test_marc21_rules():
    rec = _marc21(
        Field(tag="008", data="241399s2999    kz            000 0 xyz d"),
        _df("020", "  ", ("a", "978-601-7000-00-5")),
        _df("022", "  ", ("a", "0134-0906")),
        _df("041", "0 ", ("a", "kazqqq")),
        _df("245", "19", ("b", "без заглавия"), ("b", "ещё")),
        _df("245", "1Q", ("a", "T")),
        _df("500", "  ", ("a", "  ")),
        _df("260", "  ", ("c", "3024")),
        _df("650", " 4", ("A", "x")),
        _df("653", "  ", ("a", "bad\x1bchar")),
    )
    codes = _codes(validate(rec, position=7))
    for code in ("missing-control-number", "isbn-checksum", "issn-checksum", "bad-date", "impossible-year",
                 "unknown-language", "duplicate-field", "duplicate-subfield", "empty-field", "bad-indicator",
                 "bad-subfield-code", "invalid-xml-char"):
        assert code in codes, code
    found = {f.code: f for f in validate(rec, position=7)}
    assert found["invalid-xml-char"].tag == "653" and found["invalid-xml-char"].args["value"] == "001B"
    assert found["isbn-checksum"].severity == WARNING and found["isbn-checksum"].position == 7
    assert found["duplicate-field"].tag == "245" and found["duplicate-field"].args["count"] == 2
    langs = {f.args["value"] for f in validate(rec) if f.code == "unknown-language"}
    assert langs == {"xyz", "qqq"}


def test_missing_leader_and_title():
    rec = Record()
    rec.add_field(Field(tag="001", data="1"))
    set_flavour(rec, MARC21)
    assert _codes(validate(rec)) == ["missing-leader", "missing-title"]
    assert has_errors(validate(rec))


def test_messages_in_three_languages():
    f = finding("isbn-checksum", 3, "020", "a", value="978-601-7000-00-5")
    assert f.message("en") == "ISBN 978-601-7000-00-5 has a wrong check digit"
    assert f.message("ru") == "неверная контрольная цифра в ISBN 978-601-7000-00-5"
    assert f.message("kk") == "ISBN 978-601-7000-00-5 бақылау цифры қате"
    assert finding("empty-field", 1, "500").message("kk") == "500 өрісі бос"
    assert finding("duplicate-field", 1, "200", count=2).message("ru") == "поле 200 неповторяемое, но встречается 2 раз(а)"


def test_language_list_has_the_local_languages():
    assert {"kaz", "rus", "eng", "uzb", "kir", "tat", "uig", "ger", "deu", "und", "mul", "zxx"} <= languages()


def test_unimarc_rules_from_the_rusmarc_dictionary():
    rec = Record(leader="00000nam0 2200000   450 ")
    rec.add_field(Field(tag="001", data="x"))
    rec.add_field(_df("010", "  ", ("a", "5-7443-0043-0")))
    rec.add_field(_df("100", "  ", ("a", "20021121d2002    u  y0rusy0189    ca")))
    rec.add_field(_df("101", "3 ", ("a", "rus"), ("a", "qaz")))
    rec.add_field(_df("200", "1 ", ("a", "Заглавие"), ("v", "1"), ("v", "2"), ("y", "?")))
    rec.add_field(_df("700", " 1", ("a", "Иванов")))
    rec.add_field(_df("700", " 1", ("a", "Петров")))
    rec.add_field(_df("801", " 0", ("a", "RU")))
    set_flavour(rec, UNIMARC)
    found = {(f.code, f.tag, f.subfield) for f in validate(rec)}
    assert ("undefined-indicator", "101", None) in found
    assert ("unknown-language", "101", "a") in found
    assert ("duplicate-subfield", "200", "v") in found
    assert ("undefined-subfield", "200", "y") in found
    assert ("duplicate-field", "700", None) in found
    assert not any(code.startswith("isbn") for code, _, _ in found)


def test_unimarc_volume_title_in_461_is_enough():
    rec = Record(leader="00000nam2 2200000   450 ")
    rec.add_field(Field(tag="001", data="x"))
    rec.add_field(_df("100", "  ", ("a", "20021121d2002    u  y0rusy0189    ca")))
    rec.add_field(_df("200", "0 ", ("v", "Т. 2")))
    rec.add_field(_df("461", " 0", ("1", "2001 "), ("a", "Собрание")))
    rec.add_field(_df("801", " 0", ("b", "NLR")))
    set_flavour(rec, UNIMARC)
    assert validate(rec) == []


def _irbis(*fields: Field) -> Record:
    rec = Record()
    for f in fields:
        rec.add_field(f)
    return set_flavour(rec, IRBIS)


def test_irbis_light_rules():
    good = _irbis(_df("200", "  ", ("a", "Заглавие")), _df("920", "  ", ("*", "PAZK")),
                  _df("907", "  ", ("c", "ПК"), ("a", "20240131"), ("b", "")), _df("101", "  ", ("*", "kaz")),
                  _df("481", "  ", ("?", "Sue"), (",", "x")))
    assert validate(good) == []
    bad = _irbis(_df("200", "  ", ("f", "автор")), _df("920", "  ", ("*", "XYZ")),
                 _df("907", "  ", ("a", "20241345")), _df("101", "  ", ("*", "kk")),
                 _df("010", "  ", ("a", "5-7443-0043-1")))
    assert _codes(validate(bad)) == ["missing-title", "unknown-worksheet", "bad-date", "unknown-language",
                                     "isbn-checksum"]
    assert _codes(validate(_irbis(_df("200", "  ", ("a", "x"))))) == ["missing-worksheet"]


def test_corpus_rusmarc_file_has_only_known_problems(corpus):
    from libcat.marc.io import read

    findings = [f for item in read(corpus / "irbis/rusmarc_nlr_81records_cp1251.iso")
                for f in validate(item.record, item.flavour, item.position)]
    assert [f for f in findings if f.severity == ERROR] == []
    checksums = [(f.position, f.code, f.tag) for f in findings if f.code == "isbn-checksum"]
    assert checksums == [(36, "isbn-checksum", "010")]


def test_fast_enough_for_the_importer(corpus):
    from libcat.marc.io import read

    records = [(item.record, item.flavour) for item in read(corpus / "irbis/rusmarc_nlr_81records_cp1251.iso")]
    batch = records * 25
    start = time.perf_counter()
    for rec, flavour in batch:
        validate(rec, flavour)
    per_record = (time.perf_counter() - start) / len(batch)
    start = time.perf_counter()
    for rec, _ in batch:
        for f in rec.fields:
            if not f.is_control_field():
                for _code, _value in f.subfields:
                    pass
    floor = (time.perf_counter() - start) / len(batch)
    assert per_record < 1e-3, f"{per_record * 1e6:.0f} µs per record"
    assert per_record < 40 * floor, f"{per_record * 1e6:.0f} µs per record, {floor * 1e6:.1f} µs just to walk it"
