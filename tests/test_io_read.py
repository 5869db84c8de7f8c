"""Reading every corpus file: record counts against yaz, decoded text, broken records with offsets."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pymarc
import pytest

from libcat.marc import encoding as enc
from libcat.marc import io as mio
from libcat.marc import iso2709


@pytest.fixture(scope="module")
def marc_dir(corpus: Path) -> Path:
    return corpus / "marc"


@pytest.fixture(scope="module")
def survey(marc_dir: Path) -> list[dict]:
    return json.loads((marc_dir / "survey.json").read_text())


def _items(path: Path, **kw) -> list:
    return list(mio.read(path, **kw))


def test_every_iso_file_recovers_at_least_as_many_records_as_yaz(marc_dir, survey):
    short, total, yaz_total = [], 0, 0
    for entry in survey:
        if entry["fmt"] != "ISO2709":
            continue
        items = _items(marc_dir / entry["file"])
        ok = sum(item.ok for item in items)
        total += ok
        yaz_total += entry["yaz_records"]
        if ok < entry["yaz_records"]:
            short.append((entry["file"], ok, entry["yaz_records"]))
        for item in items:
            assert item.position >= 1 and item.offset is not None
            if item.ok:
                assert item.flavour in ("marc21", "unimarc", "irbis")
                assert getattr(item.record, "flavour", None) == item.flavour
    assert not short, short
    assert yaz_total == 1241 and total >= yaz_total


def test_xml_and_mnemonic_files_read_whole(marc_dir, survey):
    xml = [e for e in survey if e["fmt"] == "MARCXML" and e.get("pymarc_ok")]
    mrk = [e for e in survey if e["fmt"] == "MarcEdit mnemonic"]
    assert len(xml) == 38 and len(mrk) == 3
    for entry in xml:
        # the survey counts what pymarc read: a lower bound, libcat also reads records pymarc rejects
        assert sum(i.ok for i in _items(marc_dir / entry["file"])) >= entry["pymarc_ok"], entry["file"]
    for entry in mrk:
        items = _items(marc_dir / entry["file"])
        assert [i.ok for i in items] == [True] * entry["records"], entry["file"]


def test_rusmarc_cp1251_decoded_from_100a(corpus):
    items = _items(corpus / "irbis" / "rusmarc_nlr_81records_cp1251.iso")
    assert len(items) == 81 and all(i.ok and not i.warnings for i in items)
    first = items[0].record
    assert items[0].flavour == "unimarc"
    assert first["001"].data == "RU\\NLR\\bibl\\3415"
    assert first["200"]["a"] == "Вып. 13."
    assert "Задачи и этюды" in first["461"].value()
    assert items[0].control_number == "RU\\NLR\\bibl\\3415"


def test_marc8_cyrillic(marc_dir):
    (item,) = _items(marc_dir / "perl4lib__marc-perl/marc-charset/t/cyrillic.marc")
    texts = [f.value() for f in item.record.get_fields("880")]
    assert any("Одлуке и решења Савезног уставног суда." in t for t in texts)
    assert not item.warnings


def test_cp1251_marc21_with_blank_leader_09(marc_dir):
    items = _items(marc_dir / "edsu__pymarc/test/1251.dat")
    assert len(items) == 6
    assert items[0].record["245"]["a"].startswith("Основы гидравлического расчета")
    assert any("cp1251" in w for w in items[0].warnings)
    forced = _items(marc_dir / "edsu__pymarc/test/1251.dat", encoding="cp1251")
    assert forced[0].record["245"]["a"] == items[0].record["245"]["a"] and not forced[0].warnings


def test_mnemonic_file_equals_its_iso_twin(marc_dir):
    utf8 = _items(marc_dir / "marc4j__marc4j/test/resources/brkrtest_UTF8.mrc")
    mrk8 = _items(marc_dir / "marc4j__marc4j/test/resources/brkrtest.mrk8")
    mrk = _items(marc_dir / "marc4j__marc4j/test/resources/brkrtest.mrk")
    for a, b, c in zip(utf8, mrk8, mrk):
        assert iso2709.record_to_fields(a.record)[1] == iso2709.record_to_fields(b.record)[1]
        assert c.record["245"].value() == a.record["245"].value()
    assert "Łódź" in mrk[2].record.get_fields("500")[0].value()


def test_broken_records_are_repaired_or_reported_with_offsets(marc_dir):
    items = _items(marc_dir / "edsu__pymarc/test/bad_records.mrc")
    assert [i.offset for i in items] == [0, 127, 254, 381, 509, 637, 764, 790]
    assert all(i.ok for i in items)
    assert "base address '99937' is wrong" in items[1].warnings[0]
    assert items[6].warnings == ["record has no fields"]
    truncated = _items(marc_dir / "marc4j__marc4j/test/resources/008008027.mrc")
    assert len(truncated) == 19 and truncated[-1].offset == 62502  # yaz: "Record 19 offset 62502"
    assert any("no record terminator" in w for w in truncated[-1].warnings)
    xml = _items(marc_dir / "ndlrf-rnd__neb-catalog/src/formats/marcxml/examples/svod-18-partial.mrx")
    assert [i.ok for i in xml] == [True, True, False]
    assert xml[2].offset_unit == "line" and "not well-formed" in xml[2].error


def test_garbage_between_records_is_reported_and_reading_goes_on(marc_dir):
    good = (marc_dir / "edsu__pymarc/test/one.dat").read_bytes()
    data = good + b"garbage that is no record\x1d" + good
    items = list(mio.read(io.BytesIO(data), fmt="iso2709"))
    assert [i.ok for i in items] == [True, False, True]
    bad = items[1]
    assert bad.offset == len(good) and bad.raw.startswith(b"garbage")
    assert "no field terminator" in bad.error and bad.where("x.mrc") == f"x.mrc: record 2 (byte {len(good)})"
    assert items[2].offset == len(good) + len(b"garbage that is no record\x1d")


def test_wrong_lengths_read_by_terminators():
    fields = [("001", None, "x1"), ("245", "10", [("a", "Заглавие"), ("c", "автор")])]
    blob, _ = iso2709.encode(" " * 24, fields)
    broken = b"99999" + blob[5:24] + blob[24:27] + b"0001" + blob[31:]
    (item,) = list(mio.read(io.BytesIO(broken), fmt="iso2709"))
    assert item.ok and item.record["001"].data == "x1"
    assert any("leader says 99999" in w for w in item.warnings)


def test_detect_format_from_content(marc_dir):
    xml_named_mrc = marc_dir / "ndlrf-rnd__neb-catalog/src/formats/marc/__tests__/data/mrc/rsl01003501478.mrc"
    assert mio.detect_format(xml_named_mrc.read_bytes()[:4096], str(xml_named_mrc)) == "marcxml"
    assert mio.detect_format(b"00755cam  22002414a 4500001\x1e", "x.txt") == "iso2709"
    assert mio.detect_format(b"=LDR  00000nam\n=245  10$aX\n") == "mrk"
    assert mio.detect_format("#200: ^AЗаглавие\n*****\n".encode()) == "irbis"
    assert mio.detect_format(b'[{"leader": ""}]') == "json"
    assert mio.detect_format(b"", "a.xml") == "marcxml"
    with pytest.raises(mio.FormatError):
        mio.detect_format(b"hello world")
    with pytest.raises(mio.FormatError):
        list(mio.read(io.BytesIO(b"hello world")))


def test_empty_files_have_no_records(marc_dir):
    assert _items(marc_dir / "marc4j__marc4j/test/resources/marc8-unicode-numeric-ref.mrc") == []


def test_unseekable_stream(marc_dir):
    data = (marc_dir / "edsu__pymarc/test/marc.dat").read_bytes()

    class Pipe(io.RawIOBase):
        def __init__(self):
            self.buf = io.BytesIO(data)

        def readable(self):
            return True

        def readinto(self, b):
            chunk = self.buf.read(min(len(b), 333))
            b[: len(chunk)] = chunk
            return len(chunk)

        def seekable(self):
            return False

    items = list(mio.read(Pipe()))
    assert len(items) == 20 and all(i.ok for i in items)


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        ("Қазақстан Республикасының ұлттық кітапханасы, әдебиет және өнер", enc.KZ1048),
        ("Библиографическое описание документа и каталогизация", enc.CP1251),
        ("Библиографическое описание документа и каталогизация", enc.CP866),
        ("Библиографическое описание документа и каталогизация", enc.KOI8),
    ],
)
def test_guess_cyrillic_code_pages(text, codec):
    assert enc.guess_cyrillic(text.encode(codec)) == codec
    assert enc.guess(text.encode("utf-8")) == enc.UTF8


def test_unimarc_charset_codes():
    base = "19980716d1997    u  y0rusy01"
    assert enc.unimarc_charset(base + "89    ca") == "cp1251"
    assert enc.unimarc_charset(base[:26] + "50      ca") == "utf-8"
    assert enc.unimarc_charset(base + "79    ca") == "cp866"
    assert enc.unimarc_charset(base + "99    ca") == "koi8_r"
    assert enc.normalize_name("Win-1251") == "cp1251" and enc.normalize_name("KZ-1048") == "kz1048"
    with pytest.raises(enc.EncodingError):
        enc.normalize_name("no-such-charset")


def test_irbis_and_mst_dispatch(corpus):
    txt = _items(corpus / "irbis" / "irbis_plaintext_3records_utf8.txt")
    assert len(txt) == 3 and all(i.ok and i.flavour == "irbis" for i in txt)
    mst = _items(corpus / "irbis" / "istu.mst")
    assert len(mst) == 300 and all(i.ok and i.flavour == "irbis" for i in mst)
    with pytest.raises(mio.FormatError):
        list(mio.read(io.BytesIO(b"x"), fmt="mst"))


def _shape(record) -> tuple:
    """Everything a pymarc record holds, with the classes of its parts."""
    return str(record.leader), type(record).__name__, record.force_utf8, [
        (type(f).__name__, f.tag, f.control_field, f.data, f.indicators, type(f.indicators).__name__,
         [(type(s).__name__, *s) for s in f.subfields])
        for f in record.fields
    ]


def _iso_chunks(marc_dir: Path, survey: list[dict]):
    for entry in survey:
        if entry["fmt"] == "ISO2709":
            with open(marc_dir / entry["file"], "rb") as fh:
                yield from (chunk for _offset, chunk in iso2709.iter_chunks(fh))


@pytest.mark.parametrize("encoding", [None, "cp1251"])
def test_read_record_equals_parse_then_fields_to_record(marc_dir, survey, encoding):
    done = 0
    for chunk in _iso_chunks(marc_dir, survey):
        try:
            parsed = iso2709.parse(chunk, encoding)
        except iso2709.RecordError as exc:
            with pytest.raises(iso2709.RecordError, match=re.escape(str(exc))):
                iso2709.read_record(chunk, encoding)
            continue
        record, used, warnings = iso2709.read_record(chunk, encoding)
        assert (used, warnings) == (parsed.encoding, parsed.warnings)
        assert _shape(record) == _shape(iso2709.fields_to_record(parsed.leader, parsed.fields))
        done += 1
    assert done >= 1200


def test_records_equal_pymarcs_own_reading_of_clean_utf8_records(marc_dir, survey):
    import warnings as py_warnings

    import pymarc

    same = 0
    for chunk in _iso_chunks(marc_dir, survey):
        if chunk[9:10] != b"a":
            continue
        try:
            record, used, warnings = iso2709.read_record(chunk)
            with py_warnings.catch_warnings(record=True) as complaints:
                py_warnings.simplefilter("always")
                theirs = pymarc.Record(data=chunk, to_unicode=True, force_utf8=True)
        except (iso2709.RecordError, pymarc.exceptions.PymarcException, ValueError):
            continue
        if warnings or used != "utf-8" or complaints:
            continue
        assert _shape(record)[2:] == _shape(theirs)[2:]
        assert record.as_marc() == theirs.as_marc()
        same += 1
    assert same >= 100


def test_fields_to_record_keeps_pymarcs_rules_for_odd_shapes():
    record = iso2709.fields_to_record(
        "00000nam a2200000 a 4500",
        [("001", None, "x"), ("500", None, "control text on a data tag"), ("10", "1 ", [("a", "short tag")]),
         ("245", "10", [("a", "T")]), ("1119", "  ", [("a", "IRBIS long tag")])],
    )
    made = [
        pymarc.Field(tag="001", data="x"), pymarc.Field(tag="500", data="control text on a data tag"),
        pymarc.Field(tag="10", indicators=pymarc.Indicators("1", " "), subfields=[pymarc.Subfield("a", "short tag")]),
        pymarc.Field(tag="245", indicators=pymarc.Indicators("1", "0"), subfields=[pymarc.Subfield("a", "T")]),
        pymarc.Field(tag="1119", indicators=pymarc.Indicators(" ", " "),
                     subfields=[pymarc.Subfield("a", "IRBIS long tag")]),
    ]
    ours = pymarc.Record(force_utf8=True)
    ours.leader = pymarc.Leader("00000nam a2200000 a 4500")
    ours.fields = made
    assert _shape(record) == _shape(ours)
    assert [f.tag for f in record.fields] == ["001", "500", "010", "245", "1119"]
    record["245"].indicators = ["0", "4"]
    assert record["245"].indicators == pymarc.Indicators("0", "4")
    assert iso2709.fields_to_record("0" * 24, [("245", "10", [])])["245"].subfields == []


def test_directory_layout_other_than_4500_is_not_read_as_4500(marc_dir):
    chunk = next(iso2709.iter_chunks(open(marc_dir / "edsu__pymarc" / "test" / "one.dat", "rb")))[1]
    assert not iso2709.parse(chunk).warnings
    other = chunk[:20] + b"54" + chunk[22:]
    assert any("directory" in w for w in iso2709.parse(other).warnings)
