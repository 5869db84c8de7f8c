"""``marcjson.json_from_text`` (JSON built from iso2709 record text) gives exactly ``record_to_json``, or None."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pymarc import Field, Indicators, Leader, Record, Subfield

from libcat.marc import iso2709, marcjson
from libcat.marc.marcjson import json_from_text, record_to_json
from corpus_records import clean_records

LEADER = "01230naa a2200277 i 4500"
KAZAKH = "Әдебиет ғылым қазақ тілінде: ң ө ұ ү һ і — Русский текст ё"


def _parts(record: Record) -> iso2709.Parts:
    """The (leader, tags, text, controls) iso2709 gives for a clean record."""
    values = [
        f.data if f.is_control_field() else f.indicators[0] + f.indicators[1] + "".join("\x1f" + c + v for c, v in f.subfields)
        for f in record.fields
    ]
    tags = [f.tag for f in record.fields]
    return str(record.leader), tags, "\x1e".join(values), iso2709.leading_controls(tags)


def _record(*fields: Field) -> Record:
    record = Record(force_utf8=True)
    record.leader = Leader(LEADER)
    record.fields = list(fields)
    return record


def _data(tag: str, ind: str, *subs: tuple[str, str]) -> Field:
    return Field(tag=tag, indicators=Indicators(ind[0], ind[1]), subfields=[Subfield(c, v) for c, v in subs])


def _same_or_none(record: Record) -> str | None:
    """``json_from_text`` of the record, which must be ``record_to_json``'s text when it is not None."""
    got = json_from_text(*_parts(record))
    assert got is None or got == record_to_json(record)
    return got


def _same(record: Record) -> str:
    """``json_from_text`` of a record it must build: exactly ``record_to_json``'s text."""
    got = json_from_text(*_parts(record))
    assert got is not None and got == record_to_json(record)
    return got


#: Characters JSON writes escaped: quote, backslash, controls other than the delimiters 0x1E and 0x1F.
_ESCAPED = re.compile('["\\\\\x00-\x1d]')


def _json_expected(parts: tuple[str, list[str], str]) -> bool:
    """True when ``json_from_text`` must build the JSON of a clean record: nothing to escape and the control
    fields first (what real catalogues write)."""
    control = [iso2709.is_control_tag(tag) for tag in parts[1]]
    return _ESCAPED.search(parts[2]) is None and control == sorted(control, reverse=True)


def test_every_clean_record_of_the_corpus(corpus: Path):
    clean = expected = built = 0
    for _, record, parts in clean_records(corpus):
        clean += 1
        expected += _json_expected(parts)
        got = json_from_text(*parts)
        if got is not None:
            built += 1
            assert got == record_to_json(record)
    assert clean > 1000, "most corpus records are clean"
    assert built == expected, "JSON is built for every clean record that needs no escaping"
    assert built >= 0.75 * clean, f"JSON built from the text for only {built} of {clean} clean records"


def test_kazakh_and_russian_text():
    record = _record(
        Field(tag="001", data="KZ-0001"),
        Field(tag="008", data="140408s1964    kz            000 0 kaz d"),
        _data("245", "10", ("a", KAZAKH), ("b", "қарағанды"), ("c", "")),
        _data("650", " 7", ("a", "Ән"), ("2", "nlrkrubr")),
    )
    _same(record)


def test_empty_control_field_and_only_control_fields():
    _same(_record(Field(tag="001", data=""), Field(tag="005", data="20210115093000.0")))


def test_data_fields_only_and_odd_tags():
    _same(_record(_data("245", "  ", ("a", "x")), _data("1119", "01", ("a", "y")), _data("01A", "  ", ("a", "z"))))


@pytest.mark.parametrize("value", ['say "hi"', "back\\slash", "tab\there", "nl\nx", "\x00", "\x1b(B", "end\\", "\\u001f"])
def test_values_that_json_escapes(value):
    _same_or_none(_record(Field(tag="001", data=value), _data("245", "10", ("a", value), ("b", value))))


@pytest.mark.parametrize("code", ['"', "\\", "\t", "\x1e", "\x1f"])
def test_codes_that_json_escapes(code):
    _same_or_none(_record(_data("245", "10", ("a", "x"), (code, "y"))))


@pytest.mark.parametrize("code", ["é", "Ә", "$", "0", "9"])
def test_codes_that_json_keeps(code):
    _same(_record(_data("245", "10", ("a", "x"), (code, "y"))))


@pytest.mark.parametrize("ind", ['"0', '0"', "\\ ", " \\", "\t0", "\x1f ", "\x1e "])
def test_indicators_that_json_escapes(ind):
    _same_or_none(_record(_data("245", ind, ("a", "x"))))


@pytest.mark.parametrize("ind", ["  ", "10", " 7", "#a", "ә1"])
def test_plain_indicators(ind):
    _same(_record(_data("245", ind, ("a", "x"))))


@pytest.mark.parametrize("data", ["a\x1fbc", "ab\x1fc", "\x1fa"])
def test_control_field_holding_a_delimiter(data):
    assert _same_or_none(_record(Field(tag="001", data=data), _data("245", "10", ("a", "x")))) is None
    assert _same_or_none(_record(_data("245", "10", ("a", "x")), Field(tag="008", data=data))) is None


def test_control_field_after_data_fields():
    _same_or_none(_record(_data("245", "10", ("a", "x")), Field(tag="001", data="1")))


@pytest.mark.parametrize("leader", ['01230naa a2200277 i 45"0', "01230naa a2200277 i 45\\0", "01230naa\ta2200277 i 4500"])
def test_leader_that_json_escapes(leader):
    record = _record(_data("245", "10", ("a", "x")))
    record.leader = Leader(leader)
    _same(record)


def test_caches_stay_bounded_for_many_tags_and_codes():
    """Hostile input with thousands of distinct tags and codes gives right JSON and caches no more than their cap."""
    letters = [chr(c) for c in range(0x410, 0x410 + 80)]
    tags = [a + b + "X" for a in letters for b in letters]
    codes = [chr(c) for c in range(0x4E00, 0x4E00 + 5000)]
    record = _record(*(_data(tag, "  ", ("a", "v")) for tag in tags), _data("245", "10", *((c, "y") for c in codes)))
    _same(record)
    assert max(len(marcjson._OPENERS), len(marcjson._WRAPPERS), len(iso2709._CONTROL)) <= iso2709.MEMO_SIZE
