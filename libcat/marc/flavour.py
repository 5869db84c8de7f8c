"""Tell MARC 21 from the UNIMARC family (RUSMARC, KAZMARC) and from IRBIS's internal format."""

from __future__ import annotations

from pymarc import Record

MARC21 = "marc21"
UNIMARC = "unimarc"
IRBIS = "irbis"
FLAVOURS = (MARC21, UNIMARC, IRBIS)

IRBIS_WORKSHEETS = {"PAZK", "SPEC", "ASP", "J", "NJ", "NJK", "IBIS", "KNP", "KN"}
#: A leading value (text before the first ``^`` of an IRBIS field) is kept as this subfield code.
IRBIS_VALUE_CODE = "*"


def _tags(record: Record) -> set[str]:
    return {f.tag for f in record.fields}


def detect(record: Record) -> str:
    """Guess the flavour of a record from its fields (readers that know better set it themselves)."""
    known = getattr(record, "flavour", None)
    if known in FLAVOURS:
        return known
    tags = _tags(record)
    if any(len(t) > 3 for t in tags):
        return IRBIS
    for f in record.fields:
        if not f.is_control_field() and any(sf.code == IRBIS_VALUE_CODE for sf in f.subfields):
            return IRBIS
    if "920" in tags:
        ws = record.get("920")
        value = (ws.get(IRBIS_VALUE_CODE) or ws.get("a") or "").strip().upper() if ws else ""
        if value in IRBIS_WORKSHEETS:
            return IRBIS
    if "245" in tags or "008" in tags:
        return MARC21
    if "200" in tags or "100" in tags and "245" not in tags:
        return UNIMARC
    if {"907", "903", "910"} & tags and "001" not in tags:
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


def get_flavour(record: Record) -> str | None:
    """The flavour a reader set on ``record``, or None when nobody did."""
    value = getattr(record, "flavour", None)
    return value if value in FLAVOURS else None
