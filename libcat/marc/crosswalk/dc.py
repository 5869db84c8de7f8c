"""MARC -> simple Dublin Core (oai_dc) from any flavour, after the LC MARC-to-DC crosswalk.

UNIMARC and IRBIS records are first converted to MARC 21. Links (856) are left out unless asked
for: the OAI layer adds the URLs of digitized files only after checking the rights.
"""

from __future__ import annotations

import re

from pymarc import Field, Record

from .. import isbn
from ..flavour import IRBIS, MARC21, detect
from .common import strip_isbd

_CLASSIFICATION = {"rubbk": "BBK", "rugasnti": "GRNTI", "udc": "UDC"}
_TYPES = {"a": "Text", "t": "Text", "c": "Text", "d": "Text", "e": "Image", "f": "Image",
          "g": "MovingImage", "i": "Sound", "j": "Sound", "k": "StillImage", "m": "Software",
          "o": "Collection", "p": "Collection", "r": "PhysicalObject"}
_YEAR = re.compile(r"\d{4}")


def _clean(text: str) -> str:
    return strip_isbd(" ".join((text or "").split())) if text else ""


def _join(field: Field, codes: str, sep: str = " ") -> str:
    return _clean(sep.join(sf.value.strip() for sf in field.subfields if sf.code in codes and sf.value))


def _as_marc21(record: Record) -> Record:
    flavour = detect(record)
    if flavour == MARC21:
        return record
    from . import convert

    return convert(record, "marc21")[0]


def dc_links(record: Record) -> list[str]:
    """The 856 $u URLs of a record of any flavour (IRBIS 951 ^I included)."""
    if detect(record) == IRBIS:
        return [sf.value.strip() for f in record.get_fields("951") for sf in f.subfields if sf.code == "i" and sf.value]
    return [sf.value.strip() for f in record.get_fields("856") for sf in f.subfields if sf.code == "u" and sf.value]


def _title(rec: Record) -> list[str]:
    return [t for t in (_join(f, "abnp") for f in rec.get_fields("245")) if t]


def _names(rec: Record, tags: tuple[str, ...]) -> list[str]:
    out = []
    for f in rec.get_fields(*tags):
        name = _join(f, "abcdq" if f.tag.endswith("00") else "abcdn")
        if name:
            out.append(name)
    return out


def _subjects(rec: Record) -> list[str]:
    out = []
    for f in rec.get_fields("600", "610", "611", "630", "650", "651", "653", "655"):
        main = _join(f, "abcdqt")
        subs = [_clean(sf.value) for sf in f.subfields if sf.code in "vxyz" and sf.value]
        text = " -- ".join(x for x in [main, *subs] if x)
        if text:
            out.append(text)
    for f in rec.get_fields("080"):
        out += [f"UDC {_clean(v)}" for v in f.get_subfields("a") if _clean(v)]
    for f in rec.get_fields("082"):
        out += [f"DDC {_clean(v)}" for v in f.get_subfields("a") if _clean(v)]
    for f in rec.get_fields("084"):
        scheme = _CLASSIFICATION.get((f.get("2") or "").lower(), (f.get("2") or "").upper() or "Classification")
        out += [f"{scheme} {_clean(v)}" for v in f.get_subfields("a") if _clean(v)]
    return out


def _date(rec: Record) -> str:
    f008 = rec.get("008")
    if f008 is not None and f008.data and len(f008.data) >= 11 and f008.data[7:11].isdigit():
        return f008.data[7:11]
    for f in rec.get_fields("260", "264"):
        for v in f.get_subfields("c"):
            m = _YEAR.search(v)
            if m:
                return m.group(0)
    return ""


def _identifiers(rec: Record) -> list[str]:
    out = []
    for f in rec.get_fields("020"):
        for v in f.get_subfields("a"):
            token = isbn.find(v)
            if token:
                out.append(f"ISBN {token}")
    for f in rec.get_fields("022"):
        out += [f"ISSN {_clean(v)}" for v in f.get_subfields("a") if _clean(v)]
    return out


def _languages(rec: Record) -> list[str]:
    langs = [v.strip() for f in rec.get_fields("041") for v in f.get_subfields("a") if v and v.strip()]
    f008 = rec.get("008")
    if not langs and f008 is not None and f008.data and len(f008.data) >= 38 and f008.data[35:38].strip():
        langs = [f008.data[35:38]]
    return langs


def _source(rec: Record) -> list[str]:
    out = []
    for f in rec.get_fields("773"):
        parts = [_clean(f.get("t") or f.get("a") or ""), _clean(f.get("d") or ""), _clean(f.get("g") or "")]
        text = ". - ".join(p for p in parts if p)
        if text:
            out.append(text)
    return out


def _coverage(rec: Record) -> list[str]:
    out = [_clean(f.get("a") or "") for f in rec.get_fields("651")]
    out += [_clean(v) for f in rec.get_fields("600", "610", "650") for v in f.get_subfields("z")]
    out += [_join(f, "abcd", ", ") for f in rec.get_fields("752")]
    return [x for x in dict.fromkeys(out) if x]


def to_dc(record: Record, include_links: bool = False) -> list[tuple[str, str]]:
    """Dublin Core (element, value) pairs for oai_dc from a record of any flavour, in element order."""
    rec = _as_marc21(record)
    out: list[tuple[str, str]] = []
    add = out.extend
    add(("title", t) for t in _title(rec))
    add(("creator", n) for n in _names(rec, ("100", "110", "111")))
    add(("contributor", n) for n in _names(rec, ("700", "710", "711")))
    add(("subject", s) for s in dict.fromkeys(_subjects(rec)))
    add(("description", _join(f, "a")) for f in rec.get_fields("520") if _join(f, "a"))
    add(("publisher", _clean(v)) for f in rec.get_fields("260", "264") for v in f.get_subfields("b") if _clean(v))
    date = _date(rec)
    if date:
        out.append(("date", date))
    leader = str(rec.leader or "").ljust(24)
    out.append(("type", _TYPES.get(leader[6], "Text")))
    add(("format", _join(f, "abce", " ")) for f in rec.get_fields("300") if _join(f, "abce"))
    add(("identifier", i) for i in _identifiers(rec))
    if include_links:
        add(("identifier", u) for u in dc_links(record))
    add(("source", s) for s in _source(rec))
    add(("language", lang) for lang in dict.fromkeys(_languages(rec)))
    add(("relation", _join(f, "av", " ; ")) for f in rec.get_fields("490", "830") if _join(f, "a"))
    add(("coverage", c) for c in _coverage(rec))
    add(("rights", _join(f, "a")) for f in rec.get_fields("506", "540") if _join(f, "a"))
    return out
