"""IRBIS -> RUSMARC after irb_marc's rules, one rule at a time, and the way back; flavour detection."""

from __future__ import annotations

import io
from pathlib import Path

import pymarc
import pytest
from pymarc import Record

from libcat.marc.crosswalk.irbis_rusmarc import irbis_to_rusmarc, rusmarc_to_irbis
from libcat.marc.flavour import IRBIS, IRBIS_VALUE_CODE, MARC21, UNIMARC, detect
from libcat.marc.irbis import IrbisWriter, iter_irbis, record_from_fields

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
V = IRBIS_VALUE_CODE


def irbis(*lines: str) -> Record:
    return next(iter_irbis(io.BytesIO(("\n".join(lines) + "\n*****\n").encode()))).record


def subs(field) -> list[tuple[str, str]]:
    return [tuple(s) for s in field.subfields]


@pytest.mark.parametrize(
    ("lines", "leader"),
    [
        (["#920: PAZK", "#900: ^Ta^B05"], "nam0"),
        (["#920: SPEC", "#900: ^Ta^B03"], "nam0"),
        (["#920: ASP", "#900: ^Ta^B12", "#463: ^CГазета^WГ-1"], "naa2"),
        (["#920: ASP", "#900: ^Ta^B12", "#463: ^CГазета"], "naa0"),
        (["#920: J", "#900: ^Ta^B01"], "nas1"),
        (["#920: NJ", "#900: ^Tb"], "nbm2"),
        (["#920: NJK"], "nac0"),
        (["#920: PAZK"], "nam0"),
    ],
)
def test_leader_from_900_and_worksheet(lines: list[str], leader: str) -> None:
    out, _ = irbis_to_rusmarc(irbis(*lines, "#200: ^AX"))
    assert str(out.leader)[5:9] == leader and str(out.leader)[17:24] == " i 450 "
    assert out.flavour == UNIMARC and out.get("920") is None


def test_001_is_mfn_when_known_else_shelf_code() -> None:
    rec = irbis("#920: PAZK", "#200: ^AX", "#903: 84/K-1")
    assert irbis_to_rusmarc(rec)[0]["001"].data == "84/K-1"
    out, warnings = irbis_to_rusmarc(rec, mfn=17)
    assert out["001"].data == "17" and any("903" in w for w in warnings)


def test_005_from_latest_907_and_100_built_from_first() -> None:
    rec = irbis("#920: PAZK", "#900: ^Ta^B05^Xk", "#919: ^Akaz^N02^KPSBO^Gca", "#200: ^AҚамшы", "#210: ^D2016",
                "#907: ^CКТ^A20210315^BX", "#907: ^CПК^A20191231^BX", "#907: ^C^A^B")
    out, _ = irbis_to_rusmarc(rec)
    assert out["005"].data == "20210315000000.0"
    a100 = out["100"]["a"]
    assert len(a100) == 36 and a100[:8] == "20191231" and a100[8:13] == "d2016" and a100[17] == "k"
    assert a100[22:25] == "kaz" and a100[26:28] == "50" and a100[34:36] == "ca"


def test_existing_100_and_101_kept_with_919o() -> None:
    rec = irbis("#920: PAZK", "#100: ^0 ^! ^a20150101d2015    m  y0rusy50      ca", "#101: rus", "#919: ^Orus")
    out, _ = irbis_to_rusmarc(rec)
    assert out["100"]["a"].startswith("20150101d2015") and len(out.get_fields("100")) == 1
    f101 = out["101"]
    assert f101.indicators[0] == "1" and f101["a"] == "rus" and f101["c"] == "rus"


def test_annotation_classification_and_udc() -> None:
    rec = irbis("#920: PAZK", "#331: Аннотация", "#621: 63.3(2)622", "#964: 16.41.21", "#675: 37")
    out, _ = irbis_to_rusmarc(rec)
    assert out["330"]["a"] == "Аннотация" and out.get("331") is None
    assert sorted(subs(f) for f in out.get_fields("686")) == [
        [("a", "16.41.21"), ("2", "rugasnti")], [("a", "63.3(2)622"), ("2", "rubbk")]]
    assert subs(out["675"]) == [("a", "37")]


def test_951_to_856() -> None:
    rec = irbis("#920: PAZK", "#951: ^Ihttp://www.gpntb.ru^TСсылка", "#951: ^Adoclad99.doc^TФайл^N14")
    web, local = irbis_to_rusmarc(rec)[0].get_fields("856")
    assert web.indicators[0] == "4" and web["u"] == "http://www.gpntb.ru" and web["z"] == "Ссылка"
    assert local.indicators[0] == " " and local["f"] == "doclad99.doc" and local["z"] == "Файл"


