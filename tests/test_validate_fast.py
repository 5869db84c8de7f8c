"""validate with ``parts`` (the clean record text iso2709 reads) gives exactly the findings of the field loop."""

from __future__ import annotations

from pathlib import Path

import pytest
from pymarc import Field, Indicators, Record, Subfield

from libcat.marc import io as marc_io
from libcat.marc.flavour import MARC21, UNIMARC, set_flavour
from libcat.marc.validate import validate

KAZ = "Қазақ әдебиеті: ғылым, өнер, ұлт, үміт, һәм ілім"


def parts_of(record: Record) -> tuple[str, list[str], str] | None:
    """The ``parts`` iso2709 gives for ``record``; None when a field breaks the parts contract."""
    values = []
    for f in record.fields:
        if f.is_control_field():
            value = f.data or ""
            if "\x1e" in value:
                return None
        else:
            ind = f.indicator1 + f.indicator2
            subs = "".join("\x1f" + s.code + (s.value or "") for s in f.subfields)
            value = ind + subs
            if len(ind) != 2 or "\x1f" in ind or not f.subfields or any(
                    len(s.code) != 1 or s.code in "\x1e\x1f" or "\x1e" in (s.value or "") or "\x1f" in (s.value or "")
                    for s in f.subfields):
                return None
        values.append(value)
    text = "\x1e".join(values)
    if "\x1f\x1e" in text or "\x1f\x1f" in text or text.endswith("\x1f"):
        return None
    return str(record.leader), [f.tag for f in record.fields], text


def _same(record: Record, flavour: str | None = None, position: int | None = None) -> int:
    parts = parts_of(record)
    if parts is None:
        return 0
    assert validate(record, flavour, position, parts=parts) == validate(record, flavour, position)
    return 1


def _iso_files(corpus: Path) -> list[Path]:
    files = []
    for path in sorted(corpus.rglob("*")):
        if path.is_file() and path.suffix.lower() in (".mrc", ".dat", ".iso", ".marc"):
            with open(path, "rb") as fh:
                head = fh.read(65536)
            if head.strip() and marc_io.detect_format(head, path.name) == "iso2709":
                files.append(path)
    return files


def test_fast_equals_slow_on_every_corpus_record(corpus):
    files = _iso_files(corpus)
    assert len(files) >= 10
    checked = 0
    for path in files:
        for item in marc_io.read(path):
            if item.record is not None:
                checked += _same(item.record, item.flavour, item.position)
    assert checked > 100


def _df(tag: str, ind: str, *pairs: tuple[str, str]) -> Field:
    return Field(tag=tag, indicators=Indicators(ind[0], ind[1]), subfields=[Subfield(c, v) for c, v in pairs])


def _rec(flavour: str, *fields: Field, leader: str = "00000nam a2200000 i 4500") -> Record:
    rec = Record(leader=leader)
    for f in fields:
        rec.add_field(f)
    return set_flavour(rec, flavour)


BAD_FIELDS = [
    _df("245", "1Q", ("a", KAZ)),
    _df("245", "19", ("a", KAZ)),
    _df("650", "ә ", ("a", KAZ)),
    _df("650", " 4", ("A", "x")),
    _df("650", " 4", ("ә", "x")),
    _df("650", " 4", ("қ", KAZ), ("a", "y")),
    _df("650", " 4", ("$", "x")),
    _df("100", "1 ", ("a", "Абай"), ("a", "Құнанбайұлы")),
    _df("500", "  ", ("a", "  ")),
    _df("500", "  ", ("a", ""), ("b", KAZ)),
    _df("653", "  ", ("a", "bad\x1bchar")),
    _df("653", "  ", ("a", "non\ufffechar")),
    _df("999", "|0", ("a", KAZ)),
    _df("24A", "10", ("a", KAZ)),
    _df("0A1", "  ", ("a", KAZ)),
    Field(tag="005", data="   "),
    Field(tag="001", data="id\x0bx"),
    Field(tag="001", data="x"),
]


