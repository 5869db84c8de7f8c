"""The reader's fast path for clean records (fields split at 0x1E and 0x1F, subfields built flat) against the
plain rule: each field decoded on its own by ``_decode_field`` and built by ``fields_to_record``. Records,
fields and subfields must be the same objects in every respect: types, every pymarc slot (set or unset),
``Parts`` exactly when the module docstring's clean rule holds, and the same warnings."""

from __future__ import annotations

import random
import re

import pytest
from pymarc import Field, Record

from libcat.marc import iso2709
from corpus_records import iso_files
from test_reader_parts import _raw_record

_UNSET = object()
_FIELD_SLOTS = [s if not s.startswith("__") else "_Field" + s for s in Field.__slots__]
_RECORD_SLOTS = [s if not s.startswith("__") else "_Record" + s for s in Record.__slots__ if s != "fields"]
#: A 0x1F that starts no subfield: followed by 0x1F, by 0x1E or by nothing (the docstring's "subfield empty").
_EMPTY_SUBFIELD = re.compile("\x1f(?![^\x1f\x1e])")


def _typed(value):
    """``value`` with the type of each part spelled out, so that == also compares types."""
    if isinstance(value, (list, tuple)):
        return type(value), tuple(map(_typed, value))
    return type(value), value


def _state(record: Record) -> tuple:
    """Everything a pymarc Record and its fields hold: slot by slot, typed, unset slots marked."""
    fields = tuple((type(f),) + tuple(_typed(getattr(f, s, _UNSET)) for s in _FIELD_SLOTS) for f in record.fields)
    slots = tuple(_typed(getattr(record, s, _UNSET)) for s in _RECORD_SLOTS if s != "leader")
    return type(record), type(record.leader), vars(record.leader), slots, type(record.fields), fields


def _plain(chunk: bytes, encoding: str | None = None) -> tuple[Record, str, list[str], bool]:
    """The plain rule: the record built field by field from its bytes, its encoding and repairs, and whether
    the module docstring calls it clean (decoded in one go, no empty subfield, every data field two indicators
    and at least one subfield)."""
    leader_b, tags_b, values, warnings, used, text = iso2709._decoded(chunk, encoding)
    tags = [t.decode("latin-1") for t in tags_b]
    fields = [iso2709._decode_field(tag, value, used, warnings) for tag, value in zip(tags, values)]
    clean = text is not None and not _EMPTY_SUBFIELD.search(text) and all(
        iso2709.is_control_tag(tag) or (value.find("\x1f") == 2)
        for tag, value in zip(tags, text.split("\x1e")))
    return iso2709.fields_to_record(leader_b.decode("latin-1"), fields), used, warnings, clean


def assert_fast_is_plain(chunk: bytes, encoding: str | None = None) -> bool:
    """``read_record_parts`` gives the plain rule's record, encoding and repairs, and parts exactly when clean."""
    record, used, warnings, parts = iso2709.read_record_parts(chunk, encoding)
    plain, plain_used, plain_warnings, clean = _plain(chunk, encoding)
    assert (parts is not None) == clean
    if clean:
        assert (used, warnings) == (plain_used, plain_warnings)
        assert _state(record) == _state(plain)
    else:
        parsed = iso2709.parse(chunk, encoding)
        assert (used, warnings) == (parsed.encoding, parsed.warnings)
        assert _state(record) == _state(iso2709.fields_to_record(parsed.leader, parsed.fields))
    return clean


_HEADS = [b"", b"1", b"10", b" 7", b"\x1f0", b"1\x1f", b"10x", b"\xd0\x96\xd0\x96", b"abc"]
_BODIES = [b"", b"\x1faT", b"\x1faT\x1fbU", b"\x1f", b"\x1f\x1faT", b"\x1faT\x1f", b"\x1f\xd0\x96\xd0\xb7",
           b"\x1f a", b"\x1f1\xd0\x9f\xd1\x80\xd0\xbe\xd0\xb7\xd0\xb0", b"\x1fa\x1eb"]
