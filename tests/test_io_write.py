"""Writers: lossless round trips, what ISO 2709 cannot hold, yaz reads our output, our MARCXML equals yaz's."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from lxml import etree
from pymarc import Field, Indicators, Leader, Record, Subfield

from libcat.marc import io as mio
from libcat.marc import iso2709, marcxml

YAZ = shutil.which("yaz-marcdump")
needs_yaz = pytest.mark.skipif(
    YAZ is None, reason="yaz-marcdump not on PATH (Debian package yaz; scripts/test installs it)"
)
NS = "{http://www.loc.gov/MARC21/slim}"

# Files yaz reads without a warning where its MARCXML differs from ours on purpose.
DIFFER_ON_PURPOSE = {
    # yaz passes the bytes through and writes XML that is not well-formed (cp1251 text read as MARC-8)
    "edsu__pymarc/test/1251.dat": "cp1251 text under a blank leader/09: yaz emits invalid XML, we decode cp1251",
    "ndlrf-rnd__neb-catalog/src/formats/marc/__tests__/data/1251.mrc": "same bytes as pymarc's 1251.dat",
    "marc4j__marc4j/test/resources/185258.mrc": "8-bit bytes yaz passes through into invalid XML",
    "marc4j__marc4j/test/resources/not_unimarc_errors_3.mrc": "invalid UTF-8 that yaz passes through into invalid XML",
    "indexdata__yaz/test/marc-files/marc12.marc": "yaz writes an unescaped '<' into an attribute",
    # pre- and post-2004 MARC-8 tables: pymarc maps the ligature / double tilde halves to U+FE20-FE23,
    # yaz to U+0361 / U+0360
    "marc4j__marc4j/test/resources/cyrillic_capital_e.mrc": "ligature halves: U+FE20/FE21 vs U+0361",
    "marc4j__marc4j/test/resources/brkrtest.mrc": "ligature and double tilde halves (pre/post-2004 tables)",
    "indexdata__yaz/test/marc-files/marc7.marc": "ligature and double tilde halves (pre/post-2004 tables)",
    # yaz's own stress tests of undefined MARC-8 bytes, and broken MARC-8
    "indexdata__yaz/test/marc-files/marc10.marc": "undefined MARC-8 bytes: pymarc's table gives a space, yaz drops",
    "indexdata__yaz/test/marc-files/marc11.marc": "undefined MARC-8 bytes: pymarc's table gives a space, yaz drops",
    "edsu__pymarc/test/bad_marc8_escape.dat": "bad escape: yaz outputs an empty subfield, we decode the text",
    "marc4j__marc4j/test/resources/greekmissingcharsetchange.mrc": "missing charset change: unmapped byte",
    "marc4j__marc4j/test/resources/chinese_mangled_multibyte.mrc": "mangled EACC: the tables recover different text",
    "marc4j__marc4j/test/resources/incomplete_esc_seq.mrc": "incomplete escape: we drop it, yaz keeps decoding",
    # text in a data field outside any subfield: yaz drops its first byte(s), we keep it whole in $*
    "indexdata__yaz/test/marc-files/marc5.marc": "250 without indicators and delimiter kept in $*",
    "ndlrf-rnd__neb-catalog/src/formats/__tests__/data/7_rusmarc.mrc": "035 without delimiter kept in $*",
    "ndlrf-rnd__neb-catalog/src/formats/__tests__/data/RuSpRNB-009670326-rusmarc-language.mrc":
        "035 without delimiter kept in $*",
    "edsu__pymarc/test/regression45.dat": "stray '\\' after the 752 indicators kept in $*",
}


@pytest.fixture(scope="module")
def marc_dir(corpus: Path) -> Path:
    return corpus / "marc"


@pytest.fixture(scope="module")
def iso_files(marc_dir: Path) -> list[dict]:
    survey = json.loads((marc_dir / "survey.json").read_text())
    files = [e for e in survey if e["fmt"] == "ISO2709" and e["yaz_records"]]
    assert files, "the survey lists no ISO 2709 file"
    return files


def _records(path: Path) -> list[Record]:
    return [i.record for i in mio.read(path) if i.ok]


def _write(records, fmt: str, encoding: str = "utf-8") -> tuple[bytes, list[str]]:
    buf = io.BytesIO()
    problems = mio.write_all(iter(records), buf, fmt, encoding)
    return buf.getvalue(), problems


def _iso_bytes(records) -> list[bytes | None]:
    return [iso2709.encode(*iso2709.record_to_fields(r))[0] for r in records]


def test_iso_marcxml_iso_round_trip_is_lossless(marc_dir, iso_files):
    for entry in iso_files:
        records = _records(marc_dir / entry["file"])
        assert records, entry["file"]
        xml, _ = _write(records, "marcxml")
        back = [i.record for i in mio.read(io.BytesIO(xml), fmt="marcxml")]
        assert len(back) == len(records), entry["file"]
        safe = []
        for r in records:  # the writer strips (and reports) what XML cannot hold; nothing else may change
            leader, fields = iso2709.record_to_fields(r)
            leader, fields, _ = marcxml.xml_safe(fields, leader)
            safe.append(iso2709.fields_to_record(leader, fields))
        assert _iso_bytes(back) == _iso_bytes(safe), entry["file"]


@pytest.mark.parametrize("fmt", ["json", "mrk", "iso2709"])
def test_other_formats_round_trip(marc_dir, iso_files, fmt):
    for entry in iso_files:
        records = _records(marc_dir / entry["file"])
        assert records, entry["file"]
        data, _ = _write(records, fmt)
        back = [i for i in mio.read(io.BytesIO(data), fmt=fmt)]
        assert all(i.ok for i in back), entry["file"]
        expect = [b for b in _iso_bytes(records) if fmt != "iso2709" or b is not None]
        assert _iso_bytes([i.record for i in back]) == expect, entry["file"]


def _irbis_record() -> Record:
    r = Record(force_utf8=True)
    r.leader = Leader(" " * 24)
    r.add_field(
        Field(tag="101", indicators=Indicators(" ", " "), subfields=[Subfield("*", "rus")]),
        Field(tag="200", indicators=Indicators(" ", " "), subfields=[Subfield("a", "Абай жолы"), Subfield("f", "М. Әуезов")]),
        Field(tag="1119", indicators=Indicators(" ", " "), subfields=[Subfield("*", "7f1c-guid")]),
    )
    return r


@pytest.mark.parametrize("fmt", ["marcxml", "json", "mrk"])
def test_irbis_tags_and_value_code_survive(fmt):
    data, problems = _write([_irbis_record()], fmt)
    assert problems == []
    (item,) = list(mio.read(io.BytesIO(data), fmt=fmt))
    assert item.record["1119"]["*"] == "7f1c-guid"
    assert item.record["101"]["*"] == "rus" and item.record["200"]["f"] == "М. Әуезов"


def test_iso2709_says_what_it_cannot_hold():
    rec = _irbis_record()
    _, problems = _write([rec], "iso2709")
    assert problems == ["record 1: tag 1119 cannot be written to ISO 2709 (tags have 3 characters); field left out"]
    big = Record(force_utf8=True)
    big.add_field(Field(tag="505", indicators=Indicators("0", " "), subfields=[Subfield("a", "x" * 12000)]))
    data, problems = _write([big], "iso2709")
    assert "field 505 is 12,005 bytes; ISO 2709 allows 9,999" in problems[0]
    huge = Record(force_utf8=True)
    for _ in range(12):
        huge.add_field(Field(tag="505", indicators=Indicators("0", " "), subfields=[Subfield("a", "y" * 9000)]))
    data, problems = _write([huge], "iso2709")
    assert data == b"" and "ISO 2709 allows 99,999: record not written" in problems[-1]


def test_cp1251_output_declares_its_charset(corpus):
    records = _records(corpus / "irbis" / "rusmarc_nlr_81records_cp1251.iso")
    data, problems = _write(records[:3], "iso2709", "cp1251")
    assert problems == [] and "Вып. 13.".encode("cp1251") in data
    again = [i.record for i in mio.read(io.BytesIO(data))]
    assert again[0]["100"]["a"][26:30] == "0189" and again[0]["200"]["a"] == "Вып. 13."
    utf8, _ = _write(records[:1], "iso2709")
    assert [i.record for i in mio.read(io.BytesIO(utf8))][0]["100"]["a"][26:30] == "50  "


def test_xml_illegal_characters_are_stripped_and_reported():
    r = Record(force_utf8=True)
    r.leader = Leader("00000nam a2200000 a 4500")
    r.add_field(Field(tag="001", data="a\x1bb"))
    r.add_field(Field(tag="245", indicators=Indicators("1", "0"), subfields=[Subfield("a", "Ti\x00tle\x1f")]))
    data, problems = _write([r], "marcxml")
    assert any("001" in p and "U+001B" in p for p in problems)
    assert any("245$a" in p for p in problems)
    doc = etree.fromstring(data)
    assert doc.find(f"{NS}record/{NS}controlfield").text == "ab"
    assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]", data)


@needs_yaz
def test_yaz_reads_our_iso2709_of_every_corpus_file(marc_dir, iso_files, tmp_path):
    for entry in iso_files:
        records = _records(marc_dir / entry["file"])
        assert records, entry["file"]
        data, _ = _write(records, "iso2709")
        out = tmp_path / "out.mrc"
        out.write_bytes(data)
        proc = subprocess.run([YAZ, "-n", "-p", str(out)], capture_output=True, text=True, errors="replace")
        lines = (proc.stdout + proc.stderr).splitlines()
        found = [ln for ln in lines if ln.startswith("<!-- Record ")]
        complaints = [ln for ln in lines if not ln.startswith("<!-- Record ")]
        written = sum(b is not None for b in _iso_bytes(records))
        assert proc.returncode == 0 and complaints == [], (entry["file"], complaints[:3])
        assert len(found) == written, entry["file"]


def _normalised(xml: bytes) -> list:
    doc = etree.fromstring(xml)
    out = []
    for rec in doc.iter(f"{NS}record"):
        out.append(
            [
                (
                    el.tag,
                    tuple(sorted(el.attrib.items())),
                    unicodedata.normalize("NFC", re.sub(r"\s+", " ", el.text or "").strip()),
                )
                for el in rec.iter()
                if el is not rec
            ]
        )
    return out


@needs_yaz
def test_our_marcxml_equals_yaz_for_files_it_reads_cleanly(marc_dir, iso_files):
    """Whitespace collapsed and text NFC-normalised (pymarc composes MARC-8 diacritics, yaz does not)."""
    same, differ = [], []
    for entry in iso_files:
        if entry["yaz_warnings"]:
            continue
        path = marc_dir / entry["file"]
        items = list(mio.read(path))
        marc8 = any(iso2709.parse(i.raw).encoding == "marc-8" for i in items if i.ok)
        args = [YAZ, "-i", "marc", "-o", "marcxml"] + (["-f", "MARC-8", "-t", "UTF-8"] if marc8 else [])
        theirs = subprocess.run(args + [str(path)], capture_output=True).stdout
        ours, _ = _write([i.record for i in items if i.ok], "marcxml")
        try:
            equal = _normalised(ours) == _normalised(theirs)
        except etree.XMLSyntaxError:
            equal = False
        (same if equal else differ).append(entry["file"])
    assert sorted(differ) == sorted(DIFFER_ON_PURPOSE)
    assert len(same) >= 60


def _marc21_schema(schemas: Path) -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True)
    return etree.XMLSchema(etree.parse(str(schemas / "MARC21slim.xsd"), parser))


# Records whose source data break MARC21slim's patterns; we write them as they are, like yaz does.
INVALID_IN_SOURCE = {
    "edsu__pymarc/test/bad_records.mrc": "leader/06 blank",
    "edsu__pymarc/test/utf8_invalid.mrc": "subfield code is an invalid UTF-8 byte (U+FFFD)",
    "perl4lib__marc-perl/marc-mij/t/test.mrc": "'^' for blanks in the leader",
    "indexdata__yaz/test/marc-files/marc0.marc": "indicator 'á'",
    "indexdata__yaz/test/marc-files/marc8.marc": "'^' for blanks in the leader",
    "marc4j__marc4j/test/resources/bad_leaders_10_11.mrc": "leader/10-11 blank, leader/07 blank",
    "marc4j__marc4j/test/resources/bad_too_long_plus_2.mrc": "leader/20-23 '45x ' and '450 '",
    "marc4j__marc4j/test/resources/pride-and-prejudice-fixed.mrc": "indicator '-'",
    "marc4j__marc4j/test/resources/pride-and-prejudice-with-many-errors.mrc": "indicator '-'",
}


def test_marcxml_of_marc21_records_validates(marc_dir, iso_files, schemas):
    """Every MARC 21 record the reader took without repairs, one by one, except data invalid at the source."""
    schema = _marc21_schema(schemas)
    valid, invalid = 0, set()
    for entry in iso_files:
        for item in mio.read(marc_dir / entry["file"]):
            if not item.ok or item.flavour != "marc21" or item.warnings:
                continue
            data, _ = _write([item.record], "marcxml")
            if schema.validate(etree.fromstring(data)):
                valid += 1
            else:
                invalid.add(entry["file"])
    assert invalid <= set(INVALID_IN_SOURCE), invalid - set(INVALID_IN_SOURCE)
    assert valid >= 980


def test_fast_path_renders_the_same_text_as_the_record_path(marc_dir, iso_files):
    fast = 0
    for entry in iso_files:
        for _offset, chunk in iso2709.iter_chunks(open(marc_dir / entry["file"], "rb")):
            text = marcxml.fast_render(chunk)
            if text is None:
                continue
            fast += 1
            parsed = iso2709.parse(chunk)
            assert text == marcxml.render(parsed.leader, parsed.fields)[0], entry["file"]
    assert fast > 500
