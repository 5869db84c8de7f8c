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
    fast = _clean(flavour, idx, parts)
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
        fast += _clean(flavour, idx, parts)
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


DATES_008 = ["240101", "240229", "230229", "000229", "000000", "991332", "240431", "241131", "240230", "241301",
             "240100", "2401 1", "      ", "uuuuuu", "٢٤٠١٠١", "24013\u00b2", "ab0101", "24\n101"]
YEARS_008 = ["0000", "0001", "0999", "1964", "2026", "2027", "2028", "2099", "3000", "9998", "9999", "19uu", "    ",
             "||||", "١٩٦٤", "²⁰²⁰", "2O27", "20 7", "19\u00a0 "]
LANGS_008 = ["kaz", "rus", "   ", "|||", "xxx", "ENG", " kz", "kz ", "qaa", "ёжз", "k\tz"]


def _findings_008(check, data: str, max_year: int) -> list:
    out: list = []
    try:
        check(data, out, 1, max_year)
    except ValueError as exc:  # int() of a superscript digit fails in the rule itself
        return [type(exc)]
    return [(f.code, f.tag, f.subfield, f.args) for f in out]


@pytest.mark.parametrize("max_year", [2027, 2030, 2100])
def test_008_fast_check_equals_the_rule(max_year):
    """``_check_008`` (one regex and one set lookup for a clean 008) finds what ``_check_008_fields`` finds,
    position by position, for dates entered, dates 1 and 2, languages and lengths, clean or not."""
    from libcat.marc.validate import _check_008, _check_008_fields

    values = [f"{d}s{y1}{y2}kz            000 0 {lang} d"
              for d in DATES_008 for y1 in YEARS_008 for y2 in YEARS_008[::3] for lang in LANGS_008[::4]]
    values += [f"240101s{y1}{y2}kz            000 0 {lang} d" for y1 in YEARS_008 for y2 in YEARS_008
               for lang in LANGS_008]
    values += ["240101s2023    kz            000 0 kaz d"[:n] for n in range(41)]
    values += ["240101s2023    kz            000 0 kaz d  ", "240101s2023    kz            000 0 kaz dә"]
    for data in values:
        assert _findings_008(_check_008, data, max_year) == _findings_008(_check_008_fields, data, max_year), data


def test_008_fast_check_passes_clean_values():
    """The regex takes the usual clean 008s (so the shortcut is used), and no others end up skipped."""
    from libcat.marc.validate import _clean_008

    for data in ["240101s2023    kz            000 0 kaz d", "000229s19uu    xx            000 0 rus d",
                 "      s||||9999kz            000 0 kaz d", "991231m19642027kz            000 0 eng d"]:
        assert _clean_008(2027).fullmatch(data), data
    for data in ["240229s2023    kz            000 0 kaz d"[:39], "230229s2023    kz            000 0 kaz d",
                 "240101s0000    kz            000 0 kaz d", "240101s2028    kz            000 0 kaz d",
                 "240101s20239998kz            000 0 kaz d", "240101s١٩٦٤    kz            000 0 kaz d"]:
        assert not _clean_008(2027).fullmatch(data), data


@pytest.mark.parametrize("top", [0, 1, 999, 1000, 1999, 2027, 2030, 2099, 2100, 9998, 9999])
def test_upto_matches_exactly_the_years_up_to_top(top):
    import re

    from libcat.marc.validate import _upto

    pattern = re.compile(_upto(top))
    assert [y for y in range(10000) if pattern.fullmatch(f"{y:04d}")] == list(range(top + 1))