_CONTROLS = [b"", b"x", b"a\x1fb", b"a\x1f", b"\x1f", b"a\x1f\x1fb", b"\x1fa\x1fb", b"\xd0\x96\x1f\xd0\x96"]
_LEADERS = [b"00000nam a2200000 i 4500", b"00000nam  2200000 i 4500"]


@pytest.mark.parametrize("leader", _LEADERS)
def test_crafted_fields_read_as_the_plain_rule(leader):
    """Empty subfields, 0x1F in control fields, missing or broken indicators, stray 0x1E, non-ASCII codes."""
    clean = 0
    for head in _HEADS:
        for body in _BODIES:
            for control in _CONTROLS:
                fields = [(b"001", control), (b"245", head + body), (b"650", b" 7\x1faA")]
                clean += assert_fast_is_plain(_raw_record(fields, leader))
                clean += assert_fast_is_plain(_raw_record(fields[::-1], leader))
    assert clean > 50


@pytest.mark.parametrize("tag", [b"001", b"009", b"00A", b"010", b"LDR", b"   ", b"A  ", b"\xff\xfe\x01"])
def test_any_tag_reads_as_the_plain_rule(tag):
    for value in _CONTROLS + [b"10\x1faT", b" 7\x1fa\xd0\x96\x1f2x"]:
        assert_fast_is_plain(_raw_record([(tag, value)]))
        assert_fast_is_plain(_raw_record([(tag, value), (b"245", b"10\x1faX")]))


@pytest.mark.parametrize("encoding", ["utf-8", "cp1251", "kz1048", "koi8_r", "latin-1"])
def test_code_pages_read_as_the_plain_rule(encoding):
    text = "Қазақ әдебиеті ё" if encoding in ("utf-8", "kz1048") else "Русская литература ё"
    if encoding == "latin-1":
        text = "Café"
    fields = [("001", None, "id-1"), ("100", "  ", [("a", "20240101d2010    k  y0rusy0189    ca")]),
              ("200", "1 ", [("a", text), ("b", "x")]), ("650", " 7", [("a", text), ("2", "rubbk")])]
    for leader in ("00000nam a2200000 i 4500", "00000nam  2200000 i 4500"):
        chunk, problems = iso2709.encode(leader, fields, encoding)
        assert chunk is not None and not problems
        assert_fast_is_plain(chunk)
        assert assert_fast_is_plain(chunk, encoding)


def test_marc8_and_a_long_directory_read_as_the_plain_rule():
    marc8 = _raw_record([(b"001", b"x"), (b"245", b"10\x1faCaf\xe2e")], leader=b"00000nam  2200000 i 4500")
    assert not assert_fast_is_plain(marc8)
    many = [(b"001", b"long")] + [(b"5%02d" % (i % 100), b"  \x1fanote %d" % i) for i in range(600)]
    assert assert_fast_is_plain(_raw_record(many))


def test_random_records_read_as_the_plain_rule():
    rnd = random.Random(7)
    pieces = [b"a", b"\x1f", b"\x1fa", b"\x1f\x1f", b"\x1e", b" ", b"10", b"\xd0\x96", b"\xe2", b"\x1f\xd0\x96", b""]
    clean = 0
    for _ in range(3000):
        fields = []
        for _ in range(rnd.randint(1, 6)):
            tag = rnd.choice([b"001", b"008", b"00A", b"245", b"650", b"LDR"])
            if rnd.random() < 0.6:
                value = rnd.choice([b"10", b" 7", b"1"]) + b"".join(
                    b"\x1f" + rnd.choice([b"a", b"\xd0\x96", b"1"]) + rnd.choice(pieces) for _ in range(rnd.randint(0, 4)))
            else:
                value = b"".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 5)))
            fields.append((tag, value))
        clean += assert_fast_is_plain(_raw_record(fields, rnd.choice(_LEADERS)))
    assert clean > 150


def test_corpus_records_read_as_the_plain_rule(corpus):
    clean = 0
    for path in iso_files(corpus):
        with open(path, "rb") as fh:
            for _, chunk in iso2709.iter_chunks(fh):
                try:
                    clean += assert_fast_is_plain(chunk)
                except iso2709.RecordError:
                    continue
    assert clean > 1000
