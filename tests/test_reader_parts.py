"""``iso2709.read_record_parts``: the record ``read_record`` gives, and ``(leader, tags, text, controls)`` exactly
when every field of it was read clean, so MARC-in-JSON and validation can work from the text alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from pymarc import Field, Indicators, Subfield

from libcat.marc import iso2709, marcjson
from corpus_records import iso_files


def _chunks(path: Path) -> list[bytes]:
    with open(path, "rb") as fh:
        return [chunk for _, chunk in iso2709.iter_chunks(fh)]


def _record(fields: list[tuple], leader: str = "00000nam a2200000 i 4500", encoding: str = "utf-8") -> bytes:
    data, problems = iso2709.encode(leader, fields, encoding)
    assert data is not None and not problems
    return data


def _raw_record(values: list[tuple[bytes, bytes]], leader: bytes = b"00000nam a2200000 i 4500") -> bytes:
    """A record whose field bytes are written as given (what ``encode`` would not write)."""
    directory, body, pos = b"", b"", 0
    for tag, value in values:
        directory += b"%s%04d%05d" % (tag, len(value) + 1, pos)
        body += value + b"\x1e"
        pos += len(value) + 1
    base = 24 + len(directory) + 1
    head = b"%05d" % (base + len(body) + 1) + leader[5:12] + b"%05d" % base + leader[17:]
    return head + directory + b"\x1e" + body + b"\x1d"


def assert_same_as_parse(got: tuple, chunk: bytes, encoding: str | None = None) -> None:
    """``read_record_parts``'s record, encoding and repairs are what ``parse`` + ``fields_to_record`` give."""
    record, used, warnings = got[:3]
    parsed = iso2709.parse(chunk, encoding)
    assert (used, warnings) == (parsed.encoding, parsed.warnings)
    assert iso2709.record_to_fields(record) == (parsed.leader, [
        (tag, ind, payload if ind is None else list(payload)) for tag, ind, payload in parsed.fields])
    built = iso2709.fields_to_record(parsed.leader, parsed.fields)
    assert iso2709.record_to_fields(record) == iso2709.record_to_fields(built)
    kinds = [[(f.tag, f.is_control_field()) for f in r.fields] for r in (record, built)]
    assert kinds[0] == kinds[1]


def assert_parts_are_the_bytes(parts, chunk: bytes, used: str) -> None:
    """``parts`` are the record's leader, directory tags and field bytes decoded, taken from ``split_fields``."""
    leader, pairs, _ = iso2709.split_fields(chunk)
    assert parts[:3] == (leader.decode("latin-1"), [t.decode("latin-1") for t, _ in pairs],
                         "\x1e".join(v.decode(used) for _, v in pairs))


def assert_parts_agree(record, parts) -> None:
    """``parts`` says what ``record`` holds, field by field, in the contract's own terms."""
    leader, tags, text, controls = parts
    assert leader == str(record.leader)
    kinds = [f.is_control_field() for f in record.fields]
    first_data = kinds.index(False) if False in kinds else len(kinds)
    assert controls == (None if True in kinds[first_data:] else first_data)
    values = text.split("\x1e")
    assert len(tags) == len(values) == len(record.fields)
    for tag, value, field in zip(tags, values, record.fields):
        assert type(tag) is str and len(tag) == 3 and field.tag == tag
        if iso2709.is_control_tag(tag):
            assert field.is_control_field() and field.data == value
            continue
        assert value.find("\x1f") == 2 and "\x1f\x1e" not in value + "\x1e" and "\x1f\x1f" not in value
        assert tuple(field.indicators) == (value[0], value[1])
        assert [(sf.code, sf.value) for sf in field.subfields] == [(p[0], p[1:]) for p in value[3:].split("\x1f")]


def test_parts_agree_with_the_record_on_the_corpus(corpus):
    files = iso_files(corpus)
    assert len(files) >= 10, "the corpus holds ISO 2709 files"
    clean = 0
    for path in files:
        for chunk in _chunks(path):
            try:
                got = iso2709.read_record_parts(chunk)
            except iso2709.RecordError:
                continue
            record, used, _, parts = got
            assert_same_as_parse(got, chunk)
            if parts is not None:
                clean += 1
                assert_parts_are_the_bytes(parts, chunk, used)
                assert_parts_agree(record, parts)
    assert clean > 1000, "most corpus records are clean"


def test_a_clean_record_gives_its_parts():
    chunk = _record([("001", None, "kz-1"), ("008", None, "190102s2010    kz"),
                     ("245", "10", [("a", "Абай жолы /"), ("c", "М. Әуезов.")]),
                     ("650", " 7", [("a", "Проза")])])
    record, used, warnings, parts = iso2709.read_record_parts(chunk)
    assert (used, warnings) == ("utf-8", [])
    text = "kz-1\x1e190102s2010    kz\x1e10\x1faАбай жолы /\x1fcМ. Әуезов.\x1e 7\x1faПроза"
    assert parts == (str(record.leader), ["001", "008", "245", "650"], text, 2)
    assert_parts_are_the_bytes(parts, chunk, used)
    assert_parts_agree(record, parts)