def test_persons_relator_cut_and_indicators() -> None:
    rec = irbis("#920: PAZK", "#700: ^AКәрім^BН.", "#702: ^4340 ред.^AПавловский^BА.С.")
    out, _ = irbis_to_rusmarc(rec)
    assert out["702"]["4"] == "340" and out["702"]["a"] == "Павловский"
    assert tuple(out["700"].indicators) == (" ", "1")


def test_pseudo_indicators_become_indicators(corpus: Path) -> None:
    rec = next(iter_irbis(open(corpus / "irbis" / "irbis_plaintext_10records_utf8.txt", "rb"))).record
    out, _ = irbis_to_rusmarc(rec)
    f020 = out["020"]
    assert tuple(f020.indicators) == (" ", " ") and subs(f020) == [("a", "RU"), ("b", "93-1141")]
    rec = irbis("#920: PAZK", "#606: ^0nlr_sh^AЯзык", "#200: ^01^!#^AЗаглавие")
    out, _ = irbis_to_rusmarc(rec)
    assert out["606"]["0"] == "nlr_sh" and tuple(out["200"].indicators) == ("1", " ")


def test_article_source_embedded(corpus: Path) -> None:
    items = list(iter_irbis(open(corpus / "irbis" / "irbis_plaintext_3records_utf8.txt", "rb")))
    out, warnings = irbis_to_rusmarc(items[1].record)
    assert str(out.leader)[6:9] == "aa2"
    f461, f463 = out["461"], out["463"]
    assert ("1", "2001 ") in subs(f461) and ("a", "Восточно-Сибирская правда") in subs(f461)
    assert ("1", "001В781/1942/14") in subs(f461)
    assert subs(f463) == [("1", "2001 "), ("a", "№ 14 (17 янв.)"), ("v", "2"), ("1", "210  "), ("d", "1942")]
    assert tuple(f463.indicators) == (" ", "0")
    assert any(w.startswith("6629:") and "2 fields" in w for w in warnings)
    assert out.get("963") is None and out["686"]["2"] == "rubbk"


def test_irbis_only_fields_listed_never_silently_dropped(corpus: Path) -> None:
    items = list(iter_irbis(open(corpus / "irbis" / "irbis_plaintext_10records_utf8.txt", "rb")))
    assert len(items) == 10
    for item in items:
        out, warnings = irbis_to_rusmarc(item.record)
        out_tags = {f.tag for f in out.fields}
        warned = {w.split(":")[0] for w in warnings}
        for f in item.record.fields:
            consumed = f.tag in {"900", "903", "907", "919", "920", "923", "951", "963", "964", "971", "972",
                                 "331", "621"}
            assert consumed or f.tag in out_tags or f.tag in warned, f.tag
        assert out.get("910") is None and ("910" in warned) == bool(item.record.get_fields("910"))


def test_converted_records_detect_as_unimarc(corpus: Path) -> None:
    items = list(iter_irbis(open(corpus / "irbis" / "irbis_plaintext_10records_utf8.txt", "rb")))
    assert len(items) == 10
    for item in items:
        out, _ = irbis_to_rusmarc(item.record)
        assert detect(_plain(out)) == UNIMARC


def test_way_back_to_irbis_text_is_sensible() -> None:
    items = list(iter_irbis(open(SAMPLES / "kazakh-books-and-articles.txt", "rb")))
    for item in items:
        rus, _ = irbis_to_rusmarc(item.record)
        back, warnings = rusmarc_to_irbis(rus)
        assert back.flavour == IRBIS and warnings == []
        rec = item.record
        assert back["920"][V] == rec["920"][V]
        assert back["200"]["a"] == rec["200"]["a"] and back["903"][V] == rec["903"][V]
        assert [f[V] for f in back.get_fields("621")] == [f[V] for f in rec.get_fields("621")]
        assert [f[V] for f in back.get_fields("101")] == [f[V] for f in rec.get_fields("101")]
        if rec.get_fields("463"):
            src, new = rec["463"], back["463"]
            assert [new.get(c) for c in "cjhsw"] == [src.get(c) for c in "cjhsw"]
        for old, new in zip(rec.get_fields("951"), back.get_fields("951")):
            assert (new.get("i"), new.get("a"), new.get("t")) == (old.get("i"), old.get("a"), old.get("t"))
    buf = io.BytesIO()
    assert IrbisWriter(buf).write(back) == []
    assert b"#920: ASP\n" in buf.getvalue() and b"^C\xd0\x9f\xd1\x83\xd0\xbb\xd1\x8c\xd1\x81" in buf.getvalue()


