"""MARCXML (MARC21slim namespace): a streaming reader (lxml iterparse) and a writer that never emits
XML-illegal characters (it strips them and says so).

The writer serialises field lists (see ``iso2709``) as text in yaz-marcdump's layout, so the fast
ISO 2709 -> MARCXML path and the record path produce the same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO

from lxml import etree
from pymarc import Record

from . import iso2709
from .iso2709 import Fields

NS = "http://www.loc.gov/MARC21/slim"
HEADER = f'<?xml version="1.0" encoding="UTF-8"?>\n<collection xmlns="{NS}">\n'
FOOTER = "</collection>\n"
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SPECIAL = re.compile('[&<>"]')
_ESC = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}


def _esc(text: str) -> str:
    if "&" in text or "<" in text or ">" in text or '"' in text:
        return _SPECIAL.sub(lambda m: _ESC[m.group()], text)
    return text


def _render(leader: str, fields: Fields) -> str:
    out = ["<record>\n  <leader>", _esc(leader), "</leader>\n"]
    add = out.append
    for tag, ind, payload in fields:
        if ind is None:
            add(f'  <controlfield tag="{_esc(tag)}">{_esc(payload)}</controlfield>\n')
        else:
            add(f'  <datafield tag="{_esc(tag)}" ind1="{_esc(ind[0])}" ind2="{_esc(ind[1])}">\n')
            for code, value in payload:
                add(f'    <subfield code="{_esc(code)}">{_esc(value)}</subfield>\n')
            add("  </datafield>\n")
    add("</record>\n")
    return "".join(out)


def xml_safe(fields: Fields, leader: str) -> tuple[str, Fields, list[str]]:
    """Leader and fields without the characters XML 1.0 cannot hold, and what was removed where."""
    problems: list[str] = []

    def strip(text: str, where: str) -> str:
        found = _ILLEGAL.findall(text)
        if not found:
            return text
        codes = ", ".join(sorted({f"U+{ord(c):04X}" for c in found}))
        problems.append(f"{where}: {len(found)} character(s) not allowed in XML removed ({codes})")
        return _ILLEGAL.sub("", text)

    if _ILLEGAL.search(leader):
        problems.append("leader: characters not allowed in XML replaced by spaces")
        leader = _ILLEGAL.sub(" ", leader)
    out: Fields = []
    for tag, ind, payload in fields:
        tag = strip(tag, f"tag {tag!r}")
        if ind is None:
            out.append((tag, None, strip(payload, tag)))
        else:
            ind = strip(ind, f"{tag} indicators").ljust(2)
            out.append(
                (tag, ind, [(strip(c, f"{tag} subfield code") or "?", strip(v, f"{tag}${c}")) for c, v in payload])
            )
    return leader, out, problems


def render(leader: str, fields: Fields) -> tuple[str, list[str]]:
    """One ``<record>`` element as text (UTF-8 charset markers set), with the characters it had to strip."""
    leader, fields = iso2709.mark_charset(leader, fields, "utf-8")
    text = _render(leader, fields)
    if _ILLEGAL.search(text) is None:
        return text, []
    leader, fields, problems = xml_safe(fields, leader)
    return _render(leader, fields), problems


class MarcXmlWriter:
    """Writes a MARCXML collection; ``write`` returns what had to be changed to keep the XML well-formed."""

    def __init__(self, stream: BinaryIO, encoding: str = "utf-8") -> None:
        self.stream = stream
        self._started = False

    def _start(self) -> None:
        if not self._started:
            self.stream.write(HEADER.encode("utf-8"))
            self._started = True

    def write_fields(self, leader: str, fields: Fields) -> list[str]:
        """Write one record given as a field list."""
        self._start()
        text, problems = render(leader, fields)
        self.stream.write(text.encode("utf-8"))
        return problems

    def write(self, record: Record) -> list[str]:
        """Write one pymarc record."""
        leader, fields = iso2709.record_to_fields(record)
        return self.write_fields(leader, fields)

    def close(self) -> None:
        """Finish the collection (an empty file still gets an empty collection)."""
        self._start()
        self.stream.write(FOOTER.encode("utf-8"))
        self.stream.flush()


def _local(tag: object) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def parse_record(elem: etree._Element) -> tuple[str, Fields, list[str]]:
    """Leader, field list and notes of one ``<record>`` element."""
    warnings: list[str] = []
    leader = None
    fields: Fields = []
    for child in elem:
        name = _local(child.tag)
        if name == "leader":
            leader = child.text or ""
        elif name == "controlfield":
            tag = child.get("tag")
            if tag is None:
                warnings.append("controlfield without a tag dropped")
                continue
            fields.append((tag, None, child.text or ""))
        elif name == "datafield":
            tag = child.get("tag")
            if tag is None:
                warnings.append("datafield without a tag dropped")
                continue
            i1, i2 = child.get("ind1") or " ", child.get("ind2") or " "
            if len(i1) != 1 or len(i2) != 1:
                warnings.append(f"{tag}: indicators {i1!r}/{i2!r} cut to one character each")
            subs = []
            for sf in child:
                if _local(sf.tag) != "subfield":
                    continue
                code = sf.get("code")
                if not code:
                    warnings.append(f"{tag}: subfield without a code kept as code '?'")
                    code = "?"
                subs.append((code, sf.text or ""))
            fields.append((tag, (i1[:1] or " ") + (i2[:1] or " "), subs))
    if leader is None:
        warnings.append("no leader; a blank one was made")
        leader = " " * 24
    elif len(leader) != 24:
        warnings.append(f"leader has {len(leader)} characters instead of 24; padded/cut")
        leader = (leader + " " * 24)[:24]
    return leader, fields, warnings


def iter_elements(stream: BinaryIO) -> Iterator[tuple[int, etree._Element | None, str | None]]:
    """``(line, <record> element, None)`` for each record, streaming; ``(line, None, reason)`` when the XML breaks."""
    context = etree.iterparse(stream, events=("end",), huge_tree=True, resolve_entities=False, no_network=True)
    try:
        for _event, elem in context:
            if _local(elem.tag) != "record":
                continue
            yield elem.sourceline or 0, elem, None
            elem.clear(keep_tail=False)
            parent = elem.getparent()
            if parent is not None:
                while elem.getprevious() is not None:
                    del parent[0]
    except etree.XMLSyntaxError as exc:
        line = exc.position[0] if exc.position else 0
        yield line, None, f"XML is not well-formed: {exc.msg}"


_SUB_JOIN = '</subfield>\n    <subfield code="'
_XML_OK_BYTES = bytes(range(0x20, 0x100)) + b"\t\n\r\x1e\x1f"


def fast_render(chunk: bytes) -> str | None:
    """The ``<record>`` text of a clean UTF-8 (or ASCII) MARC 21 record straight from its bytes.

    Returns None whenever anything needs a decision (repairs, another encoding, UNIMARC charset
    markers, characters XML cannot hold): the caller then takes the record path, which gives the
    same text for every record this function accepts.
    """
    n = len(chunk)
    if n < 26 or chunk[-1] != iso2709.RT or chunk[-2] != iso2709.FT:
        return None
    lead = chunk[:24]
    if lead[0:5] != b"%05d" % n or lead[20:24] != b"4500":
        return None
    base_s = lead[12:17]
    if not base_s.isdigit():
        return None
    base = int(base_s)
    if base < 25 or base >= n or chunk[base - 1] != iso2709.FT or (base - 25) % 12:
        return None
    if lead[9:10] != b"a" and not chunk.isascii():
        return None
    if chunk[:-1].translate(None, _XML_OK_BYTES) or b"\xef\xbf\xbe" in chunk or b"\xef\xbf\xbf" in chunk:
        return None
    directory = chunk[24 : base - 1]
    if iso2709.FT_B in directory:
        return None
    data = chunk[base:-1]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    pieces = data.split(iso2709.FT_B)
    pieces.pop()
    count = len(pieces)
    if count * 12 != len(directory):
        return None
    entries = [directory[i : i + 12] for i in range(0, count * 12, 12)]
    pos = 0
    tags = []
    for e, p in zip(entries, pieces):
        ln = len(p) + 1
        if e[3:12] != b"%04d%05d" % (ln, pos):
            return None
        pos += ln
        tags.append(e[:3])
    if b"245" not in tags and b"008" not in tags and (b"200" in tags or b"100" in tags):
        return None
    if "\x1f\x1f" in text or "\x1f\x1e" in text:
        return None
    if "&" in text or "<" in text or ">" in text or '"' in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
        if "\x1f&" in text:
            return None
    fields = text.split("\x1e")
    fields.pop()
    tagstr = b"".join(tags)
    if not (tagstr.isalnum() and tagstr.isascii() and lead.isascii()):
        return None
    leader = lead.decode("ascii")
    names = tagstr.decode("ascii")
    out = ["<record>\n  <leader>", _esc(leader[:9] + "a" + leader[10:]), "</leader>\n"]
    add = out.append
    for i, f in enumerate(fields):
        tag = names[3 * i : 3 * i + 3]
        if tag < "010" and tag.isdigit():
            add(f'  <controlfield tag="{tag}">{f}</controlfield>\n')
            continue
        if len(f) < 4 or f[2] != "\x1f" or "\x1f" in f[:2]:
            return None
        add(f'  <datafield tag="{tag}" ind1="{f[0]}" ind2="{f[1]}">\n    <subfield code="')
        add(_SUB_JOIN.join([x[:1] + '">' + x[1:] for x in f[3:].split("\x1f")]))
        add("</subfield>\n  </datafield>\n")
    add("</record>\n")
    return "".join(out)