def test_a_control_field_with_a_delimiter_is_still_clean():
    chunk = _raw_record([(b"001", b"a\x1fb"), (b"245", b"10\x1faT\x1fbU")])
    record, _, warnings, parts = iso2709.read_record_parts(chunk)
    assert warnings == [] and parts is not None
    assert record["001"].data == "a\x1fb"
    assert [tuple(sf) for sf in record["245"].subfields] == [("a", "T"), ("b", "U")]
    assert_parts_agree(record, parts)


@pytest.mark.parametrize("value", [
    b"1\x1faT",          # one indicator
    b"\x1fa0\x1faT",     # a delimiter among the indicators
    b"10",               # indicators and nothing else
    b"10x\x1faT",        # text before the first subfield
    b"10abc",            # no subfield delimiter at all
    b"",                 # empty field
])
def test_broken_indicators_give_no_parts(value):
    chunk = _raw_record([(b"001", b"x"), (b"245", value), (b"650", b" 7\x1faA")])
    got = iso2709.read_record_parts(chunk)
    assert got[3] is None
    assert_same_as_parse(got, chunk)


@pytest.mark.parametrize("value", [b"10\x1faT\x1f", b"10\x1f\x1faT", b"10\x1faT\x1f\x1fbU"])
def test_empty_subfields_give_no_parts(value):
    chunk = _raw_record([(b"245", value)])
    record, _, warnings, parts = iso2709.read_record_parts(chunk)
    assert parts is None
    assert "245: empty subfield (no code) dropped" in warnings
    assert [tuple(sf) for sf in record["245"].subfields] == [("a", "T")] + ([("b", "U")] if b"bU" in value else [])


def test_a_record_decoded_field_by_field_gives_no_parts():
    marc8 = _raw_record([(b"001", b"x"), (b"245", b"10\x1faCaf\xe2e")], leader=b"00000nam  2200000 i 4500")
    record, used, _, parts = iso2709.read_record_parts(marc8)
    assert used == "marc-8" and parts is None
    assert record["245"]["a"] == "Café"


def test_a_field_terminator_inside_a_field_gives_no_parts():
    chunk = _raw_record([(b"001", b"x"), (b"245", b"10\x1faT\x1eU")])
    record, _, _, parts = iso2709.read_record_parts(chunk)
    assert parts is None
    assert [tuple(sf) for sf in record["245"].subfields] == [("a", "T\x1eU")]


def test_read_record_is_parse_and_fields_to_record():
    chunk = _raw_record([(b"001", b"1"), (b"245", b"0\x1faT"), (b"650", b" 7\x1faA")])
    got = iso2709.read_record(chunk)
    assert len(got) == 3 and got[2] == ["245: indicators missing, set blank"]
    assert_same_as_parse(got, chunk)


_TAGS = ("001", "009", "000", "010", "00A", "0A1", "245", "LDR", "", "0", "09", "0001", "0099", "1119", "٠٠١", "01A")


def test_control_tags():
    assert [iso2709.is_control_tag(t) for t in ("001", "009", "010", "00A", "245", "LDR", "0001", "1119")] == \
        [True, True, False, False, False, False, True, False]
    assert marcjson.is_control_tag is iso2709.is_control_tag


@pytest.mark.parametrize("tag", _TAGS)
def test_control_tags_are_pymarcs(tag):
    """pymarc's ``Field`` (which writes digit tags with 3 digits) and the reader's records make a field a control
    field exactly when ``is_control_tag`` says so of its tag, so MARC-in-JSON gives either the same shape."""
    field = Field(tag=tag, data="x")
    assert field.is_control_field() is iso2709.is_control_tag(field.tag)
    record = iso2709.fields_to_record("0" * 24, [(tag, None, "x") if iso2709.is_control_tag(tag) else
                                                 (tag, "  ", [("a", "x")])])
    assert record.fields[0].is_control_field() is iso2709.is_control_tag(record.fields[0].tag)


_KAZAKH = "Қазақ әдебиеті: ә ғ қ ң ө ұ ү һ і"
_RUSSIAN = "Русская литература ёЁ"


def _agrees_with_parse(chunk: bytes, encoding: str | None = None) -> tuple:
    """``read_record_parts`` of ``chunk``, checked against ``parse`` (encoding, warnings, fields)."""
    record, used, warnings, parts = iso2709.read_record_parts(chunk, encoding)
    assert_same_as_parse((record, used, warnings), chunk, encoding)
    if parts is not None:
        assert_parts_agree(record, parts)
    return record, used, warnings, parts


def _kazakh_record(encoding: str = "utf-8") -> bytes:
    leader = "00000nam a2200000 i 4500" if encoding == "utf-8" else "00000nam  2200000 i 4500"
    return _record([("001", None, "kz-2"), ("245", "10", [("a", _KAZAKH), ("b", _RUSSIAN)]),
                    ("650", " 7", [("a", "Проза"), ("2", "rubbk")])], leader, encoding)


