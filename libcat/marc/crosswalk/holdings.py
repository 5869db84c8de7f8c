"""Copies (holdings, экземпляры / даналар) from one flavour to another, in one place.

Every copy passes through a neutral :class:`Item`; each flavour has one reader and one writer:

========================  =========  ======================  =============================
item                      IRBIS 910  RUSMARC/UNIMARC 995     MARC 21 852 + 876
========================  =========  ======================  =============================
inventory number          ^B         $f                      876 $a
barcode / RFID            ^H         (none)                  876 $p
location / branch         ^D         $b                      852 $b (876 $8 links to it)
call number               (none)     $k                      852 $j
receipt date (YYYYMMDD)   ^C         $5                      876 $d
status                    ^A (code)  $o (word)               876 $j (word)
price                     ^E         $p                      876 $c
write-off date            ^V / 907   $o ``written-off DATE``  876 $j ``written-off DATE``
write-off act             ^V         (none)                  876 $x
========================  =========  ======================  =============================

995 is the item field UNIMARC systems exchange (Koha's layout, which libcat's importer reads);
RUSMARC's own 899 (``$a`` location, ``$b`` fund, ``$j`` call number, ``$p`` inventory number, as the
National Library of Russia writes it) is read as a source. Whatever a target has no place for, and
every source subfield with no meaning here, is reported by name: never dropped silently.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial

from pymarc import Field, Indicators, Record, Subfield

from ... import i18n
from ..fieldindex import FieldIndex, index, subfield_values
from ..flavour import IRBIS, MARC21, UNIMARC
from ..iso2709 import Memo

#: Holdings fields per flavour: they are copies, not description.
HOLDINGS_TAGS: dict[str, tuple[str, ...]] = {IRBIS: ("910",), MARC21: ("852", "876"), UNIMARC: ("995", "899")}
#: The status word of a written-off copy (IRBIS 910^A 6).
WRITTEN_OFF = "written-off"
#: IRBIS 910^A status codes and the words MARC 21 876$j / UNIMARC 995$o carry.
IRBIS_STATUS: dict[str, str] = {
    "0": "available", "1": "on-loan", "2": "waiting", "3": "bindery", "4": "lost", "5": "unavailable",
    "6": WRITTEN_OFF, "8": "in-transit", "9": "reserved", "C": "biblionet", "P": "bound",
    "R": "reproduction", "U": "group",
}
_IRBIS_CODE = {v: k for k, v in IRBIS_STATUS.items()}
_TARGET_NAME = {IRBIS: "IRBIS 910", UNIMARC: "RUSMARC 995", MARC21: "MARC 21 852/876"}
#: The parts of a copy, in the order problems name them.
_PARTS = ("inventory", "barcode", "location", "call_number", "received", "status", "price", "written_off", "act")
#: Item parts each target can hold (the rest is reported).
_HOLDS: dict[str, frozenset[str]] = {
    IRBIS: frozenset({"inventory", "barcode", "location", "received", "status", "price", "written_off", "act"}),
    UNIMARC: frozenset({"inventory", "location", "call_number", "received", "status", "price", "written_off"}),
    MARC21: frozenset({"inventory", "barcode", "location", "call_number", "received", "status", "price",
                       "written_off", "act"}),
}
#: Words of a status that says the copy was written off.
WRITE_OFF_WORDS = re.compile(r"withdrawn|written.?off|discard|списан|есептен", re.I)
_YMD = re.compile(r"\b(\d{4})-?(\d{2})-?(\d{2})\b")
_DMY = re.compile(r"\b(\d{1,2})[./](\d{1,2})[./](\d{4})\b")
#: Subfield codes remembered per holdings field (a field has a few dozen codes at most).
_PLAN_SIZE = 256

i18n.register({
    "holdings.not_carried": {
        "en": "{copies}: {what} has no place in {target}, not exported",
        "ru": "{copies}: {what} — нет места в {target}, не выгружено",
        "kk": "{copies}: {what} үшін {target} ішінде орын жоқ, шығарылмады",
    },
    "holdings.copy": {"en": "copy {ids}", "ru": "экземпляр {ids}", "kk": "{ids} данасы"},
    "holdings.copies": {"en": "{n} copies ({ids})", "ru": "экземпляров: {n} ({ids})", "kk": "{n} дана ({ids})"},
    "holdings.unnamed": {"en": "copies without a number: {n}", "ru": "экземпляров без номера: {n}",
                         "kk": "нөмірсіз даналар: {n}"},
    "holdings.inventory": {"en": "inventory number", "ru": "инвентарный номер", "kk": "түгендеу нөмірі"},
    "holdings.barcode": {"en": "barcode", "ru": "штрихкод", "kk": "штрихкод"},
    "holdings.location": {"en": "location", "ru": "место хранения", "kk": "сақтау орны"},
    "holdings.call_number": {"en": "call number", "ru": "шифр хранения", "kk": "сақтау шифры"},
    "holdings.received": {"en": "receipt date", "ru": "дата поступления", "kk": "түскен күні"},
    "holdings.status": {"en": "status", "ru": "статус", "kk": "мәртебесі"},
    "holdings.price": {"en": "price", "ru": "цена", "kk": "бағасы"},
    "holdings.written_off": {"en": "write-off date", "ru": "дата списания", "kk": "есептен шығару күні"},
    "holdings.act": {"en": "write-off act", "ru": "акт списания", "kk": "есептен шығару актісі"},
    "holdings.subfield": {"en": "subfield", "ru": "подполе", "kk": "қосалқы өріс"},
})


@dataclass
class Item:
    """One copy, whatever flavour it came from. Dates are ``YYYYMMDD``; status is a word (``available``).

    ``sources`` names the source subfield of each part (``{"barcode": "910^H"}``) and ``unmapped`` the
    source subfields with no part here, so that what a target cannot hold is reported by name.
    """

    inventory: str = ""
    barcode: str = ""
    location: str = ""
    call_number: str = ""
    received: str = ""
    status: str = ""
    price: str = ""
    written_off: str = ""
    act: str = ""
    sources: dict[str, str] = field(default_factory=dict)
    unmapped: list[str] = field(default_factory=list)

    def label(self) -> str:
        """How the copy is named in messages: its inventory number, else its barcode, else ""."""
        return self.inventory or self.barcode


@dataclass
class Problem:
    """Part of copies a target cannot hold: an item ``part`` (``barcode``) and/or a ``source`` subfield."""

    copies: list[str]
    target: str
    part: str = ""
    source: str = ""

    def message(self, lang: str | None = None) -> str:
        """The problem in English, Russian or Kazakh (``lang``; LIBCAT_LANG when None)."""
        if self.part:
            what = i18n.t(f"holdings.{self.part}", lang) + (f" ({self.source})" if self.source else "")
        else:
            what = f"{i18n.t('holdings.subfield', lang)} {self.source}"
        named = [c for c in self.copies if c]
        ids = ", ".join(named[:5]) + (", ..." if len(named) > 5 else "")
        if not named:
            which = i18n.t("holdings.unnamed", lang, n=len(self.copies))
        elif len(self.copies) == 1:
            which = i18n.t("holdings.copy", lang, ids=ids)
        else:
            which = i18n.t("holdings.copies", lang, n=len(self.copies), ids=ids)
        return i18n.t("holdings.not_carried", lang, copies=which, what=what, target=_TARGET_NAME[self.target])


def ymd(text: str | None) -> str:
    """A date written YYYYMMDD, YYYY-MM-DD or DD.MM.YYYY anywhere in ``text``, as ``YYYYMMDD``; else ""."""
    return _YMD_SEEN[text] if text else ""


def _ymd(text: str) -> str:
    if len(text) == 8 and text.isascii() and text.isdigit():  # YYYYMMDD as written: no regex needed
        return text if 1 <= int(text[4:6]) <= 12 and 1 <= int(text[6:]) <= 31 else ""
    for rx, order in ((_YMD, (1, 2, 3)), (_DMY, (3, 2, 1))):
        m = rx.search(text)
        if m:
            y, mo, d = (int(m.group(i)) for i in order)
            if 1 <= mo <= 12 and 1 <= d <= 31:
                return f"{y:04d}{mo:02d}{d:02d}"
    return ""


#: ``ymd`` of the texts seen so far: a catalogue's copies share a few thousand dates.
_YMD_SEEN: Memo = Memo(_ymd, 10000)


def _status(text: str) -> tuple[str, str]:
    """A status as MARC 21 876$j / UNIMARC 995$o write it, and the write-off date it may carry."""
    text = text.strip()
    if WRITE_OFF_WORDS.search(text):
        return WRITTEN_OFF, ymd(text)
    return text, ""


def _status_text(item: Item) -> str:
    """The 876$j / 995$o value: the status word, with the date for a written-off copy."""
    if item.status == WRITTEN_OFF and item.written_off:
        d = item.written_off
        return f"{WRITTEN_OFF} {d[:4]}-{d[4:6]}-{d[6:]}"
    return item.status


def _action(prefix: str, upper: bool, parts: dict[str, str], skip: str, code: str) -> tuple[str | None, str] | None:
    """How a subfield ``code`` is read: None when in ``skip`` (the caller reads it), else (part or None, its name)."""
    key = code.lower()
    if key in skip:
        return None
    return parts.get(key), prefix + (code.upper() if upper else code)


def _plan(tag: str, sep: str, parts: dict[str, str], skip: str = "") -> Memo:
    """The ``_action`` of each subfield code of ``tag``, worked out once per code (``parts``: code -> part).

    Codes in ``skip`` are read by the caller; any other code is unmapped and named like ``910^U``.
    """
    return Memo(partial(_action, tag + sep, sep == "^", parts, skip), _PLAN_SIZE)


def _take(f: Field, plan: Memo, location: str = "") -> Item:
    """An item filled from ``f`` by its ``plan`` (first value of a part wins) on top of ``location``."""
    got = {"location": location} if location else {}
    sources: dict[str, str] = {}
    unmapped: list[str] = []
    for code, value in f.subfields:
        if value and (value := value.strip()):
            action = plan[code]
            if action is not None:
                part, name = action
                if part is None:
                    unmapped.append(name)
                elif part not in got:
                    got[part] = value
                    sources[part] = name
    return Item(**got, sources=sources, unmapped=unmapped)


# ---- readers ---------------------------------------------------------------------------------

#: Item parts by subfield code, per holdings field (the columns of the table above).
_IRBIS_910 = {"a": "status", "b": "inventory", "c": "received", "d": "location", "e": "price", "h": "barcode",
              "v": "act"}
_UNIMARC_995 = {"f": "inventory", "k": "call_number", "5": "received", "o": "status", "p": "price"}
_RUSMARC_899 = {"p": "inventory", "j": "call_number", "x": "barcode"}
_MARC21_852 = {"j": "call_number", "h": "call_number", "p": "inventory"}
_MARC21_876 = {"a": "inventory", "p": "barcode", "c": "price", "d": "received", "j": "status", "l": "location",
               "x": "act"}
_PLAN_910 = _plan("910", "^", _IRBIS_910)
_PLAN_995 = _plan("995", "$", _UNIMARC_995, skip="bc")
_PLAN_899 = _plan("899", "$", _RUSMARC_899, skip="ab")
_PLAN_852 = _plan("852", "$", _MARC21_852, skip="abc8")
_PLAN_876 = _plan("876", "$", _MARC21_876, skip="8")


def _irbis_write_off(idx: FieldIndex) -> str:
    """The date of the record's write-off revision (907 ^C ВБ), ``YYYYMMDD`` or ""."""
    for f in idx.get("907", ()):
        if (f.get("c") or "").strip().upper() in ("ВБ", "VB"):
            d = ymd(f.get("a"))
            if d:
                return d
    return ""