def test_rusmarc_cp1251_sample_to_irbis() -> None:
    reader = pymarc.MARCReader(open(SAMPLES / "rusmarc-sample.iso", "rb"), to_unicode=True, force_utf8=False,
                               file_encoding="cp1251")
    records = list(reader)
    assert len(records) == 5
    book, _ = rusmarc_to_irbis(records[0])
    assert book["920"][V] == "PAZK" and book["903"][V] == "KZ-SAMPLE-1" and book["621"][V] == "63.3(5Каз)"
    assert book["200"]["a"] == "Остров моей памяти" and book["907"]["a"] == "20191105"
    article, _ = rusmarc_to_irbis(records[4])
    assert article["920"][V] == "ASP"
    assert [article["463"].get(c) for c in "cjhsd"] == ["Северное Прибалхашье", "2018", "17 января (№5-6)",
                                                         "С. 1", "Балхаш"]


def test_way_back_keeps_unusual_indicators_as_pseudo_subfields() -> None:
    rec = Record()
    rec.leader = "00000nam0 2200000 i 450 "
    rec.add_field(pymarc.Field(tag="200", indicators=["0", " "], subfields=[pymarc.Subfield("a", "Вып. 13")]))
    rec.add_field(pymarc.Field(tag="700", indicators=[" ", "1"], subfields=[pymarc.Subfield("a", "Нейман")]))
    back, _ = rusmarc_to_irbis(rec)
    assert subs(back["200"]) == [("0", "0"), ("!", " "), ("a", "Вып. 13")] and subs(back["700"]) == [("a", "Нейман")]
    again, _ = irbis_to_rusmarc(back)
    assert tuple(again["200"].indicators) == ("0", " ") and subs(again["200"]) == [("a", "Вып. 13")]


def _plain(record: Record) -> Record:
    out = Record()
    out.leader = record.leader
    out.fields = list(record.fields)
    return out


@pytest.mark.parametrize("name", ["irbis_plaintext_3records_utf8.txt", "irbis_plaintext_10records_utf8.txt"])
def test_detect_irbis_text(corpus: Path, name: str) -> None:
    assert {detect(_plain(i.record)) for i in iter_irbis(open(corpus / "irbis" / name, "rb"))} == {IRBIS}


def test_detect_irbis_mst(corpus: Path) -> None:
    from libcat.kabis.mst import iter_mst

    assert {detect(_plain(i.record)) for i in iter_mst(corpus / "irbis" / "istu.mst")} == {IRBIS}


@pytest.mark.parametrize(
    ("path", "encoding", "flavour"),
    [
        ("irbis/rusmarc_nlr_81records_cp1251.iso", "cp1251", UNIMARC),
        ("marc/edsu__pymarc/test/testunimarc.dat", "utf-8", UNIMARC),
        ("marc/ndlrf-rnd__neb-catalog/src/formats/__tests__/data/7_rusmarc.mrc", "utf-8", UNIMARC),
        ("marc/edsu__pymarc/test/marc.dat", "iso8859-1", MARC21),
        ("marc/edsu__pymarc/test/test.dat", "iso8859-1", MARC21),
    ],
)
def test_detect_iso_files(corpus: Path, path: str, encoding: str, flavour: str) -> None:
    data = (corpus / path).read_bytes()
    records = []
    for chunk in data.split(b"\x1d"):
        if len(chunk) > 24:
            try:
                records.append(Record(data=chunk + b"\x1d", to_unicode=True, force_utf8=encoding == "utf-8",
                                      file_encoding=encoding))
            except Exception:
                continue
    assert records and {detect(r) for r in records} == {flavour}


def test_detect_built_records() -> None:
    flat = record_from_fields([("200", "^AX"), ("463", "^CГазета^J2018"), ("907", "^CПК^A20240101")])
    assert detect(_plain(flat)) == IRBIS
    bare = Record()
    bare.add_field(pymarc.Field(tag="245", indicators=["1", "0"], subfields=[pymarc.Subfield("a", "T")]))
    assert detect(bare) == MARC21


def test_indicators_survive_irbis_text_as_pseudo_subfields() -> None:
    reader = pymarc.MARCReader(open(SAMPLES / "rusmarc-sample.iso", "rb"), to_unicode=True, force_utf8=False,
                               file_encoding="cp1251")
    original = next(iter(reader))
    buf = io.BytesIO()
    assert IrbisWriter(buf).write(original) == []
    assert "#700: ^0 ^!1^AТынышбаев^BК.\n" in buf.getvalue().decode()
    reread = next(iter_irbis(io.BytesIO(buf.getvalue()))).record
    out, _ = irbis_to_rusmarc(reread)
    for tag in ("101", "200", "700", "801"):
        assert tuple(out[tag].indicators) == tuple(original[tag].indicators), tag
        assert subs(out[tag]) == subs(original[tag]), tag
