"""validate with ``parts`` (the clean record text ``iso2709.read_record_parts`` gives) finds exactly what the
field loop finds, and the fast check passes clean records (a disabled fast path fails here)."""

from __future__ import annotations

import pytest
from pymarc import Field, Indicators, Record, Subfield

from libcat.marc import iso2709
from libcat.marc.fieldindex import index
from libcat.marc.flavour import MARC21, UNIMARC, detect, set_flavour
from libcat.marc.validate import _clean, _structure, validate
from corpus_records import clean_records

KAZ = "Қазақ әдебиеті: ғылым, өнер, ұлт, үміт, һәм ілім"


def _same(record: Record, flavour: str, position: int | None = None) -> bool | None:
    """Asserts that validation of ``record`` read back by the reader, with its parts, equals validation
    without them and that the fast check passes it only when the field loop finds nothing; True when the
    fast check passed it, None when the reader gives no parts (it repaired a field)."""
    got, _, _, parts = iso2709.read_record_parts(record.as_marc())
    if parts is None:
        return None
    assert validate(got, flavour, position, parts=parts) == validate(got, flavour, position)
    idx = index(got)
    found: list = []
    _structure(got, flavour, position, found, idx)
    fast = _clean(got, flavour, idx, parts)
    assert not (fast and found), found
    return fast


def test_fast_equals_slow_on_every_corpus_record(corpus):
    """Every corpus record the reader gives parts for; a good share of them pass the fast check."""
    checked = fast = 0
    for position, record, parts in clean_records(corpus):
        idx = index(record)
        flavour = detect(record, idx)
        assert validate(record, flavour, position, idx, parts=parts) == validate(record, flavour, position)
        checked += 1
        fast += _clean(record, flavour, idx, parts)
    assert checked > 100
    assert fast >= checked // 4, (fast, checked)


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
    Field(tag="005", data="2024\x1fa0101"),
]


@pytest.mark.parametrize("bad", range(len(BAD_FIELDS)))
@pytest.mark.parametrize("flavour", [MARC21, UNIMARC])
def test_fast_equals_slow_on_crafted_bad_records(bad, flavour):
    good = [Field(tag="001", data="kz-1"), Field(tag="008", data="240101s2023    kz            000 0 kaz d"),
            _df("245", "10", ("a", KAZ)), _df("200", "1 ", ("a", "Русский текст и " + KAZ)),
            _df("650", " 7", ("a", "Тарих"), ("x", "ғылым"), ("x", "білім"))]
    _same(_rec(flavour, *good, BAD_FIELDS[bad]), flavour, 3)
    assert _same(_rec(flavour, *good), flavour, 3) is True


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
    assert _same(_rec(flavour, *fields), flavour, 5) is not None


@pytest.mark.parametrize("flavour", [MARC21, UNIMARC])
def test_once_only_code_repeated_where_it_may_repeat_is_clean(flavour):
    """$a is once-only in 245 but may repeat in 041 or a tag without a rule ($x likewise in 606): the fast scan finds
    the repeat, and the tag's own rule lets it pass."""
    rec = _rec(flavour, Field(tag="001", data="kz-4"), _df("245", "10", ("a", KAZ)), _df("200", "1 ", ("a", KAZ)),
               _df("041", "0 ", ("a", "kaz"), ("a", "rus")), _df("606", "  ", ("a", "Тарих"), ("x", "ғылым"), ("x", "білім")),
               _df("999", "  ", ("a", "1"), ("a", "2")))
    assert _same(rec, flavour, 4) is True


@pytest.mark.parametrize("flavour", [MARC21, UNIMARC])
def test_control_field_holding_a_subfield_separator_is_not_clean(flavour):
    rec = _rec(flavour, Field(tag="001", data="kz\x1fa5"), _df("245", "10", ("a", KAZ)), _df("200", "1 ", ("a", KAZ)))
    assert _same(rec, flavour, 6) is False


def test_control_field_after_data_fields_is_judged_the_same():
    rec = _rec(MARC21, _df("245", "10", ("a", KAZ)), Field(tag="001", data="kz-3"), Field(tag="005", data=" "))
    assert _same(rec, MARC21, 1) is False


def test_language_codes_are_lower_case_without_spaces():
    """The language checks skip a code found as it is in ``languages()``: that holds only for normal codes."""
    from libcat.marc.validate import languages

    assert all(code == code.strip().lower() for code in languages())
