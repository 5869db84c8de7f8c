"""The fast paths of the per-record import steps (ISBNs, summary columns, match keys, sub-catalogues, copies)
give what the plain rules they stand for give.

Each test holds a shortcut against its rule, written out here as the module wrote it before the shortcut,
on generated inputs that reach both sides of every test the shortcut makes.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import sys
from encodings import kz1048

from pymarc import Field, Indicators, Record, Subfield

from libcat.catalog import holdings
from libcat.kabis import classify, profiles
from libcat.marc import isbn, keys, summary
from libcat.marc.crosswalk import holdings as xh
from libcat.marc.fieldindex import index
from libcat.marc.flavour import IRBIS, MARC21, UNIMARC


def _plain_ean_check(digits: str) -> str:
    rev = digits[::-1]
    return str((10 - 3 * sum(map(int, rev[0::2])) - sum(map(int, rev[1::2]))) % 10)


def _plain_verdict(number: str) -> str | None:
    """ISBN-10 and ISBN-13 checked digit by digit (the rule ``isbn._verdict`` stands for)."""
    if len(number) == 9:
        number = "0" + number
    body = number[:-1]
    if len(number) not in (10, 13) or not body.isdigit() or (len(number) == 13 and number[-1] == "X"):
        return "format"
    if len(number) == 10:
        check = sum((i + 1) * int(n) for i, n in enumerate(body)) % 11
        return None if ("X" if check == 10 else str(check)) == number[-1] else "checksum"
    if _plain_ean_check(body) != number[-1]:
        return "checksum"
    return None if number[:3] in ("978", "979") else "format"


def _outcome(fn, *args):
    """What ``fn`` gives, or the type of what it raises (digits ``int()`` cannot read, a leader place from the end
    past a short leader: both sides raise)."""
    try:
        return fn(*args)
    except (ValueError, IndexError) as exc:
        return type(exc)


def _numbers(seed: int, n: int = 30000) -> list[str]:
    """ISBN-like numbers: right and wrong check digits, 978/979/other prefixes, X, non-ASCII digits."""
    r = random.Random(seed)
    out = []
    for _ in range(n):
        size = r.choice([9, 10, 12, 13, 13, 13, 14, r.randint(1, 30)])
        body = r.choice(["978", "979", "977", ""]) + "".join(r.choice("0123456789") for _ in range(size))
        body = body[:size - 1] if size > 1 else body[:1]
        end = r.choice([_plain_ean_check(body) if body else "0", r.choice("0123456789X")])
        number = body + end
        if r.random() < 0.05:
            i = r.randrange(len(number))
            number = number[:i] + r.choice("٩²X-x ") + number[i + 1:]
        out.append(number)
    return out


def test_ean_check_of_ascii_digits_is_the_int_per_digit_sum():
    r = random.Random(11)
    for size in range(1, 41):
        for _ in range(400):
            digits = "".join(r.choice("0123456789") for _ in range(size))
            assert isbn._ean_check(digits) == _plain_ean_check(digits), digits
    assert isbn._ean_check("9" * 28) == _plain_ean_check("9" * 28)  # the largest pair sums (126 each)
    assert isbn._ean_check("٩٧٨٦٠١٠٠٤٥٧٢") == _plain_ean_check("978601004572")


def test_isbn13_weighted_sum_gives_the_check_digit_verdict():
    numbers = _numbers(12) + ["9786017151134", "9786017151135", "9776017151134", "9790000000001", "0000000000000",
                              "978601715113X", "٩٧٨٦٠١٧١٥١١٣٤", "9" * 13, "978601715113²"]
    for number in numbers:
        assert _outcome(isbn._verdict.__wrapped__, number) == _outcome(_plain_verdict, number), number


def test_normalize_of_thirteen_digits_is_find_then_to_isbn13():
    texts = _numbers(13) + ["9786017151134", "9786017151135", " 9786017151134", "978-601-7151-13-4",
                            "9786017151134 : 500 тг", "", None]
    for text in texts:
        token = isbn.find(text)
        assert _outcome(isbn.normalize, text) == (_outcome(isbn.to_isbn13, token) if token else None), text


def _plain_marc21_entry(f008: str | None) -> dt.date | None:
    if not f008 or len(f008) < 6 or not f008[:6].isdigit():
        return None
    try:
        yymmdd = int(f008[:6])
        yy = yymmdd // 10000
        year = 2000 + yy if yy <= summary._pivot() else 1900 + yy
        return dt.date(year, yymmdd // 100 % 100, yymmdd % 100)
    except ValueError:
        return None


def test_entry_dates_looked_up_are_the_dates_of_the_rule():
    heads = [f"{y:02d}{m:02d}{d:02d}" for y in range(100) for m in range(0, 14) for d in (0, 1, 28, 29, 30, 31, 32)]
    heads += ["", "12345", "      ", "||||||", "19０102", "١٩٠١٠٢", "²⁰⁰¹⁰¹", "9912311", "-10101"]
    for head in heads:
        for f008 in (head, head + "s1999    kz"):
            assert summary._marc21_entry(f008) == _plain_marc21_entry(f008) == summary._marc21_entry(f008), f008


def test_year_and_language_of_008_looked_up_are_the_rules():
    r = random.Random(14)
    codes = ["rus", "kaz", "RUS", " ru", "|||", "###", "   ", "ka1", "", "eng", "İng", "ſlo", "\u00a0ru", "k z"]
    codes += ["".join(r.choice("rusKAZ |#1\u00a0") for _ in range(3)) for _ in range(3000)]
    for code in codes:
        plain = code.strip()
        plain = (None if not plain or plain in ("|||", "###", "   ") or not plain.isalpha() else plain.lower())
        assert summary._LANGS_008[code] == plain == summary._LANGS_008[code], code
    for text in [f"{n:04d}" for n in range(10000)] + ["19a9", "c199", "１９９９", "²⁰⁰⁰", "    ", "uuuu"]:
        assert summary._YEARS_008[text] == summary._year(text) == summary._YEARS_008[text], text


def test_kazakhstan_named_in_values_as_any_value_names_it():
    def plain(values: list[str]) -> bool:
        return any(summary.KZ_WORDS.search(v) or v.strip().upper() == "KZ" for v in values)

    r = random.Random(15)
    pieces = ["Қазақстан", "казахстан", "KAZAKHSTAN", "Kazakstan", "qazaqstan", "Казах", "стан", "kz", "KZ", "Kz",
              "kZ", " kz ", "\u212az", "k\u200bz", "Алматы", "Kazakh", "stan", "\n", " ", "\u00a0", "z", "K", ""]
    for _ in range(20000):
        values = ["".join(r.choice(pieces) for _ in range(r.randint(0, 3))) for _ in range(r.randint(1, 4))]
        assert summary._names_kazakhstan(values) == plain(values), values
    assert summary._names_kazakhstan(["Kazakh", "stan"]) is False and summary._names_kazakhstan([" Kz\t"]) is True


def test_marc21_summary_reads_001_and_008_as_the_first_value_rule_reads_them():
    def data_field(tag: str, value: str) -> Field:  # a data field tagged 001/008, as a reader may make one
        f = object.__new__(Field)
        f.tag, f.control_field, f.data = tag, False, None
        f.subfields, f._indicators = [Subfield("a", value)], Indicators(" ", " ")
        return f

    for first in (None, "", " KZ-1 ", "141116s1959    kz            000 0 kaz d", "data"):
        for kind in ("control", "data"):
            r = Record()
            if first is not None:
                for tag in ("001", "008"):
                    r.add_ordered_field(Field(tag, data=first) if kind == "control" else data_field(tag, first))
            idx = index(r)
            s = summary.summarize(r, MARC21, idx)
            cn = summary._first(idx, "001", "")
            assert s.control_number == ((cn.strip() or None) if cn else None), (first, kind)
            f008 = summary._first(idx, "008", "")
            assert s.entry_date == _plain_marc21_entry(f008), (first, kind)


def test_only_the_article_starts_can_begin_a_leading_article():
    """Under re.I no character but ASCII t, a, d, l (either case) matches them: every other first character
    but "[" rules a leading article out, as ``title_key`` assumes."""
    first = re.compile("[tadl]", re.I)
    matching = {c for c in map(chr, range(sys.maxunicode + 1)) if first.fullmatch(c)}
    assert matching | {"["} == set(keys._ARTICLE_STARTS)
    for title in ["The Абай", "the  x", "[The] Қазақстан", "[a x", "l' Алматы", "Les", "An ", "ſ x", "\u212a x",
                  "Die x", "Der x", "Das x", "La x", "Le x", "\u0130 x", "Абай", "", " The x"]:
        article = keys._LEADING_ARTICLE.match(title)
        t = keys.fold(title[article.end():] if article else title)
        plain = None if not t else f"{t[:300]}|{keys._surname('Әуезов М.')[:100]}|1964"
        assert keys.title_key(title, "Әуезов М.", 1964) == plain, title


def test_mixable_bytes_found_by_deleting_them_as_by_keeping_them():
    not_mixable = bytes(b for b, char in enumerate(kz1048.decoding_table) if not keys._MIXABLE.match(char))
    r = random.Random(16)
    texts = [bytes([b]) for b in range(256)] + [bytes(r.randrange(256) for _ in range(r.randint(0, 12)))
                                                for _ in range(20000)]
    for raw in texts:
        assert (len(raw.translate(None, keys._MIXABLE_BYTES)) < len(raw)) == bool(raw.translate(None, not_mixable))


def _plain_classify(c: classify.Classifier, record: Record, flavour: str) -> str | None:
    """Every rule in turn, each condition read from the record (the rule ``Classifier.classify`` stands for)."""
    idx, leader, electronic = index(record), str(record.leader or ""), None
    for rule in c.rules:
        if rule.flavours and flavour not in rule.flavours:
            continue
        if rule.leader is not None and (len(leader) <= rule.leader or leader[rule.leader] not in rule.leader_values):
            continue
        if rule.field is not None and not classify._field_matches(idx.get(rule.field, ()), rule.subfield, rule.values):
            continue
        if rule.electronic is None:
            return rule.subcat
        if electronic is None:
            electronic = classify.is_electronic(record, flavour, idx)
        if electronic == rule.electronic:
            return rule.subcat
    return c.default


def _classifiers() -> list[classify.Classifier]:
    odd = [{"subcat": "a", "field": "920", "subfield": "*", "values": ["asp", " J "]},
           {"subcat": "b", "leader": 6, "leader_values": ["a"], "electronic": False},
           {"subcat": "c", "flavour": "unimarc", "field": "995"},
           {"subcat": "d", "field": "001", "values": ["KZ001"]},
           {"subcat": "e", "leader": 30, "leader_values": ["x", ""]},
           {"subcat": "f", "field": "650", "values": ["KZ"], "electronic": True},
           {"subcat": "g", "leader": 7, "leader_values": ["m"], "flavour": ["marc21", "irbis"]},
           {"subcat": "h", "electronic": False}]
    from_end = [{"subcat": "z", "leader": -1, "leader_values": ["4"]}, *odd]
    return [classify.load(profiles.DEFAULT_PROFILE), classify.from_profile({"rules": {"default": "x"}, "rule": odd}),
            classify.from_profile({"rules": {"default": None}, "rule": from_end}),
            classify.from_profile({"rules": {"default": "none"}})]


def _records(seed: int, n: int = 3000) -> list[Record]:
    r = random.Random(seed)
    leaders = ["00000nam a2200000 i 4500", "00000naa a2200000 i 4500", "00000nas", "00000nab a22", "00000n", "",
               "00000cam a2200000 i 4500 x", "00000aam"]
    out = []
    for _ in range(n):
        rec = Record()
        rec.leader = r.choice(leaders)
        for _ in range(r.randint(0, 5)):
            tag = r.choice(["001", "886", "920", "856", "951", "852", "876", "910", "995", "899", "650", "629"])
            if tag == "001":
                rec.add_ordered_field(Field(tag, data=r.choice(["KZ001", "x"])))
            else:
                rec.add_ordered_field(Field(tag, Indicators(" ", " "), [Subfield(r.choice("a*iuf2"), r.choice(
                    ["629", "ASP", " j ", "http://x/a.pdf", "KZ", "", "PAZK"]))]))
        out.append(rec)
    return out


def test_sub_catalogue_of_the_rules_fitting_the_leader_is_the_rule_by_rule_one():
    flavours = (MARC21, UNIMARC, IRBIS, "rusmarc")
    for c in _classifiers():
        for record in _records(17):
            for flavour_ in flavours:
                got = _outcome(c.classify, record, flavour_, index(record))
                assert got == _outcome(_plain_classify, c, record, flavour_), (record.leader, flavour_)
                assert _outcome(c.classify, record, flavour_) == got
                fitting = [rule.subcat for rule in c.rules if _outcome(rule.matches, record, flavour_) is True]
                assert got in (fitting[:1] or [c.default]) or got is IndexError


def test_classifier_follows_rules_given_anew():
    c = classify.load(profiles.DEFAULT_PROFILE)
    r = Record()
    r.leader = "00000nas a2200000 i 4500"
    assert c.classify(r, MARC21) == "periodicals"
    c.rules = [classify.Rule(subcat="only")]
    assert c.classify(r, MARC21) == "only"


def test_copy_row_columns_are_clip_and_parse_date_of_the_item():
    r = random.Random(18)
    texts = ["", " ", "2-0", " Ф1 ", "x" * 300, "19780115", "1978-01-15", "15.01.1978", "19781315", "\u00a0a\u00a0",
             None]
    for _ in range(20000):
        item = xh.Item(**{part: r.choice(texts) for part in ("inventory", "barcode", "location", "received",
                                                                  "price", "written_off", "act")},
                       status=r.choice([xh.WRITTEN_OFF, "available", " lost ", "", None]),
                       sources=r.choice([{}, {"inventory": "852$p"}, {"inventory": "876$a"}]))
        for flavour_ in (MARC21, UNIMARC, IRBIS, "rusmarc"):
            inventory, barcode = item.inventory, item.barcode
            if flavour_ == UNIMARC:
                inventory = inventory or barcode
            elif item.sources.get("inventory") == "852$p":
                barcode = inventory
            written_off = flavour_ in (IRBIS, MARC21) and item.status == xh.WRITTEN_OFF
            assert holdings._row(item, flavour_) == {
                "inventory_number": holdings._clip(inventory, 100), "barcode": holdings._clip(barcode, 100),
                "location": holdings._clip(item.location, 200), "receipt_date": holdings.parse_date(item.received),
                "status": holdings._clip(item.status, 20), "price": holdings._clip(item.price, 50),
                "written_off_at": holdings.parse_date(item.written_off),
                "write_off_act": holdings._clip(item.act, 100) if written_off else None}, (item, flavour_)
