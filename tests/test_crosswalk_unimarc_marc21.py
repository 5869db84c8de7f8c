"""UNIMARC/RUSMARC <-> MARC 21 crosswalk on the real corpus: mapped values, warnings, MARCXML validity."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from lxml import etree
from pymarc import Field, Indicators, Record, Subfield

from libcat.marc.crosswalk import convert, to_marc21, to_unimarc
from libcat.marc.crosswalk.common import embedded_fields, strip_isbd
from libcat.marc.flavour import MARC21, UNIMARC, set_flavour

NLR = "irbis/rusmarc_nlr_81records_cp1251.iso"
NEB = "marc/ndlrf-rnd__neb-catalog/src/formats"


def _read(path: Path) -> list[Record]:
    from libcat.marc.io import read

    return [item.record for item in read(path) if item.record is not None]


@pytest.fixture(scope="module")
def nlr(corpus: Path) -> list[Record]:
    records = _read(corpus / NLR)
    assert len(records) == 81
    return records


def _by_id(records: list[Record], control: str) -> Record:
    return next(r for r in records if r["001"].data == control)


def _sub(rec: Record, tag: str, code: str) -> list[str]:
    return [v for f in rec.get_fields(tag) for v in f.get_subfields(code)]


def test_nlr_volume_record_maps_core_fields(nlr):
    rec, warnings = convert(_by_id(nlr, "RU\\NLR\\bibl\\3415"), "marc21")
    assert rec.flavour == MARC21
    assert str(rec.leader)[5:8] == "nam"
    assert rec["008"].data[:15] == "980716s1997    "
    assert rec["008"].data[15:18] == "ru " and rec["008"].data[35:38] == "rus"
    assert _sub(rec, "020", "a") == ["5-7443-0043-0"]
    assert _sub(rec, "245", "a") == ["Вып. 13."]
    assert _sub(rec, "300", "a") == ["80 с. :"] and _sub(rec, "300", "b") == ["ил., портр."]
    host = rec["773"]
    assert host.get("t") == "Задачи и этюды" and host.get("g") == "Вып. 13" and host.get("w") == "RU\\NLR\\bibl\\5996"
    assert rec["040"].get("a") == "NLR" and rec["040"].get("e") == "psbo"
    assert [str(f) for f in rec.get_fields("852")] == ["=852  \\\\$81$bNLR$j97-4/119"]
    assert "UNIMARC subfield 010$9 not mapped to MARC 21" in warnings


def test_nlr_law_record_names_subjects_classification(nlr):
    rec, warnings = to_marc21(_by_id(nlr, "RU\\NLR\\bibl\\341772"))
    assert rec["110"].get("a") == "Российская Федерация" and rec["110"].indicator1 == "1"
    assert rec["110"].get("4") == "aut"
    assert rec["245"].indicators == Indicators("1", "0")
    assert _sub(rec, "245", "a") == ["О судебных приставах :"] and _sub(rec, "245", "b") == ["Федер. закон"]
    assert _sub(rec, "250", "a") == ["[3-е изд.]"]
    assert [f.value() for f in rec.get_fields("260")] == ["М. : Ось-89, 2002"]
    assert _sub(rec, "490", "a") == ["Актуальный закон"]
    subjects = rec.get_fields("650")
    assert subjects[0].get("a") == "Судебные приставы" and subjects[0].get("z") == "Российская Федерация"
    assert subjects[0].get("v") == "Законодательные материалы" and subjects[0].indicator2 == "7"
    assert _sub(rec, "080", "a") == ["347.96(470)(094.5)"]
    bbk = [f for f in rec.get_fields("084") if f.get("2") == "rubbk"]
    assert [f.get("a") for f in bbk] == ["67.71", "Х629.011-75-39(2Р)", "Х629.217.7-39(2Р)"]
    assert any(f.get("2") == "rugasnti" and f.get("a") == "10.31" for f in rec.get_fields("084"))
    assert rec["040"].get("d") == "NLR"
    assert "UNIMARC subfield 686$v not mapped to MARC 21 (2 times)" in warnings


def test_personal_names_and_relators(nlr):
    rec, _ = to_marc21(_by_id(nlr, "RU\\NLR\\bibl\\5996"))
    added = rec["700"]
    assert added.get("a") == "Барсуков, В. Н." and added.get("4") == "edt" and added.indicator1 == "1"
    assert added.get("0") == "RU\\NLR\\auth\\773539"


def test_every_nlr_record_converts_with_a_title(nlr):
    for src in nlr:
        rec, warnings = to_marc21(src)
        assert rec.get("245") is not None and rec["245"].get("a"), src["001"].data
        assert len(rec["008"].data) == 40
        assert all("not mapped" in w or "relator" in w for w in warnings)


def test_matches_the_russian_state_library_conversion(corpus):
    base = corpus / NEB / "marc/__tests__/data/ISBN-978-5-901202-50-0"
    ours, _ = to_marc21(_read(base / "01003120729.iso")[0])
    rsl = _read(base / "01003120729.mrc")[0]
    for tag, code in (("020", "a"), ("080", "a"), ("084", "a"), ("260", "b"), ("041", "a")):
        assert [strip_isbd(v) for v in _sub(ours, tag, code)] == _sub(rsl, tag, code), tag
    assert ours["008"].data[:15] == rsl["008"].data[:15]
    assert ours["008"].data[18:20] == rsl["008"].data[18:20] == "ab"
    assert ours["245"]["a"].rstrip(" :") == rsl["245"]["a"].rstrip(" :")
    assert ours["700"]["a"] == "Калинин, С. Ю." and ours["700"]["q"] == "(Сергей Юрьевич)"
    assert ours["700"]["4"] == "com"


def test_multipart_record_components_become_774(corpus):
    src = _read(corpus / NEB / "__tests__/history_xvii/RuMoRGB/01002988236_rusmarc.iso")[0]
    rec, _ = to_marc21(src)
    parts = rec.get_fields("774")
    assert len(parts) == 11
    assert parts[0].get("g") == "Ч. 1" and parts[0].get("d") == "1804"
    assert rec["008"].data[6:15] == "m18041807"
    assert rec["600"].get("a") == "Екатерина" and rec["600"].get("b") == "II"
    assert len(rec.get_fields("500")) == 11


def test_unimarc_nonsorting_characters_set_245_ind2(corpus):
    src = _read(corpus / "marc/edsu__pymarc/test/testunimarc.dat")[0]
    rec, warnings = convert(src, "marc21")
    assert rec["245"].indicator2 == "2"
    assert rec["245"]["a"].startswith("L'altra faccia della spirale")
    assert rec["100"]["a"] == "Asimov, Isaac"
    assert [f["a"] for f in rec.get_fields("830")] == ["Bestsellers", "Il ciclo delle fondazioni"]
    assert "copies without a number: 40: subfield 899$1 has no place in MARC 21 852/876, not exported" in warnings


def test_article_with_embedded_source_becomes_773():
    rec = Record(leader="     naa2 22        450 ")
    rec.add_field(Field(tag="001", data="A1"))
    rec.add_field(Field(tag="200", indicators=Indicators("1", " "), subfields=[Subfield("a", "Мақала")]))
    rec.add_field(Field(tag="461", indicators=Indicators(" ", "0"), subfields=[
        Subfield("1", "001J1"), Subfield("1", "2001 "), Subfield("a", "Егемен Қазақстан"),
        Subfield("1", "011  "), Subfield("a", "0134-0905")]))
    rec.add_field(Field(tag="463", indicators=Indicators(" ", "0"), subfields=[
        Subfield("1", "2001 "), Subfield("a", "№ 14"), Subfield("v", "С. 4"), Subfield("1", "210  "),
        Subfield("d", "2003")]))
    set_flavour(rec, UNIMARC)
    out, _ = convert(rec, "marc21")
    assert str(out.leader)[7] == "a"
    host = out["773"]
    assert host.indicator1 == "0"
    assert (host["t"], host["d"], host["x"], host["w"]) == ("Егемен Қазақстан", "2003", "0134-0905", "J1")
    assert host["g"] == "№ 14. - С. 4"


def test_embedded_fields_split_on_dollar_one():
    f = Field(tag="463", indicators=Indicators(" ", "0"), subfields=[
        Subfield("1", "001X"), Subfield("1", "2000 "), Subfield("a", "N 3."), Subfield("v", "С. 4."),
        Subfield("1", "210  "), Subfield("d", "2003")])
    emb = embedded_fields(f)
    assert [e.tag for e in emb] == ["001", "200", "210"]
    assert emb[0].data == "X" and emb[1].indicators == Indicators("0", " ") and emb[2]["d"] == "2003"


def test_round_trip_rusmarc_marc21_rusmarc_keeps_core_values(nlr):
    for src in nlr:
        back, _ = to_unimarc(to_marc21(src)[0])
        assert back.flavour == UNIMARC
        for tag, code in (("200", "a"), ("200", "e"), ("200", "f"), ("210", "a"), ("210", "c"), ("210", "d"),
                          ("215", "a"), ("010", "a"), ("101", "a"), ("675", "a"), ("686", "a"), ("700", "a")):
            assert _sub(back, tag, code) == [v.strip() for v in _sub(src, tag, code)], (src["001"].data, tag, code)


def test_marc21_to_rusmarc():
    rec = Record(leader="00000cam a2200000 i 4500")
    rec.add_field(Field(tag="008", data="070522s2007    ru ab         000 u rus d"))
    rec.add_field(Field(tag="020", indicators=Indicators(" ", " "), subfields=[Subfield("a", "9785901202500"),
                                                                                Subfield("c", "100 р.")]))
    rec.add_field(Field(tag="100", indicators=Indicators("1", " "), subfields=[
        Subfield("a", "Абай Құнанбаев,"), Subfield("d", "1845-1904"), Subfield("4", "aut")]))
    rec.add_field(Field(tag="245", indicators=Indicators("1", "0"), subfields=[
        Subfield("a", "Қара сөздер :"), Subfield("b", "шығармалар /"), Subfield("c", "Абай.")]))
    rec.add_field(Field(tag="260", indicators=Indicators(" ", " "), subfields=[
        Subfield("a", "Алматы :"), Subfield("b", "Жазушы,"), Subfield("c", "2007")]))
    rec.add_field(Field(tag="650", indicators=Indicators(" ", "7"), subfields=[
        Subfield("a", "Қазақ әдебиеті"), Subfield("2", "nlrk")]))
    rec.add_field(Field(tag="999", indicators=Indicators(" ", " "), subfields=[Subfield("a", "local")]))
    rec.add_field(Field(tag="655", indicators=Indicators(" ", "4"), subfields=[Subfield("a", "Essays")]))
    rec.add_field(Field(tag="947", indicators=Indicators(" ", " "), subfields=[Subfield("a", "x")]))
    rec.add_field(Field(tag="037", indicators=Indicators(" ", " "), subfields=[Subfield("a", "x")]))
    set_flavour(rec, MARC21)
    out, warnings = convert(rec, "rusmarc")
    assert out.flavour == UNIMARC
    assert out["100"]["a"][:17] == "20070522d2007    " and len(out["100"]["a"]) == 36
    assert out["101"]["a"] == "rus" and out["102"]["a"] == "RU"
    assert (out["010"]["a"], out["010"]["d"]) == ("9785901202500", "100 р.")
    assert (out["200"]["a"], out["200"]["e"], out["200"]["f"]) == ("Қара сөздер", "шығармалар", "Абай.")
    assert (out["210"]["a"], out["210"]["c"], out["210"]["d"]) == ("Алматы", "Жазушы", "2007")
    assert (out["700"]["a"], out["700"]["f"], out["700"]["4"]) == ("Абай Құнанбаев", "1845-1904", "070")
    assert out["606"]["a"] == "Қазақ әдебиеті" and out["608"]["a"] == "Essays"
    assert out["999"]["a"] == "local"
    assert warnings == ["MARC 21 field 037 not mapped to RUSMARC"]


def test_keep_and_same_flavour(nlr):
    src = nlr[0]
    same, warnings = convert(src, "keep")
    assert same is src and warnings == []
    copy, _ = convert(src, "rusmarc")
    assert copy is not src and copy.as_marc() == src.as_marc()
    with pytest.raises(ValueError):
        convert(src, "dublin")


def test_irbis_article_goes_through_rusmarc_to_marc21(corpus):
    asp = _read(corpus / "irbis/irbis_plaintext_3records_utf8.txt")[1]
    rec, warnings = convert(asp, "marc21")
    assert rec.flavour == MARC21 and str(rec.leader)[7] == "a"
    assert rec["245"]["a"].startswith("Передовые охотники")
    host = rec["773"]
    assert host["t"] == "Восточно-Сибирская правда" and "1942" in host["d"] and host["g"].startswith("№ 14 (17 янв.)")
    assert any("6629" in w for w in warnings)


def test_marc21_output_validates_against_marcxml_schema(nlr, corpus, schemas):
    from libcat.marc.io import open_writer

    parser = etree.XMLParser(no_network=True)
    schema = etree.XMLSchema(etree.parse(str(schemas / "MARC21slim.xsd"), parser))
    records = [to_marc21(r)[0] for r in nlr]
    records += [to_marc21(r)[0] for r in _read(corpus / "marc/edsu__pymarc/test/testunimarc.dat")]
    buf = io.BytesIO()
    writer = open_writer(buf, "marcxml")
    for r in records:
        assert writer.write(r) == []
    writer.close()
    doc = etree.fromstring(buf.getvalue(), etree.XMLParser(no_network=True, resolve_entities=False))
    assert schema.validate(doc), schema.error_log
    assert "\x88" not in buf.getvalue().decode("utf-8")


def test_subfield_values_shared_by_both_directions():
    from pymarc import Field, Subfield

    from libcat.marc.crosswalk.common import first, strip_isbd, values

    f = Field("200", indicators=["1", " "], subfields=[
        Subfield("a", "\x88The \x89title :"), Subfield("a", "  "), Subfield("a", "Second /"), Subfield("b", "x")])
    assert values(f, "a") == ["The title :", "Second /"]
    assert values(f, "a", strip_isbd) == ["\x88The \x89title", "Second"]
    assert first(f, "b") == "x" and first(f, "c") == ""
