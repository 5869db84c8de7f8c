"""Tell MARC 21 from the UNIMARC family (RUSMARC, KAZMARC) and from IRBIS's internal format."""

from __future__ import annotations

from itertools import chain
from operator import itemgetter

from pymarc import Record

from .fieldindex import FieldIndex, index

MARC21 = "marc21"
UNIMARC = "unimarc"
IRBIS = "irbis"
FLAVOURS = (MARC21, UNIMARC, IRBIS)

IRBIS_WORKSHEETS = {"PAZK", "SPEC", "ASP", "J", "NJ", "NJK", "IBIS", "KNP", "KN"}
#: A leading value (text before the first ``^`` of an IRBIS field) is kept as this subfield code.
IRBIS_VALUE_CODE = "*"


def _value(field) -> str:
    if field.is_control_field():
        return (field.data or "").strip()
    return (field.get(IRBIS_VALUE_CODE) or field.get("a") or "").strip()


def _data(fields) -> list:
    return [f for f in fields if not f.control_field]


def irbis_evidence(record: Record, idx: FieldIndex | None = None) -> int:
    """How many independent signs of IRBIS's internal format a record shows (2 or more: IRBIS)."""
    idx = index(record) if idx is None else idx
    score = 0
    if idx and max(map(len, idx)) > 3:
        score += 2
    data_fields = _data(record.fields)
    if IRBIS_VALUE_CODE in map(itemgetter(0), chain.from_iterable(f.subfields for f in data_fields)):
        score += 2
    if any(_value(f).upper() in IRBIS_WORKSHEETS for f in idx.get("920", ())):
        score += 2
    if any(f.get("c") is not None and (f.get("a") or "")[:8].isdigit() for f in _data(idx.get("907", ()))):
        score += 1
    if "903" in idx:
        score += 1
    if any(f.get("t") or f.get("b") for f in _data(idx.get("900", ()))):
        score += 1
    flat = _data(idx.get("463", ()))
    if flat and all(f.get("1") is None and (f.get("c") or f.get("j")) for f in flat):
        score += 1
    if len(data_fields) >= 5 and all("".join(f.indicators or []).strip() == "" for f in data_fields) and \
            any(t.startswith("9") for t in idx):
        score += 1
    return score


def _unimarc_evidence(record: Record, idx: FieldIndex) -> int:
    score = 0
    f100 = idx.get("100")
    if f100 is not None and not f100[0].is_control_field():
        a = f100[0].get("a") or ""
        if len(a) >= 35 and a[:8].isdigit() and a[8:9].isalpha():
            score += 2
    if "200" in idx:
        score += 1
    if any(not f.is_control_field() and f.get("1") is not None for f in record.fields if f.tag[:1] == "4"):
        score += 1
    if "801" in idx:
        score += 1
    return score


def detect(record: Record, idx: FieldIndex | None = None) -> str:
    """Guess the flavour of a record from its fields (readers that know better set it themselves).

    IRBIS internal: tags of 1000+, leading values, a 920 worksheet, 907/903/900 local fields,
    flat 463, no indicators at all. UNIMARC family: coded 100$a, 200, embedded 4xx links, 801.
    MARC 21: 245, 008, 040. ``idx`` is the record's field index when the caller has one.
    """
    known = getattr(record, "flavour", None)
    if known in FLAVOURS:
        return known
    idx = index(record) if idx is None else idx
    evidence = irbis_evidence(record, idx)
    if evidence >= 2:
        return IRBIS
    unimarc = _unimarc_evidence(record, idx)
    marc21 = sum(1 for t in ("245", "008", "040", "260", "264", "300", "650", "020") if t in idx)
    if "245" in idx or "008" in idx:
        marc21 += 2
    if unimarc > marc21:
        return UNIMARC
    if marc21 == 0 and unimarc == 0 and evidence >= 1 and "001" not in idx:
        return IRBIS
    return MARC21


class _FlavouredRecord(Record):
    """A pymarc.Record that knows its flavour; adds no state (pymarc.Record has __slots__)."""

    __slots__ = ()
    flavour: str | None = None


class Marc21Record(_FlavouredRecord):
    """A pymarc.Record of flavour ``marc21``."""

    __slots__ = ()
    flavour = MARC21


class UnimarcRecord(_FlavouredRecord):
    """A pymarc.Record of flavour ``unimarc`` (RUSMARC, KAZMARC)."""

    __slots__ = ()
    flavour = UNIMARC


class IrbisRecord(_FlavouredRecord):
    """A pymarc.Record of flavour ``irbis`` (IRBIS internal)."""

    __slots__ = ()
    flavour = IRBIS


_FLAVOURED: dict[str, type[_FlavouredRecord]] = {MARC21: Marc21Record, UNIMARC: UnimarcRecord, IRBIS: IrbisRecord}


def set_flavour(record: Record, flavour: str) -> Record:
    """Remember the flavour on the record object itself and return it.

    pymarc.Record has ``__slots__`` and no room for it, so the record's class becomes a
    state-less pymarc.Record subclass whose ``flavour`` attribute names the flavour.
    """
    if flavour not in FLAVOURS:
        raise ValueError(f"unknown flavour {flavour!r}; expected one of {', '.join(FLAVOURS)}")
    if type(record) is Record or isinstance(record, _FlavouredRecord):
        record.__class__ = _FLAVOURED[flavour]
    else:
        record.flavour = flavour  # type: ignore[attr-defined]
    return record

