"""Tell MARC 21 from the UNIMARC family (RUSMARC, KAZMARC) and from IRBIS's internal format."""

from __future__ import annotations

from itertools import chain, filterfalse
from operator import attrgetter, itemgetter

from pymarc import Record

from .fieldindex import FieldIndex, index

MARC21 = "marc21"
UNIMARC = "unimarc"
IRBIS = "irbis"
FLAVOURS = (MARC21, UNIMARC, IRBIS)

IRBIS_WORKSHEETS = {"PAZK", "SPEC", "ASP", "J", "NJ", "NJK", "IBIS", "KNP", "KN"}
#: A leading value (text before the first ``^`` of an IRBIS field) is kept as this subfield code.
IRBIS_VALUE_CODE = "*"
#: Fields whose presence counts for MARC 21.
_MARC21_TAGS = ("245", "008", "040", "260", "264", "300", "650", "020")
#: The highest score ``_unimarc_evidence`` can give.
_UNIMARC_MOST = 5
_BLANK = (" ", " ")
_IS_CONTROL = attrgetter("control_field")
_SUBFIELDS = attrgetter("subfields")
_CODE = itemgetter(0)
#: A subfield with the leading-value code, as it shows in a record's text.
_VALUE_MARK = "\x1f" + IRBIS_VALUE_CODE


def _value(field) -> str:
    if field.is_control_field():
        return (field.data or "").strip()
    return (field.get(IRBIS_VALUE_CODE) or field.get("a") or "").strip()


def _data(fields) -> list:
    """The data fields (not control fields) among ``fields``, in order."""
    return list(filterfalse(_IS_CONTROL, fields))


def _has_value_code(fields: list) -> bool:
    """True when a field has a leading value (subfield ``*``): one scan of all codes, in C. Control fields
    are scanned too: pymarc gives them no subfields, so they add nothing (and no pass to leave them out)."""
    return IRBIS_VALUE_CODE in map(_CODE, chain.from_iterable(map(_SUBFIELDS, fields)))


def _worksheet(fields: list) -> bool:
    """A 920 naming an IRBIS worksheet."""
    return any(_value(f).upper() in IRBIS_WORKSHEETS for f in fields)


def _revision(fields: list) -> bool:
    """A 907 revision stamp: ^C set and ^A starting with a YYYYMMDD date."""
    return any(f.get("c") is not None and (f.get("a") or "")[:8].isdigit() for f in _data(fields))


def _present(fields: list) -> bool:
    """The field is there at all (903, IRBIS's control number)."""
    return True


def _local_900(fields: list) -> bool:
    """A 900 with IRBIS's document type (^T) or kind (^B)."""
    return any(f.get("t") or f.get("b") for f in _data(fields))


def _flat_463(fields: list) -> bool:
    """463 written flat (^C title, ^J year) rather than with embedded fields ($1)."""
    flat = _data(fields)
    return bool(flat) and all(f.get("1") is None and (f.get("c") or f.get("j")) for f in flat)


#: IRBIS local fields and what each adds to the evidence when its test holds.
_LOCAL_SIGNS = (("920", 2, _worksheet), ("907", 1, _revision), ("903", 1, _present), ("900", 1, _local_900),
                ("463", 1, _flat_463))
_LOCAL_TAGS = frozenset(tag for tag, _, _ in _LOCAL_SIGNS)


def _no_indicators(data_fields: list) -> bool:
    """True when no data field has an indicator set (blank or empty)."""
    for f in data_fields:
        ind = f.indicators
        if ind != _BLANK and "".join(ind or []).strip():
            return False
    return True


def _strong_evidence(record: Record, idx: FieldIndex, text: str | None = None) -> int:
    """The signs of IRBIS's internal format but the weakest (``_bare_evidence``): long tags, leading values,
    local fields. ``text``, the record's fields joined (``iso2709.Parts``), rules out leading values at C
    speed when it has no 0x1F followed by ``*``."""
    score = 0
    if idx and max(map(len, idx)) > 3:
        score += 2
    if (text is None or _VALUE_MARK in text) and _has_value_code(record.fields):
        score += 2
    if not _LOCAL_TAGS.isdisjoint(idx):  # most records have none of them
        for tag, weight, holds in _LOCAL_SIGNS:
            fields = idx.get(tag)
            if fields is not None and holds(fields):
                score += weight
    return score


def _bare_evidence(record: Record, idx: FieldIndex) -> int:
    """1 for a record of 5 or more data fields with no indicator set and a 9xx field, else 0."""
    data_fields = _data(record.fields)
    return int(len(data_fields) >= 5 and _no_indicators(data_fields) and any(t[:1] == "9" for t in idx))


def irbis_evidence(record: Record, idx: FieldIndex | None = None) -> int:
    """How many independent signs of IRBIS's internal format a record shows (2 or more: IRBIS)."""
    idx = index(record) if idx is None else idx
    return _strong_evidence(record, idx) + _bare_evidence(record, idx)


def _embeds_link(fields: list) -> bool:
    """A data field with an embedded-field link ($1), as UNIMARC 4xx write them."""
    return any(not f.is_control_field() and f.get("1") is not None for f in fields)


def _unimarc_evidence(idx: FieldIndex) -> int:
    """Signs of the UNIMARC family, at most ``_UNIMARC_MOST``: coded 100$a (2), 200, a 4xx link, 801."""
    score = 0
    f100 = idx.get("100")
    if f100 is not None and not f100[0].is_control_field():
        a = f100[0].get("a") or ""
        if len(a) >= 35 and a[:8].isdigit() and a[8:9].isalpha():
            score += 2
    if "200" in idx:
        score += 1
    for tag in idx:  # only the 4xx fields looked up: a lazy index (``fieldindex.LazyIndex``) makes no others
        if tag[:1] == "4" and _embeds_link(idx[tag]):
            score += 1
            break
    if "801" in idx:
        score += 1
    return score


def detect(record: Record, idx: FieldIndex | None = None, text: str | None = None) -> str:
    """Guess the flavour of a record from its fields (readers that know better set it themselves).

    IRBIS internal: tags of 1000+, leading values, a 920 worksheet, 907/903/900 local fields,
    flat 463, no indicators at all. UNIMARC family: coded 100$a, 200, embedded 4xx links, 801.
    MARC 21: 245, 008, 040. ``idx`` is the record's field index when the caller has one, ``text`` the
    clean record's text (``iso2709.Parts``) when the reader gave it.
    """
    known = getattr(record, "flavour", None)
    if known in FLAVOURS:
        return known
    idx = index(record) if idx is None else idx
    # irbis_evidence, with its weakest sign (worth 1) read only where it can change the answer
    evidence = _strong_evidence(record, idx, text)
    if evidence == 1:
        evidence += _bare_evidence(record, idx)
    if evidence >= 2:
        return IRBIS
    marc21 = sum(map(idx.__contains__, _MARC21_TAGS))
    if "245" in idx or "008" in idx:
        marc21 += 2
    if marc21 >= _UNIMARC_MOST:  # no UNIMARC score can beat it: spare reading the UNIMARC signs
        return MARC21
    unimarc = _unimarc_evidence(idx)
    if unimarc > marc21:
        return UNIMARC
    if marc21 == 0 and unimarc == 0 and "001" not in idx and (evidence or _bare_evidence(record, idx)):
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

