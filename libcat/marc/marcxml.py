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

from . import encoding as enc
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


_XML_OK_BYTES = bytes(range(0x20, 0x100)) + b"\t\n\r\x1e\x1f"
_BAD_DATA = re.compile(b'\x1f[\x1e\x1f&<>"\x80-\xff]')
_HEAD = re.compile(rb"\x1b([^\x1f&\x80-\xff]{2}\x1f.)", re.S)
_SUB = re.compile(rb"\x1f(.)", re.S)
_BAD_HEAD = re.compile(rb"\x1b(?![^\x1f&\x80-\xff]{2}\x1f.)", re.S)
_BAD_CONTROL = re.compile(rb"\x1c[^<]*\x1f")
_CTRL_CLOSE = b"</controlfield>\n"
_DATA_CLOSE = b"</subfield>\n  </datafield>\n"
_CACHE_MAX = 50000
_UNIMARC_UTF8 = enc.UNIMARC_CODES[enc.UTF8]


class _Markup(dict):
    """Marker bytes -> markup: ``i1 i2 0x1F code`` opens a data field's first subfield, ``code`` the next ones."""

    def __missing__(self, key: bytes) -> bytes:
        if len(key) == 4:
            value = b'%s" ind2="%s">\n    <subfield code="%s">' % (key[0:1], key[1:2], key[3:4])
        else:
            value = b'</subfield>\n    <subfield code="%s">' % key
        if len(self) < _CACHE_MAX:
            self[key] = value
        return value


class _Opening(dict):
    """Tag -> the bytes that open its element, ending in the marker ``fast_finish`` expects."""

    def __missing__(self, tag: bytes) -> bytes:
        name = _esc(tag.decode("ascii")).encode("ascii")
        if tag.isdigit() and tag < b"010":
            value = b'  <controlfield tag="%s">\x1c' % name
        else:
            value = b'  <datafield tag="%s" ind1="\x1b' % name
        if len(self) < _CACHE_MAX:
            self[tag] = value
        return value


class _Closing(dict):
    """Tag -> the bytes that close its element."""

    def __missing__(self, tag: bytes) -> bytes:
        value = _CTRL_CLOSE if tag.isdigit() and tag < b"010" else _DATA_CLOSE
        if len(self) < _CACHE_MAX:
            self[tag] = value
        return value


_MARKUP = _Markup()
_OPEN = _Opening()
_CLOSE = _Closing()


def _escape_bytes(data: bytes) -> bytes:
    if b"&" in data:
        data = data.replace(b"&", b"&amp;")
    if b"<" in data:
        data = data.replace(b"<", b"&lt;")
    if b">" in data:
        data = data.replace(b">", b"&gt;")
    if b'"' in data:
        data = data.replace(b'"', b"&quot;")
    return data


def fast_prepare(chunk: bytes) -> bytes | None:
    """Half-made ``<record>`` bytes of a clean UTF-8 (or ASCII) MARC 21 record, or None when it needs the record path.

    The result still holds markers (0x1B, 0x1C, 0x1F) that ``fast_finish`` turns into markup for many
    records at once. None whenever anything needs a decision (repairs, another encoding, a UNIMARC
    100$a/26-29 to rewrite, characters XML cannot hold): the record path then gives the same text.
    """
    n = len(chunk)
    if n < 38 or chunk[-1] != 0x1D or chunk[-2] != 0x1E:
        return None
    lead = chunk[:24]
    if lead[:5] != b"%05d" % n or lead[20:24] != b"4500" or not lead[12:17].isdigit():
        return None
    base = int(lead[12:17])
    count, rest = divmod(base - 25, 12)
    if count < 1 or rest or base >= n or chunk[base - 1] != 0x1E:
        return None
    if chunk.translate(None, _XML_OK_BYTES) != b"\x1d":
        return None
    if not chunk.isascii():
        if lead[9] != 0x61 or not lead.isascii() or b"\xef\xbf\xbe" in chunk or b"\xef\xbf\xbf" in chunk:
            return None
        try:
            chunk.decode("utf-8")
        except UnicodeDecodeError:
            return None
    directory = chunk[24 : base - 1]
    data = chunk[base:-1]
    if not directory.isascii() or _BAD_DATA.search(data) is not None:
        return None
    plain = iso2709.plain_fields(directory, data)
    if plain is None:
        return None
    tags, fields = plain
    if b"100" in tags and b"245" not in tags and b"008" not in tags:
        for sub in fields[tags.index(b"100")].split(b"\x1f")[1:]:
            value = sub[1:].decode("utf-8")
            if sub[:1] == b"a" and len(value) >= 30 and value[26:30] != _UNIMARC_UTF8:
                return None
    escaped = _escape_bytes(data)
    if escaped is not data:
        fields = escaped.split(b"\x1e")
        fields.pop()
    out: list[bytes] = [b""] * (3 * count + 2)
    out[0] = b"<record>\n  <leader>%s</leader>\n" % _escape_bytes(lead[:9] + b"a" + lead[10:])
    out[1:-1:3] = map(_OPEN.__getitem__, tags)
    out[2:-1:3] = fields
    out[3:-1:3] = map(_CLOSE.__getitem__, tags)
    out[-1] = b"</record>\n"
    marked = b"".join(out)
    if _BAD_HEAD.search(marked) is not None or _BAD_CONTROL.search(marked) is not None:
        return None
    return marked


def fast_finish(marked: bytes) -> bytes:
    """The MARCXML bytes of ``fast_prepare`` results (joined, possibly with finished XML between them)."""
    parts = _HEAD.split(marked.replace(b"\x1c", b""))
    parts[1::2] = map(_MARKUP.__getitem__, parts[1::2])
    parts = _SUB.split(b"".join(parts))
    parts[1::2] = map(_MARKUP.__getitem__, parts[1::2])
    return b"".join(parts)


def fast_render(chunk: bytes) -> str | None:
    """The ``<record>`` text of one clean UTF-8 MARC 21 record straight from its bytes; None when it needs the record path."""
    marked = fast_prepare(chunk)
    return None if marked is None else fast_finish(marked).decode("utf-8")
