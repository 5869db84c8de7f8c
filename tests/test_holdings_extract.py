"""catalog.holdings.extract is crosswalk.holdings.read turned into Copy rows: one reader of holdings."""

import datetime as dt

from pymarc import Field, Indicators, Record, Subfield

from libcat.catalog import holdings
from libcat.marc.fieldindex import index


def _rec(*fields: tuple[str, list[tuple[str, str]]]) -> Record:
    r = Record()
    for tag, sfs in fields:
        r.add_field(Field(tag, Indicators(" ", " "), [Subfield(c, v) for c, v in sfs]))
    return r


def test_irbis_written_off_keeps_act_and_date_from_907():
    r = _rec(("910", [("a", "6"), ("b", "12"), ("c", "20200115"), ("d", "АБ"), ("v", "акт 3")]),
             ("910", [("a", "x"), ("b", "13"), ("v", "акт 4")]),
             ("907", [("a", "20231120"), ("c", "ВБ")]))
    one, two = holdings.extract(r, "irbis")
    assert one["status"] == "written-off" and one["written_off_at"] == dt.date(2023, 11, 20)
    assert one["write_off_act"] == "акт 3" and one["receipt_date"] == dt.date(2020, 1, 15)
    assert two["status"] == "X" and two["write_off_act"] is None and two["written_off_at"] is None


def test_marc21_linked_unlinked_and_852_only():
    r = _rec(("852", [("8", "1"), ("b", "Ф1")]), ("852", [("8", "2"), ("b", "Ф2")]),
             ("876", [("8", "2"), ("a", "7"), ("p", "B7"), ("j", "withdrawn"), ("x", "акт 9"), ("z", "01.02.2023")]),
             ("876", [("a", "8")]))
    a, b = holdings.extract(r, "marc21", index(r))
    assert (a["location"], a["barcode"], a["status"]) == ("Ф2", "B7", "written-off")
    assert a["written_off_at"] == dt.date(2023, 2, 1) and a["write_off_act"] == "акт 9"
    assert b["location"] == "Ф1"
    only = holdings.extract(_rec(("852", [("b", "Ф3"), ("p", "99")])), "marc21")
    assert [(c["inventory_number"], c["barcode"], c["location"]) for c in only] == [("99", "99", "Ф3")]


def test_unimarc_995_and_899():
    r = _rec(("995", [("b", "Ф1"), ("f", "5"), ("5", "2021-03-04"), ("o", "written-off 2023-11-20")]),
             ("899", [("a", "ОНЛ"), ("b", "фонд"), ("x", "BC1")]))
    a, b = holdings.extract(r, "unimarc")
    assert (a["inventory_number"], a["location"], a["receipt_date"]) == ("5", "Ф1", dt.date(2021, 3, 4))
    assert (a["status"], a["written_off_at"]) == ("written-off", dt.date(2023, 11, 20))
    assert (b["inventory_number"], b["barcode"], b["location"]) == ("BC1", "BC1", "ОНЛ фонд")
