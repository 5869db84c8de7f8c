"""Flavour detection and the copies reader skip repeated work; each shortcut gives what its plain rule gives.

``detect`` reads the weakest IRBIS sign only where it can change the answer, ``crosswalk.holdings`` reads
subfields by a per-code plan, and ``ymd`` / ``parse_date`` remember the texts they have seen.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from pymarc import Field, Indicators, Record, Subfield

from libcat.catalog import holdings as ch
from libcat.marc import flavour
from libcat.marc.crosswalk import holdings as xh
from libcat.marc.fieldindex import index
from libcat.marc.iso2709 import Memo

from corpus_records import clean_records

CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"


def _full_rule(record: Record) -> str:
    """``detect`` as written with every IRBIS sign counted first (the rule the shortcut stands for)."""
    idx = index(record)
    evidence = flavour.irbis_evidence(record, idx)
    if evidence >= 2:
        return flavour.IRBIS
    marc21 = sum(tag in idx for tag in flavour._MARC21_TAGS) + (2 if "245" in idx or "008" in idx else 0)
    if marc21 >= flavour._UNIMARC_MOST:
        return flavour.MARC21
    unimarc = flavour._unimarc_evidence(idx)
    if unimarc > marc21:
        return flavour.UNIMARC
    if marc21 == 0 and unimarc == 0 and evidence >= 1 and "001" not in idx:
        return flavour.IRBIS
    return flavour.MARC21


def _border_records(n: int, seed: int) -> list[Record]:
    """Records with few signs each and mostly blank indicators: where the weakest sign decides."""
    rnd = random.Random(seed)
    tags = ["001", "100", "200", "801", "410", "463", "900", "903", "907", "920", "910", "950", "215", "700",
            "1000", "245", "008", "040", "606"]
    out = []
    for _ in range(n):
        r = Record()
        blank = rnd.random() < 0.7
        for _ in range(rnd.randint(0, 9)):
            tag = rnd.choice(tags)
            if tag < "010":
                r.add_field(Field(tag, data="20230101"))
                continue
            ind = (" ", " ") if blank or rnd.random() < 0.8 else rnd.choice([("1", " "), (" ", "0")])
            subs = [Subfield(rnd.choice("abcjt1*"), rnd.choice(["PAZK", "20230101 Әуезов", "Абай", ""]))
                    for _ in range(rnd.randint(0, 3))]
            r.add_field(Field(tag, Indicators(*ind), subs))
        out.append(r)
    return out


def test_detect_counts_the_no_indicator_sign_where_it_decides():
    """One strong sign (903) plus a bare record of 5 data fields with a 9xx: IRBIS; with an indicator: not."""
    r = Record()
    for tag in ("903", "200", "215", "700", "950"):
        r.add_field(Field(tag, Indicators(" ", " "), [Subfield("a", "Қазақ әдебиеті")]))
    assert flavour.irbis_evidence(r) == 2 and flavour.detect(r) == flavour.IRBIS
    r.get_fields("700")[0].indicators = Indicators("1", " ")
    assert flavour.irbis_evidence(r) == 1 and flavour.detect(r) == flavour.UNIMARC  # 200 outweighs nothing
    r.remove_fields("903", "200")  # no sign but the bare one: IRBIS only with no MARC 21 / UNIMARC sign and no 001
    r.get_fields("700")[0].indicators = Indicators(" ", " ")
    for tag in ("606", "610"):
        r.add_field(Field(tag, Indicators(" ", " "), [Subfield("a", "Поэзия")]))
    assert flavour.irbis_evidence(r) == 1 and flavour.detect(r) == flavour.IRBIS
    r.add_field(Field("001", data="KZ1"))
    assert flavour.detect(r) == flavour.MARC21


def test_value_code_counts_anywhere_in_a_data_field():
    r = Record()
    r.add_field(Field("001", data="x"))
    r.add_field(Field("245", Indicators("1", "0"), [Subfield("a", "Абай жолы"), Subfield("*", "ӘӨ")]))
    assert flavour.irbis_evidence(r) == 2 and flavour.detect(r) == flavour.IRBIS


def test_detect_is_the_full_rule_on_corpus_and_border_records():
    records = [record for _, record, _ in clean_records(CORPUS)] + _border_records(4000, 5)
    seen = set()
    for record in records:
        record.__class__ = Record  # no remembered flavour: detect reads the fields
        expected = _full_rule(record)
        assert flavour.detect(record) == expected
        seen.add(expected)
    assert seen == set(flavour.FLAVOURS)


def test_detect_with_the_record_text_is_the_full_rule(corpus):
    """``detect`` told the clean record's text skips the leading-value scan only when the text has no 0x1F
    followed by ``*``: the same answer on corpus records and on border records written to ISO 2709 and read."""
    from libcat.marc import iso2709

    pairs = [(record, parts) for _, record, parts in clean_records(corpus)]
    for r in _border_records(4000, 11):
        chunk, _ = iso2709.encode(*iso2709.record_to_fields(r), "utf-8")
        record, _, _, parts = iso2709.read_record_parts(chunk)
        if parts is not None:
            pairs.append((record, parts))
    with_value_code = 0
    for record, parts in pairs:
        record.__class__ = Record
        with_value_code += "\x1f*" in parts[2]
        assert flavour.detect(record, index(record), parts[2]) == _full_rule(record)
    assert with_value_code > 100 and len(pairs) > 2000


def _taken(f: Field, sep: str, parts: dict[str, str], skip: str) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """The plain rule: first non-empty stripped value of each part, other codes named, ``skip`` left out."""
    got: dict[str, str] = {}
    sources: dict[str, str] = {}
    unmapped = []
    for code, value in f.subfields:
        value = value.strip() if value else ""
        if not value or code.lower() in skip:
            continue
        name = f.tag + sep + (code.upper() if sep == "^" else code)
        part = parts.get(code.lower())
        if part is None:
            unmapped.append(name)
        elif part not in got:
            got[part], sources[part] = value, name
    return got, sources, unmapped


_LAYOUTS = (("910", "^", xh._IRBIS_910, "", xh._PLAN_910), ("876", "$", xh._MARC21_876, "8", xh._PLAN_876),
            ("852", "$", xh._MARC21_852, "abc8", xh._PLAN_852), ("995", "$", xh._UNIMARC_995, "bc", xh._PLAN_995),
            ("899", "$", xh._RUSMARC_899, "ab", xh._PLAN_899))


def test_take_by_plan_is_the_plain_rule():
    rnd = random.Random(7)
    codes = list("abcdefhjlopvxz58") + ["A", "B", "H", "P", "V", "", "ab", "Ж"]
    values = ["", " ", " Ф1 ", "12", "Қазақ әдебиеті", "19870115", "списан 01.02.2023"]
    for _ in range(3000):
        for tag, sep, parts, skip, plan in _LAYOUTS:
            f = Field(tag, Indicators(" ", " "),
                      [Subfield(rnd.choice(codes), rnd.choice(values)) for _ in range(rnd.randint(0, 6))])
            got, sources, unmapped = _taken(f, sep, parts, skip)
            preset = "" if "location" in parts.values() else "Ф9"  # the location the caller read itself
            item = xh._take(f, plan, preset)
            assert {p: getattr(item, p) for p in got} == got
            assert (item.sources, item.unmapped) == (sources, unmapped)
            assert all(not getattr(item, p) for p in xh._PARTS if p not in got and p != "location")
            assert item.location == got.get("location", preset)


def test_take_names_irbis_codes_upper_case_and_keeps_marc_case():
    f910 = Field("910", Indicators(" ", " "), [Subfield("h", " "), Subfield("H", "B1"), Subfield("h", "B2"),
                                               Subfield("u", "Ә")])
    item = xh._take(f910, xh._PLAN_910)
    assert (item.barcode, item.sources, item.unmapped) == ("B1", {"barcode": "910^H"}, ["910^U"])
    f876 = Field("876", Indicators(" ", " "), [Subfield("P", "B3"), Subfield("8", "1"), Subfield("q", "Ө")])
    item = xh._take(f876, xh._PLAN_876)
    assert (item.barcode, item.sources, item.unmapped) == ("B3", {"barcode": "876$P"}, ["876$q"])


def test_remembered_dates_are_the_dates_read_afresh(monkeypatch):
    texts = ["19870115", "20231320", "1987-01-15", "15.01.1987", "списан 1.2.2003", "есептен 2023-11-20", "x",
             "20230230", "١٩٧٨٠١١٥"]
    fresh = {t: (xh._ymd(t), ch._parse_date(t)) for t in texts}
    for _ in range(2):  # the second round is answered from memory
        assert {t: (xh.ymd(t), ch.parse_date(t)) for t in texts} == fresh
    assert fresh["20230230"] == ("20230230", None) and fresh["15.01.1987"][1] == dt.date(1987, 1, 15)
    monkeypatch.setattr(xh, "_YMD_SEEN", Memo(xh._ymd, 0))  # a full memory still answers
    monkeypatch.setattr(ch, "_DATES", Memo(ch._parse_date, 0))
    assert {t: (xh.ymd(t), ch.parse_date(t)) for t in texts} == fresh
    assert (xh.ymd(""), xh.ymd(None), ch.parse_date(""), ch.parse_date(None)) == ("", "", None, None)


def test_corpus_copies_follow_the_plain_rule(corpus):
    """Every corpus holdings field read by its plan gives the plain rule's parts, sources and notes."""
    checked = 0
    for _, record, _ in clean_records(corpus):
        idx = index(record)
        for tag, sep, parts, skip, plan in _LAYOUTS:
            for f in idx.get(tag, ()):
                got, sources, unmapped = _taken(f, sep, parts, skip)
                item = xh._take(f, plan)
                assert ({p: getattr(item, p) for p in got}, item.sources, item.unmapped) == (got, sources, unmapped)
                checked += 1
    assert checked > 500
