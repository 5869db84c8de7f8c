"""Metadata formats of the provider: oai_dc, marc21 (MARCXML) and rusmarc (the stored UNIMARC record, slim XML).

Records are written as strings straight from the stored MARC-in-JSON (no DOM, no re-parsing),
with every piece of text escaped and stripped of characters XML 1.0 forbids, so one bad byte in
one record can never break a page. What is stripped is counted in ``Cleaner``.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from pymarc import Record

from ..marc.flavour import IRBIS, MARC21, UNIMARC, set_flavour
from ..marc.marcjson import record_from_dict, record_to_dict

log = logging.getLogger(__name__)

MARC_NS = "http://www.loc.gov/MARC21/slim"
MARC_XSD = "http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd"
DC_NS = "http://purl.org/dc/elements/1.1/"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
OAI_DC_XSD = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

#: prefix -> (schema, namespace, flavours that can be disseminated in it)
FORMATS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "oai_dc": (OAI_DC_XSD, OAI_DC_NS, (MARC21, UNIMARC, IRBIS)),
    "marc21": (MARC_XSD, MARC_NS, (MARC21, UNIMARC, IRBIS)),
    "rusmarc": (MARC_XSD, MARC_NS, (UNIMARC, IRBIS)),
}

DC_ELEMENTS = (
    "title", "creator", "subject", "description", "publisher", "contributor", "date", "type",
    "format", "identifier", "source", "language", "relation", "coverage", "rights",
)
_DC_SET = frozenset(DC_ELEMENTS)

_ILLEGAL = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_CTRL_TAG = re.compile(r"^00[1-9A-Za-z]$")
_DATA_TAG = re.compile(r"^(0[1-9A-Z][0-9A-Z]|0[1-9a-z][0-9a-z]|[1-9A-Z][0-9A-Z]{2}|[1-9a-z][0-9a-z]{2})$")
_SUBCODE = re.compile(r"^[0-9A-Za-z!\"#$%&'()*+,\-./:;<=>?{}_^`~\[\]\\]$")
_PLAIN_CODES = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_PLAIN_IND = frozenset(" 0123456789abcdefghijklmnopqrstuvwxyz")
_LEADER = re.compile(r"^[\d ]{5}[\dA-Za-z ][\dA-Za-z][\dA-Za-z ]{3}[2 ][2 ][\d ]{5}[\dA-Za-z ]{3}(4500|    )$")


@dataclass
class Cleaner:
    """Escapes text for XML and counts what had to be dropped (illegal characters, unfit fields)."""

    illegal_chars: int = 0
    dropped_fields: int = 0
    bad_utf8: int = 0
    bad_records: set[int] = field(default_factory=set)
    current: int | None = None

    def text(self, value: str) -> str:
        """``value`` as XML character data: illegal characters removed (and counted), markup escaped."""
        if not value.isprintable() and _ILLEGAL.search(value):
            value, n = _ILLEGAL.subn("", value)
            self.illegal_chars += n
            if self.current is not None:
                self.bad_records.add(self.current)
        if "&" in value:
            value = value.replace("&", "&amp;")
        if "<" in value:
            value = value.replace("<", "&lt;")
        if ">" in value:
            value = value.replace(">", "&gt;")
        if "\r" in value:
            value = value.replace("\r", "&#13;")
        return value

    def attr(self, value: str) -> str:
        """``value`` for a double-quoted attribute."""
        value = self.text(value)
        if '"' in value:
            value = value.replace('"', "&quot;")
        if "\t" in value or "\n" in value:
            value = value.replace("\t", "&#9;").replace("\n", "&#10;")
        return value


def formats_for(flavour: str) -> list[str]:
    """The metadata prefixes a record of ``flavour`` can be disseminated in."""
    return [p for p, (_, _, fl) in FORMATS.items() if flavour in fl]


def _leader(value: str) -> str:
    """A leader the MARCXML schema accepts: bad positions get MARC 21 defaults, the rest is kept."""
    lead = (value or "").ljust(24)[:24]
    if _LEADER.match(lead):
        return lead
    c = list(lead)
    for i in range(0, 5):
        if not (c[i].isdigit() and c[i].isascii()):
            c[i] = "0"
    if not re.match(r"[\dA-Za-z ]", c[5]):
        c[5] = "n"
    if not re.match(r"[\dA-Za-z]", c[6]):
        c[6] = "a"
    for i in (7, 8, 9, 17, 18, 19):
        if not re.match(r"[\dA-Za-z ]", c[i]):
            c[i] = " "
    if c[7] == " ":
        c[7] = "m"
    c[10] = c[10] if c[10] in "2 " else "2"
    c[11] = c[11] if c[11] in "2 " else "2"
    for i in range(12, 17):
        if not (c[i].isdigit() and c[i].isascii()):
            c[i] = "0"
    tail = "".join(c[20:24])
    if tail not in ("4500", "    "):
        c[20:24] = list("4500")
    return "".join(c)


def _ind(value: str | None) -> str:
    v = (value or " ")[:1]
    if v.isascii() and (v.isdigit() or ("a" <= v <= "z") or v == " "):
        return v
    if "A" <= v <= "Z":
        return v.lower()
    return " "


def slim_xml(data: dict, cleaner: Cleaner, *, namespace_decl: bool = True) -> str:
    """A MARC-in-JSON record as a MARCXML <record>; fields the schema cannot hold are dropped and counted."""
    esc = cleaner.text
    parts = [
        f'<record xmlns="{MARC_NS}" xmlns:xsi="{XSI_NS}" xsi:schemaLocation="{MARC_NS} {MARC_XSD}">'
        if namespace_decl else "<record>",
        "<leader>", esc(_leader(data.get("leader") or "")), "</leader>",
    ]
    for entry in data.get("fields", ()):
        for tag, value in entry.items():
            if isinstance(value, str):
                if not _CTRL_TAG.match(tag):
                    cleaner.dropped_fields += 1
                    continue
                parts.append(f'<controlfield tag="{tag}">{esc(value)}</controlfield>')
                continue
            if not _DATA_TAG.match(tag):
                cleaner.dropped_fields += 1
                continue
            subs = []
            for sub in value.get("subfields", ()):
                for code, text in sub.items():
                    if code not in _PLAIN_CODES:
                        if not _SUBCODE.match(code):
                            code = code.lower() if _SUBCODE.match(code.lower()) else "a"
                        code = cleaner.attr(code)
                    subs.append(f'<subfield code="{code}">{esc(text)}</subfield>')
            if not subs:
                cleaner.dropped_fields += 1
                continue
            i1, i2 = value.get("ind1"), value.get("ind2")
            parts.append(
                f'<datafield tag="{tag}" ind1="{i1 if i1 in _PLAIN_IND else _ind(i1)}" '
                f'ind2="{i2 if i2 in _PLAIN_IND else _ind(i2)}">'
            )
            parts.extend(subs)
            parts.append("</datafield>")
    parts.append("</record>")
    return "".join(parts)


_RECORD_OPEN = f'<record xmlns="{MARC_NS}" xmlns:xsi="{XSI_NS}" xsi:schemaLocation="{MARC_NS} {MARC_XSD}">'
_CTRL_TAGS = frozenset(f"00{c}" for c in "123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_good_data_tags: set[str] = set()


def _data_tag_ok(tag: str) -> bool:
    if _DATA_TAG.match(tag) is None:
        return False
    if len(_good_data_tags) < 100_000:
        _good_data_tags.add(tag)
    return True


def fast_slim_xml(data_json: str) -> str | None:
    """slim_xml of the stored JSON text for the common case, or None when slim_xml must do it.

    The common case: no JSON escapes, no XML-illegal characters, a schema-valid leader, tags,
    indicators and subfield codes, no empty fields. Then escaping the whole JSON text once gives
    values that are already XML character data, and the record is written without a Cleaner.
    """
    if "\\" in data_json or (not data_json.isprintable() and _ILLEGAL.search(data_json)):
        return None
    if "&" in data_json:
        data_json = data_json.replace("&", "&amp;")
    if "<" in data_json:
        data_json = data_json.replace("<", "&lt;")
    if ">" in data_json:
        data_json = data_json.replace(">", "&gt;")
    try:
        data = json.loads(data_json)
        lead = data["leader"]
        if len(lead) != 24 or not _LEADER.match(lead):
            return None
        parts = [_RECORD_OPEN, "<leader>", lead, "</leader>"]
        for entry in data["fields"]:
            for tag, value in entry.items():
                if value.__class__ is str:
                    if tag not in _CTRL_TAGS:
                        return None
                    parts += ('<controlfield tag="', tag, '">', value, "</controlfield>")
                    continue
                i1 = value["ind1"]
                i2 = value["ind2"]
                if i1 not in _PLAIN_IND or i2 not in _PLAIN_IND or (tag not in _good_data_tags and not _data_tag_ok(tag)):
                    return None
                parts += ('<datafield tag="', tag, '" ind1="', i1, '" ind2="', i2, '">')
                n = len(parts)
                for sub in value["subfields"]:
                    for code, text in sub.items():
                        if code not in _PLAIN_CODES or text.__class__ is not str:
                            return None
                        parts += ('<subfield code="', code, '">', text, "</subfield>")
                if len(parts) == n:
                    return None
                parts.append("</datafield>")
        parts.append("</record>")
        return "".join(parts)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


def dc_xml(pairs: list[tuple[str, str]], cleaner: Cleaner) -> str:
    """Dublin Core (element, value) pairs as an oai_dc:dc element; unknown elements and empty values skipped."""
    parts = [
        f'<oai_dc:dc xmlns:oai_dc="{OAI_DC_NS}" xmlns:dc="{DC_NS}" xmlns:xsi="{XSI_NS}" '
        f'xsi:schemaLocation="{OAI_DC_NS} {OAI_DC_XSD}">'
    ]
    for element, value in pairs:
        if element not in _DC_SET or value is None:
            continue
        text = cleaner.text(str(value)).strip()
        if text:
            parts.append(f"<dc:{element}>{text}</dc:{element}>")
    parts.append("</oai_dc:dc>")
    return "".join(parts)


def _crosswalk():
    """libcat.marc.crosswalk when it is there (convert, to_dc), else None."""
    try:
        from ..marc import crosswalk
    except ImportError:
        return None
    return crosswalk if hasattr(crosswalk, "convert") and hasattr(crosswalk, "to_dc") else None


class CannotDisseminate(Exception):
    """The record cannot be written in the requested format (wrong flavour or a failed crosswalk)."""


def _record(data: dict, flavour: str) -> Record:
    return set_flavour(record_from_dict(data), flavour)


def _fallback_dc(record: Record) -> list[tuple[str, str]]:
    """A plain MARC 21 / UNIMARC -> DC mapping used only until libcat.marc.crosswalk exists."""
    out: list[tuple[str, str]] = []
    fl = getattr(record, "flavour", MARC21)
    table = (
        [("245", "ab", "title"), ("100", "a", "creator"), ("700", "a", "creator"), ("260", "b", "publisher"),
         ("264", "b", "publisher"), ("260", "c", "date"), ("264", "c", "date"), ("650", "a", "subject"),
         ("520", "a", "description"), ("020", "a", "identifier"), ("041", "a", "language")]
        if fl == MARC21 else
        [("200", "ae", "title"), ("700", "ab", "creator"), ("701", "ab", "creator"), ("210", "c", "publisher"),
         ("210", "d", "date"), ("606", "a", "subject"), ("330", "a", "description"), ("010", "a", "identifier"),
         ("101", "a", "language"), ("101", "*", "language")]
    )
    for tag, codes, element in table:
        for f in record.get_fields(tag):
            if f.is_control_field():
                continue
            text = " ".join(sf.value.strip() for sf in f.subfields if sf.code in codes and sf.value.strip())
            if text:
                out.append((element, text))
    return out


@dataclass
class Disseminator:
    """Writes a stored record in one metadata format; ``links(record_id, flavour)`` gives 856/951 fields."""

    cleaner: Cleaner
    links: Callable[[int, str], list] | None = None
    link_urls: Callable[[list], list[str]] | None = None

    def render(self, prefix: str, record_id: int, flavour: str, data_json: str, with_links: bool) -> str:
        """The <metadata> content for one record; CannotDisseminate when it cannot be written."""
        if flavour not in FORMATS[prefix][2]:
            raise CannotDisseminate(f"a {flavour} record has no {prefix} form")
        if not with_links and prefix != "oai_dc" and flavour == (MARC21 if prefix == "marc21" else UNIMARC):
            fast = fast_slim_xml(data_json)
            if fast is not None:
                return fast
        self.cleaner.current = record_id
        try:
            data = json.loads(data_json)
            extra = self.links(record_id, flavour) if (with_links and self.links) else []
            if prefix == "oai_dc":
                return self._dc(data, flavour, extra)
            if prefix == "marc21":
                return self._marc(data, flavour, extra, "marc21", MARC21)
            return self._marc(data, flavour, extra, "rusmarc", UNIMARC)
        except CannotDisseminate:
            raise
        except Exception as exc:  # a crosswalk failure is one record's problem, never the page's
            log.warning("record %s cannot be written as %s: %s", record_id, prefix, exc)
            raise CannotDisseminate(f"record {record_id} cannot be written as {prefix}: {exc}") from exc
        finally:
            self.cleaner.current = None

    def _marc(self, data: dict, flavour: str, extra: list, target: str, native: str) -> str:
        if flavour == native and not extra:
            return slim_xml(data, self.cleaner)
        record = _record(data, flavour)
        if flavour != native:
            cw = _crosswalk()
            if cw is None:
                raise CannotDisseminate(f"no crosswalk from {flavour} to {target} is installed")
            record, _warnings = cw.convert(record, target)
        for f in extra:
            record.add_ordered_field(f)
        return slim_xml(record_to_dict(record), self.cleaner)

    def _dc(self, data: dict, flavour: str, extra: list) -> str:
        record = _record(data, flavour)
        cw = _crosswalk()
        pairs = list(cw.to_dc(record)) if cw is not None else _fallback_dc(record)
        if extra and self.link_urls:
            pairs.extend(("identifier", url) for url in self.link_urls(extra))
        return dc_xml(pairs, self.cleaner)


def urls_of(fields: list) -> list[str]:
    """The URLs ($u) of 856 / 951 link fields."""
    out = []
    for f in fields:
        for code in ("u", "i"):
            for v in f.get_subfields(code):
                if v.startswith(("http://", "https://")) and v not in out:
                    out.append(v)
    return out