def _read_irbis(idx: FieldIndex) -> list[Item]:
    out = []
    for f in idx.get("910", ()):
        item = _take(f, _PLAN_910)
        code = item.status.upper()
        item.status = IRBIS_STATUS.get(code, code)
        item.received = ymd(item.received) or item.received
        if item.status == WRITTEN_OFF:
            item.written_off = ymd(item.act) or _irbis_write_off(idx)
        out.append(item)
    return out


def _joined(f: Field, codes: tuple[str, ...]) -> str:
    """The values of ``codes`` in ``f`` joined by a space (a location written in several subfields)."""
    return " ".join([v.strip() for v in subfield_values(f, codes) if v.strip()])


def _read_unimarc(idx: FieldIndex) -> list[Item]:
    out = []
    for f in idx.get("995", ()):
        item = _take(f, _PLAN_995, (f.get("c") or f.get("b") or "").strip())
        item.status, item.written_off = _status(item.status)
        item.received = ymd(item.received) or item.received
        out.append(item)
    for f in idx.get("899", ()):
        item = _take(f, _PLAN_899, _joined(f, ("a", "b")))
        out.append(item)
    return out


def _link(f: Field) -> str:
    """The link number of an 852/876 (``$8`` up to its first dot), or ""."""
    return (f.get("8") or "").split(".")[0]