@pytest.mark.parametrize("bad", range(len(BAD_FIELDS)))
@pytest.mark.parametrize("flavour", [MARC21, UNIMARC])
def test_fast_equals_slow_on_crafted_bad_records(bad, flavour):
    good = [Field(tag="001", data="kz-1"), Field(tag="008", data="240101s2023    kz            000 0 kaz d"),
            _df("245", "10", ("a", KAZ)), _df("200", "1 ", ("a", "Русский текст и " + KAZ)),
            _df("650", " 7", ("a", "Тарих"), ("x", "ғылым"), ("x", "білім"))]
    rec = _rec(flavour, *good, BAD_FIELDS[bad])
    assert _same(rec, flavour, 3) == 1
    clean = _rec(flavour, *good)
    assert _same(clean, flavour, 3) == 1


RULE_FIELDS = [
    _df("020", "  ", ("a", "9786010045728")),
    _df("020", "  ", ("a", "978-601-004-572-9 (в пер.)"), ("c", "1500 тг")),
    _df("020", "  ", ("a", "5-7667-1234-Х")),
    _df("020", "  ", ("a", "12345")),
    _df("020", "  ", ("a", "9776010045720")),
    _df("020", "  ", ("a", "без ISBN")),
    _df("020", "  ", ("a", "٩٧٨٦٠١٠٠٤٥٧٢٩")),
    _df("022", "  ", ("a", "0378-5954")),
    _df("041", "0 ", ("a", "kazrus"), ("h", "eng")),
    _df("041", "0 ", ("a", "xxx"), ("b", "ENG")),
    _df("041", "0 ", ("a", "qaa-qtz")),
    _df("041", " 7", ("a", "kk"), ("2", "iso639-1")),
    _df("264", " 1", ("a", "Алматы :"), ("b", "Атамұра,"), ("c", "2999")),
    _df("264", " 1", ("c", "[1964], ©0000 ә 12345")),
    _df("260", "  ", ("c", "1964.")),
    _df("245", "10", ("b", "тек қосымша атау")),
    _df("245", "10", ("a", "  "), ("a", KAZ)),
    _df("650", " 7", ("x", "ғылым"), ("x", "тарих"), ("a", "Қазақстан")),
    Field(tag="008", data="991332s0000    kz            000 0 xxx d"),
    Field(tag="008", data="240229s2999uuuukz            000 0 ENG d"),
    Field(tag="008", data="230229s19649999kz            000 0 rus d"),
    Field(tag="008", data="240101s2023"),
]


@pytest.mark.parametrize("extra", range(len(RULE_FIELDS)))
@pytest.mark.parametrize("flavour", [MARC21, UNIMARC])
def test_fast_equals_slow_on_crafted_rule_findings(extra, flavour):
    """ISBN, ISSN, 008 date, year and language rules give the same findings with and without parts."""
    fields = [Field(tag="001", data="kz-2"), _df("245", "10", ("a", KAZ)),
              _df("200", "1 ", ("a", "Русский текст и " + KAZ)), _df("100", "  ", ("a", "20240101d1964    u  y0kazy50      ca")),
              _df("101", "0 ", ("a", "kaz")), RULE_FIELDS[extra]]
    if RULE_FIELDS[extra].tag != "008":
        fields.insert(1, Field(tag="008", data="240101s2023    kz            000 0 kaz d"))
    rec = _rec(flavour, *fields)
    assert _same(rec, flavour, 5) == 1


def test_control_field_after_data_fields_is_judged_the_same():
    rec = _rec(MARC21, _df("245", "10", ("a", KAZ)), Field(tag="001", data="kz-3"), Field(tag="005", data=" "))
    assert _same(rec, MARC21, 1) == 1


def test_language_codes_are_lower_case_without_spaces():
    """The language checks skip a code found as it is in ``languages()``: that holds only for normal codes."""
    from libcat.marc.validate import languages

    assert all(code == code.strip().lower() for code in languages())