def _with_directory_entry(chunk: bytes, entry: int, length: bytes | None = None, start: bytes | None = None) -> bytes:
    """``chunk`` with one directory entry's length or start overwritten (same size, so the rest stays put)."""
    at = 24 + 12 * entry
    if length is not None:
        chunk = chunk[: at + 3] + length + chunk[at + 7 :]
    if start is not None:
        chunk = chunk[: at + 7] + start + chunk[at + 12 :]
    return chunk


def test_kazakh_and_russian_text_is_clean():
    record, used, warnings, parts = _agrees_with_parse(_kazakh_record())
    assert (used, warnings) == ("utf-8", []) and parts is not None
    assert record["245"]["a"] == _KAZAKH and record["245"]["b"] == _RUSSIAN


def test_a_record_without_terminator_keeps_its_last_field():
    record, _, warnings, parts = _agrees_with_parse(_kazakh_record()[:-1])
    assert warnings[0].startswith("no record terminator") and parts is not None
    assert parts[2].endswith("\x1f2rubbk") and record["650"]["2"] == "rubbk"


@pytest.mark.parametrize("length, start, note", [
    (b"0999", None, "field length(s) in the directory are wrong"),
    (b"0003", None, "field length(s) in the directory are wrong"),
    (b"00x1", None, "field length(s) in the directory are wrong"),
    (None, b"00001", "directory does not match the data"),
    (None, b"99999", "directory does not match the data"),
    (None, b"0000x", "directory does not match the data"),
])
def test_directory_mismatches_give_the_same_warnings(length, start, note):
    chunk = _with_directory_entry(_kazakh_record(), 1, length, start)
    _, used, warnings, _ = _agrees_with_parse(chunk)
    assert used == "utf-8" and any(note in w for w in warnings)


def test_a_directory_in_another_order_is_read_in_its_order():
    chunk = _kazakh_record()
    entries = [chunk[24 + 12 * i : 36 + 12 * i] for i in range(3)]
    swapped = chunk[:24] + entries[2] + entries[1] + entries[0] + chunk[60:]
    record, _, warnings, _ = _agrees_with_parse(swapped)
    assert warnings == [] and [f.tag for f in record.fields] == ["650", "245", "001"]


def test_cp1251_rusmarc_declared_in_100a_is_clean():
    f100 = "20240101d2010    k  y0rusy0189    ca"
    chunk = _record([("001", None, "ru-1"), ("100", "  ", [("a", f100)]), ("200", "1 ", [("a", _RUSSIAN)])],
                    "00000nam  2200000 i 4500", "cp1251")
    record, used, warnings, parts = _agrees_with_parse(chunk)
    assert (used, warnings) == ("cp1251", []) and parts is not None
    assert record["200"]["a"] == _RUSSIAN


def test_cp1251_marc21_is_guessed_the_same_way():
    record, used, _, parts = _agrees_with_parse(_kazakh_record("kz1048"))
    assert used in ("kz1048", "cp1251") and parts is not None


@pytest.mark.parametrize("value", [b"a\x1f\x1fb", b"a\x1f", b"\x1f\x1e"[:1]])
def test_an_empty_subfield_in_a_control_field_gives_no_parts(value):
    chunk = _raw_record([(b"001", value), (b"245", b"10\x1faT")])
    record, _, _, parts = _agrees_with_parse(chunk)
    assert parts is None and record["001"].data == value.decode()


def test_a_given_encoding_is_used_as_given():
    record, used, warnings, parts = _agrees_with_parse(_kazakh_record(), "utf-8")
    assert (used, warnings) == ("utf-8", []) and parts is not None


def test_a_long_directory_is_read_without_a_cached_unpacker():
    """Directories longer than the cached ``struct`` sizes are sliced, with the same result; the cache stays small."""
    fields = [("001", None, "long")] + [(f"5{i % 100:02d}", "  ", [("a", f"note {i}")]) for i in range(600)]
    chunk = _record(fields)
    record, used, warnings, parts = _agrees_with_parse(chunk)
    assert warnings == [] and parts is not None and len(record.fields) == 601
    assert_parts_are_the_bytes(parts, chunk, used)
    assert all(n <= iso2709._DIR_TAGS_CACHED for n in iso2709._DIR_TAGS)


def test_parts_count_the_control_fields_that_begin_the_record():
    first = _raw_record([(b"001", b"kz-2"), (b"005", b"20240101"), (b"245", "10\x1faТарих".encode())])
    later = _raw_record([(b"245", "10\x1faТарих".encode()), (b"001", b"kz-3")])
    only = _raw_record([(b"001", b"kz-4"), (b"008", b"190102s2010    kz")])
    got = [iso2709.read_record_parts(chunk)[3] for chunk in (first, later, only)]
    assert [parts[3] for parts in got] == [2, None, 2]
    lazy = [iso2709.read_record_lazy(chunk)[3] for chunk in (first, only)]
    assert lazy == [got[0], got[2]]
    for chunk, parts in zip((first, later, only), got):
        assert_parts_agree(iso2709.read_record_parts(chunk)[0], parts)