def _read_marc21(idx: FieldIndex) -> list[Item]:
    holdings: list[Item] = []
    linked: dict[str, Item] = {}
    first: Item | None = None  # an 876 without $8 takes the first 852 with a location (else the first 852)
    for f in idx.get("852", ()):
        holding = _take(f, _PLAN_852, _joined(f, ("a", "b", "c")))
        holdings.append(holding)
        link = _link(f)
        if link:
            linked[link] = holding
        if first is None and holding.location:
            first = holding
    copies = idx.get("876", ())
    if not copies:
        return holdings
    if first is None and holdings:
        first = holdings[0]
    out = []
    for f in copies:
        item = _take(f, _PLAN_876)
        if item.status:
            item.status, item.written_off = _status(item.status)
        if item.status == WRITTEN_OFF and not item.written_off:
            item.written_off = ymd(item.act) or ymd(f.get("z"))
        item.received = ymd(item.received) or item.received
        link = _link(f)
        holding = linked.get(link) if link else first
        if holding is not None:
            item.location = item.location or holding.location
            item.call_number = holding.call_number
            item.unmapped += holding.unmapped
        out.append(item)
    return out


def read(record: Record, flavour: str, idx: FieldIndex | None = None) -> list[Item]:
    """The copies ``record`` (of ``flavour``) lists in its holdings fields; ``idx`` is the record's
    field index (``libcat.marc.fieldindex``) when the caller has one. The only reader of holdings:
    ``libcat.catalog.holdings`` turns these items into copies-table rows."""
    idx = index(record) if idx is None else idx
    if flavour == IRBIS:
        return _read_irbis(idx)
    if flavour == UNIMARC:
        return _read_unimarc(idx)
    return _read_marc21(idx)