def test_text_years_shortcut_equals_the_rule():
    """``_check_text_years`` reports every free-standing year after the maximum, as ``_YEARS`` finds them, though
    it looks only when ``_odd_year`` sees a year not plainly possible."""
    from libcat.marc.validate import _YEARS, _check_text_years

    values = ["1964", "[2023], ©2020", "2028", "12345", "١٩٦٤", "٢٠٩٩", "x2027y", "c2027", "20271", "0000", "9999",
              "1964-2099", "2027.", "2026-2028", "p1999, c2030", "[19--?]", "2027 2028 2029", "abc", "", "1 2 3 4"]
    for max_year in (2027, 2030, 2100):
        for value in values:
            out: list = []
            _check_text_years(value, out, 1, "264", "c", max_year)
            late = [y for y in _YEARS.findall(value) if int(y) > max_year] if len(value) >= 4 else []
            assert [f.args["value"] for f in out] == late, (value, max_year)


@pytest.mark.parametrize("tags", [["001", "245", "245"], ["001", "650", "650", "245"], ["100", "110", "100"],
                                  ["001", "003", "001"], [], ["650"], ["245", "650", "100", "650", "700", "700"]])
@pytest.mark.parametrize("flavour", [MARC21, UNIMARC])
def test_repeats_check_equals_the_count_per_tag(tags, flavour):
    """No non-repeatable tag twice in ``parts``' tags exactly when the index holds each such tag once."""
    from libcat.marc.validate import _fast, _prepared, _repeats_clean

    rules = _prepared(flavour)
    counts = {tag: tags.count(tag) for tag in tags}
    expected = all(n == 1 for tag, n in counts.items() if tag in rules and not rules[tag].repeatable)
    assert _repeats_clean(_fast(flavour), tags) is expected



def test_xml_check_equals_the_character_rule():
    """``_xml_clean`` refuses a text exactly when a character other than the separators is one ``_BAD_XML``
    forbids, for every character of the Basic Multilingual Plane and a few beyond it."""
    from libcat.marc.validate import _BAD_XML, _xml_clean

    for c in [*range(0x10000), 0x10000, 0x1F600, 0x10FFFF]:
        ch = chr(c)
        assert _xml_clean(f"ab\x1fc{ch}\x1e  \x1fd") is (ch in "\x1e\x1f" or not _BAD_XML.match(ch)), hex(c)


DATES_100 = ["20240101", "20240229", "20230229", "19000229", "20000229", "00000101", "20241301", "20240431", "20240100",
             "2024 101", "        ", "uuuuuuuu", "٢٠٢٤٠١٠١", "2024010\u00b2", "d2024010"]


@pytest.mark.parametrize("max_year", [2027, 2030, 2100])
def test_100a_fast_check_equals_the_rule(max_year):
    """``_check_100a`` (one regex and one set lookup for a clean UNIMARC 100$a) finds what
    ``_check_100a_fields`` finds, position by position."""
    from libcat.marc.validate import _check_100a, _check_100a_fields, languages

    def found(check, a):
        out: list = []
        try:
            check(a, out, 1, max_year, languages())
        except ValueError as exc:
            return [type(exc)]
        return [(f.code, f.tag, f.subfield, f.args) for f in out]

    values = [f"{d}d{y1}{y2}u  y0{lang}y50      ca"
              for d in DATES_100 for y1 in YEARS_008 for y2 in YEARS_008[::3] for lang in LANGS_008[::4]]
    values += [f"20240101d{y1}{y2}u  y0{lang}y50      ca" for y1 in YEARS_008 for y2 in YEARS_008
               for lang in LANGS_008]
    values += ["20240101d1964    u  y0kazy50      ca"[:n] for n in range(37)] + ["20240101d1964    u  y0kazy50      ca "]
    for a in values:
        assert found(_check_100a, a) == found(_check_100a_fields, a), a


def test_100a_fast_check_passes_clean_values():
    from libcat.marc.validate import _clean_100a

    for a in ["20240101d1964    u  y0kazy50      ca", "19991231a19uu9999k  y0rusy0189    ba"]:
        assert _clean_100a(2027).fullmatch(a), a


ONCE_CASES = {
    "repeated-once-code": _df("246", "10", ("a", KAZ), ("b", "Русский"), ("a", "ещё")),
    "repeated-once-code-adjacent": _df("100", "1 ", ("a", "Абай"), ("a", "Құнанбайұлы")),
    "repeated-once-code-not-first": _df("700", "1 ", ("e", "ред."), ("q", "А."), ("d", "1845"), ("q", "Б.")),
    "repeated-digit-code": _df("080", "  ", ("a", "821.512.122"), ("2", "ed"), ("2", "ru")),
    "blank-value": _df("500", "  ", ("a", " \u3000 ")),
    "blank-subfield": _df("500", "  ", ("a", KAZ), ("b", " \u3000 ")),
    "bad-code": _df("650", " 4", ("a", "Тарих"), ("Қ", KAZ)),
    "repeat-where-allowed": _df("650", " 7", ("a", "Тарих"), ("x", "ғылым"), ("x", "білім"), ("2", "rubbk")),
}


@pytest.mark.parametrize("where", ["first", "middle", "last"])
@pytest.mark.parametrize("case", sorted(ONCE_CASES))
@pytest.mark.parametrize("flavour", [MARC21, UNIMARC])
def test_fast_check_equals_the_field_loop_wherever_the_field_is(case, where, flavour):
    """A repeated once-only subfield code, a blank value or a bad code in the first, a middle or the last data field
    (Kazakh and Russian text around it): the fast check passes the record exactly when ``_structure`` finds
    nothing (a blank subfield beside text is left to the field loop, which finds nothing in it), and a lazily read
    record gives the findings a fully made one gives."""
    fields = [_df("245", "10", ("a", KAZ), ("c", "Абай")), _df("200", "1 ", ("a", "Русский текст и " + KAZ)),
              _df("650", " 7", ("a", "Тарих"), ("x", "ғылым"), ("x", "білім"))]
    fields.insert({"first": 0, "middle": 2, "last": len(fields)}[where], ONCE_CASES[case])
    rec = _rec(flavour, Field(tag="001", data="kz-5"), Field(tag="008", data="240101s2023    kz            000 0 kaz d"),
               *fields)
    fast = _same(rec, flavour, 7)
    got, _, _, parts, idx = iso2709.read_record_lazy(rec.as_marc())
    found: list = []
    _structure(got, flavour, 7, found, index(got))
    assert fast is (not found and case != "blank-subfield"), found
    if flavour == MARC21 and case.startswith("repeated"):
        assert [f.code for f in found] == ["duplicate-subfield"]
    if case in ("blank-value", "bad-code"):
        assert found
    plain, _, _, _ = iso2709.read_record_parts(rec.as_marc())
    assert validate(got, flavour, 7, idx, parts=parts) == validate(plain, flavour, 7)


@pytest.mark.parametrize("drop", ["001", "245", "020", "022", "041", "260", "264", "008", None])
def test_marc21_rules_equal_on_lazy_and_made_records_whatever_tags_are_missing(drop):
    """``_marc21`` on a lazily read record and on a fully made one gives the same findings with any of its tags
    missing."""
    fields = [Field(tag="001", data="kz-6"), Field(tag="008", data="240101s2999    kz            000 0 xxx d"),
              _df("020", "  ", ("a", "978-601-004-572-9")), _df("022", "  ", ("a", "0378-5954")),
              _df("041", "0 ", ("a", "kazqqq")), _df("245", "10", ("a", "  "), ("b", KAZ)),
              _df("260", "  ", ("c", "2999")), _df("264", " 1", ("c", "©3000"))]
    rec = _rec(MARC21, *[f for f in fields if f.tag != drop])
    got, _, _, parts, idx = iso2709.read_record_lazy(rec.as_marc())
    plain, _, _, _ = iso2709.read_record_parts(rec.as_marc())
    lazy = validate(got, MARC21, 8, idx, parts=parts)
    assert lazy == validate(plain, MARC21, 8)
    assert lazy