def without(record: Record, flavour: str) -> Record:
    """A shallow copy of ``record`` without its holdings fields (the crosswalks see description only)."""
    tags = HOLDINGS_TAGS.get(flavour, ())
    out = copy.copy(record)
    out.fields = [f for f in record.fields if f.tag not in tags]
    return out


# ---- writers ---------------------------------------------------------------------------------

def _field(tag: str, pairs: Iterable[tuple[str, str]]) -> Field:
    return Field(tag=tag, indicators=Indicators(" ", " "), subfields=[Subfield(c, v) for c, v in pairs if v])


def _irbis_910(item: Item) -> Field:
    act = item.act
    if item.written_off and ymd(act) != item.written_off:
        d = item.written_off
        act = " ".join(v for v in (act, f"{d[6:]}.{d[4:6]}.{d[:4]}") if v)
    return _field("910", [("a", _IRBIS_CODE.get(item.status, item.status)), ("b", item.inventory),
                          ("c", item.received), ("d", item.location), ("e", item.price), ("h", item.barcode),
                          ("v", act)])


def _unimarc_995(item: Item) -> Field:
    return _field("995", [("b", item.location), ("f", item.inventory or item.barcode), ("k", item.call_number),
                          ("5", item.received), ("o", _status_text(item)), ("p", item.price)])


_ITEM_PARTS = ("inventory", "barcode", "price", "received", "status", "written_off", "act")


def _marc21(items: list[Item], first_link: int) -> list[Field]:
    """One 852 per location and call number ($8 n), one 876 per copy with item data, linked to it by $8.

    A copy without a location still gets its own (empty) 852, so that no reader lends it another's.
    """
    links: dict[tuple[str, str], str] = {}
    holdings: list[Field] = []
    copies: list[Field] = []
    for item in items:
        key = (item.location, item.call_number)
        if key not in links:
            links[key] = str(first_link + len(links))
            holdings.append(_field("852", [("8", links[key]), ("b", item.location), ("j", item.call_number)]))
        if any(getattr(item, p) for p in _ITEM_PARTS):
            copies.append(_field("876", [("8", links[key]), ("a", item.inventory), ("p", item.barcode),
                                         ("c", item.price), ("d", item.received), ("j", _status_text(item)),
                                         ("x", item.act)]))
    return holdings + copies


def next_link(record: Record) -> int:
    """The first 852/876 ``$8`` link number not used in ``record`` (MARC 21)."""
    used = [int(v.split(".")[0]) for f in record.get_fields("852", "876") for v in f.get_subfields("8")
            if v.split(".")[0].isdigit()]
    return max(used, default=0) + 1


def _skipped(items: list[Item], target: str) -> list[Problem]:
    """What of ``items`` the target cannot hold, one problem per part or source subfield, in source order.

    A barcode is not lost in 995 when the copy has no inventory number: it goes into $f instead.
    """
    holds = _HOLDS[target]
    found: dict[tuple[str, str], list[str]] = {}
    for item in items:
        for name in dict.fromkeys(item.unmapped):
            found.setdefault(("", name), []).append(item.label())
        for part in _PARTS:
            if not getattr(item, part) or part in holds:
                continue
            if target == UNIMARC and part == "barcode" and not item.inventory:
                continue
            found.setdefault((part, item.sources.get(part, "")), []).append(item.label())
    return [Problem(labels, target, part, source) for (part, source), labels in found.items()]


def write(items: list[Item], target: str, first_link: int = 1) -> tuple[list[Field], list[Problem]]:
    """Holdings fields of ``target`` for ``items``, and what of them the target cannot hold.

    A copy with nothing the target can hold (only unmapped subfields) gets no field, only its problems.
    """
    problems = _skipped(items, target)
    items = [i for i in items if any(getattr(i, p) for p in _HOLDS[target])]
    if target == IRBIS:
        return [_irbis_910(i) for i in items], problems
    if target == UNIMARC:
        return [_unimarc_995(i) for i in items], problems
    return _marc21(items, first_link), problems
