"""UNIMARC / RUSMARC -> MARC 21, following the key mappings of docs and irbis-and-rusmarc.md.

Fields with no MARC 21 home are named in the warnings, never dropped silently. 9xx local fields
are copied as they are (both formats leave 9xx to the library); the local-lore mark 629 goes into 886.
"""

from __future__ import annotations

import re

from pymarc import Field, Indicators, Record, Subfield

from ..flavour import MARC21, set_flavour
from .common import (
    LOCAL_LORE_TAG, RELATORS, RUSMARC_SOURCE, Warnings, embedded_fields, embedded_value, from_foreign,
    nonfiling_count, strip_nonsort, to_foreign,
)
from .common import first as _first
from .common import values as _vals

LEADER_TEMPLATE = "     nam a22     7a 4500"

_STATUS = {"c": "c", "d": "d", "n": "n", "p": "p", "o": "a"}
_TYPE = {"b": "t", "l": "m", "a": "a", "c": "c", "d": "d", "e": "e", "f": "f", "g": "g", "i": "i",
         "j": "j", "k": "k", "m": "o", "r": "r"}
_LEVEL = {"a": "a", "c": "c", "i": "i", "m": "m", "s": "s"}
_ENC_LEVEL = {" ": " ", "1": "1", "2": "8", "3": "3"}
_DATE_TYPE = {"a": "c", "b": "d", "c": "u", "d": "s", "e": "r", "f": "q", "g": "m", "h": "t", "i": "p",
              "j": "e", "k": "s", "u": "n"}
_AUDIENCE = {"a": "j", "b": "a", "c": "b", "d": "c", "e": "d", "k": "f", "m": "e", "u": " "}
_ILLUS = {"a": "a", "b": "b", "c": "c", "d": "d", "e": "e", "f": "f", "g": "g", "h": "h", "i": "i",
          "j": "j", "k": "k", "l": "l", "m": "m", "o": "p"}
_CONTENTS = {"a": "b", "b": "c", "c": "i", "d": "a", "e": "d", "f": "e", "g": "r", "i": "s", "k": "j",
             "l": "u", "m": "m", "n": "l", "o": "n", "p": "t", "s": "z", "t": "6"}
_LITERARY = {"a": "1", "b": "d", "c": "e", "d": "h", "e": "i", "f": "j", "g": "p", "h": "s", "y": "0", "z": "u"}
_BIOGRAPHY = {"a": "a", "b": "b", "c": "c", "d": "d", "y": " "}
_FORM = {"d": "d", "e": "e", "f": "f", "g": "f", "h": "a", "i": "b", "j": "c", "s": "s", "t": "o", "r": " "}
_COUNTRY = {"us": "xxu", "gb": "xxk", "ca": "xxc", "au": "at "}
_LANG_041 = {"a": "a", "b": "k", "c": "h", "d": "b", "e": "f", "h": "e", "i": "g", "j": "j"}
_SUBDIV = {"x": "x", "y": "z", "z": "y", "j": "v", "2": "2", "3": "0"}
#: UNIMARC 4xx link -> MARC 76x-78x, with MARC ind2 where it is significant.
_LINKS = {
    "421": ("770", " "), "422": ("772", " "), "423": ("777", " "), "430": ("780", "0"), "431": ("780", "1"),
    "432": ("780", "2"), "433": ("780", "3"), "434": ("780", "5"), "435": ("780", "6"), "436": ("780", "4"),
    "437": ("780", "7"), "440": ("785", "0"), "441": ("785", "1"), "442": ("785", "2"), "443": ("785", "3"),
    "444": ("785", "4"), "445": ("785", "5"), "446": ("785", "6"), "447": ("785", "7"), "448": ("785", "8"),
    "451": ("775", " "), "452": ("776", " "), "453": ("767", " "), "454": ("765", " "), "455": ("775", " "),
    "456": ("775", " "), "470": ("787", " "), "481": ("787", " "), "482": ("787", " "), "488": ("787", " "),
}
_NOTES = {"320": "504", "321": "510", "323": "511", "326": "310", "327": "505", "330": "520", "333": "521",
          "334": "586", "336": "516", "337": "538", "317": "561", "325": "533"}
_VARIANT_TITLE = {"510": "1", "512": "4", "513": "5", "514": "6", "515": "7", "516": "8", "517": " ",
                  "518": " ", "532": " ", "540": " ", "545": " ", "560": " "}
_YEAR = re.compile(r"\d{4}")


def _f(tag: str, ind1: str, ind2: str, pairs: list[tuple[str, str]]) -> Field:
    return Field(tag=tag, indicators=Indicators(ind1, ind2), subfields=[Subfield(c, v) for c, v in pairs if v])


def _punct(parts: list[tuple[str, str, str]], merge: str = "") -> list[tuple[str, str]]:
    """Join (code, text, ISBD prefix) into MARC subfields, each prefix ending the previous subfield."""
    out: list[list[str]] = []
    for code, text, prefix in parts:
        if not text:
            continue
        if out and prefix:
            prev = out[-1][1].rstrip()
            p = prefix.strip()
            if not prev.endswith(p) and not (p == "." and prev.endswith((".", "?", "!"))):
                prev = prev + (" " + p if p in ":;/=+" else p)
            out[-1][1] = prev
        if out and out[-1][0] == code and code in merge:
            out[-1][1] = out[-1][1] + " " + text
        else:
            out.append([code, text])
    return [(c, t) for c, t in out]


class _Converter:
    """One conversion: source record in, MARC 21 record and warnings out."""

    def __init__(self, record: Record, lang: str | None = None) -> None:
        self.src = record
        self.out: list[Field] = []
        self.w = Warnings("UNIMARC", "MARC 21", lang)
        self.has_main_entry = False
        self.f008 = list(" " * 40)
        self.lang_cat = ""

    def unmapped_subfields(self, field: Field, mapped: str) -> None:
        for sf in field.subfields:
            if sf.code not in mapped:
                self.w.subfield(field.tag, sf.code)

    def run(self) -> tuple[Record, list[str]]:
        src = self.src
        tags = [f.tag for f in src.fields]
        self.main_name_tag = next((t for t in tags if t in ("700", "710", "720")), None)
        handlers = {
            "001": self.copy_control, "003": self.f003, "005": self.copy_control, "010": self.f010,
            "011": self.f011, "020": self.f020, "021": self.f021, "035": self.f035, "100": self.f100,
            "101": self.f101, "102": self.f102, "105": self.f105, "106": self.f106, "200": self.f200,
            "205": self.f205, "206": self.simple("255", "a"), "207": self.simple("362", "a", "0"),
            "208": self.simple("254", "a"), "210": self.f210, "214": self.f210, "215": self.f215,
            "225": self.f225, "410": self.f410, "461": None, "463": None, "464": self.f464,
            "500": self.f500, "501": self.f501, "503": self.f501, "520": self.simple("247", "a", "1", "0"),
            "530": self.simple("222", "a", " ", "0"), "531": self.simple("210", "a", "0", " "),
            "541": self.simple("242", "a", "0", "0"), "600": self.f600, "601": self.f601,
            "602": self.f602, "604": self.f600, "605": self.f605, "606": self.subject("650"),
            "607": self.subject("651"), "608": self.subject("655"), "610": self.f610, "615": self.f610,
            "616": self.f610, "617": self.f620, "620": self.f620, "660": self.simple("043", "a"),
            "661": self.simple("045", "a"), "675": self.f675, "676": self.f676, "680": self.f680,
            "686": self.f686, "700": self.person, "701": self.person, "702": self.person, "703": self.person,
            "710": self.corporate, "711": self.corporate, "712": self.corporate, "713": self.corporate,
            "720": self.family, "721": self.family, "722": self.family, "801": None, "852": self.copy_data,
            "856": self.copy_data, "886": self.f886, LOCAL_LORE_TAG: self.local_lore,
        }
        for field in src.fields:
            tag = field.tag
            if tag in handlers:
                h = handlers[tag]
                if h is not None:
                    h(field)
            elif tag in _LINKS:
                self.link(field)
            elif tag in _VARIANT_TITLE:
                self.variant_title(field)
            elif tag in _NOTES or (tag.startswith("3") and len(tag) == 3):
                self.note(field)
            elif tag.startswith("9"):
                self.copy_data(field)
            else:
                self.w.field(tag)
        self.f801([f for f in src.fields if f.tag == "801"])
        self.article([f for f in src.fields if f.tag in ("461", "463")])
        return self.finish()

    def finish(self) -> tuple[Record, list[str]]:
        ldr = list(LEADER_TEMPLATE)
        src_ldr = str(self.src.leader or "").ljust(24)
        ldr[5] = _STATUS.get(src_ldr[5], "n")
        ldr[6] = _TYPE.get(src_ldr[6], "a")
        ldr[7] = _LEVEL.get(src_ldr[7], "m")
        if self.is_article:
            ldr[7] = "a"
        ldr[17] = _ENC_LEVEL.get(src_ldr[17], "7")
        ldr[18] = "i" if src_ldr[18] in " i" else " "
        if "".join(self.f008).strip():
            f008 = self.f008
            if f008[38] == " " and f008[39] == " ":
                f008[39] = "d"
            self.out.append(Field(tag="008", data="".join(f008)))
        rec = Record(leader="".join(ldr))
        order = {"001": 0, "003": 1, "005": 2, "008": 3}
        fields = sorted(self.out, key=lambda f: (order.get(f.tag, 9), f.tag))
        for f in fields:
            rec.add_field(f)
        set_flavour(rec, MARC21)
        return rec, self.w.lines()

    # --- 0xx -----------------------------------------------------------------------------------
    def copy_control(self, field: Field) -> None:
        self.out.append(Field(tag=field.tag, data=field.data if field.is_control_field() else field.value()))

    def copy_data(self, field: Field) -> None:
        if field.is_control_field():
            self.out.append(Field(tag=field.tag, data=field.data))
        else:
            self.out.append(Field(tag=field.tag, indicators=Indicators(*field.indicators),
                                  subfields=[Subfield(sf.code, strip_nonsort(sf.value)) for sf in field.subfields]))

    def f003(self, field: Field) -> None:
        value = field.data if field.is_control_field() else field.value()
        self.out.append(_f("024", "7", " ", [("a", value), ("2", "uri")]))

    def f010(self, field: Field) -> None:
        isbn = _first(field, "a")
        qual = _first(field, "b")
        if isbn and qual:
            isbn = f"{isbn} ({qual})"
        pairs = [("a", isbn), ("c", _first(field, "d"))] + [("z", z) for z in _vals(field, "z")]
        if any(v for _, v in pairs):
            self.out.append(_f("020", " ", " ", pairs))
        self.unmapped_subfields(field, "abdz")

    def f011(self, field: Field) -> None:
        pairs = [("a", _first(field, "a"))] + [("y", v) for v in _vals(field, "y")] + [("z", v) for v in _vals(field, "z")]
        self.out.append(_f("022", " ", " ", pairs))
        self.unmapped_subfields(field, "ayz")

    def f020(self, field: Field) -> None:
        self.out.append(_f("015", " ", " ", [("a", _first(field, "b")), ("2", _first(field, "a").lower())]))
        self.unmapped_subfields(field, "ab")

    def f021(self, field: Field) -> None:
        self.out.append(_f("017", " ", " ", [("a", _first(field, "b")), ("b", _first(field, "a"))]))
        self.unmapped_subfields(field, "ab")

    def f035(self, field: Field) -> None:
        pairs = [(sf.code, sf.value) for sf in field.subfields if sf.code in "az" and sf.value]
        if pairs:
            self.out.append(_f("035", " ", " ", pairs))
        self.unmapped_subfields(field, "az")

    # --- 1xx coded data -> 008 / 041 ------------------------------------------------------------
    def f100(self, field: Field) -> None:
        a = (_first(field, "a") or "").ljust(36)
        f = self.f008
        if a[:8].isdigit():
            f[0:6] = list(a[2:8])
        f[6] = _DATE_TYPE.get(a[8], "|")
        d1, d2 = a[9:13], a[13:17]
        if d1.strip():
            f[7:11] = list(d1.replace(" ", "u"))
        if d2.strip():
            f[11:15] = list(d2.replace(" ", "u"))
        f[22] = _AUDIENCE.get(a[17], " ")
        f[28] = {"a": "f", "b": "s", "c": "l", "d": "c", "e": "i", "f": "z", "g": "o", "h": "u", "y": " "}.get(a[20], " ")
        self.lang_cat = a[22:25].strip()
        self.unmapped_subfields(field, "a")

    def f101(self, field: Field) -> None:
        ind1 = "0" if field.indicator1 == "0" else ("1" if field.indicator1 in "12" else " ")
        pairs = [(_LANG_041[sf.code], sf.value.strip()) for sf in field.subfields
                 if sf.code in _LANG_041 and sf.value and sf.value.strip()]
        if pairs:
            self.out.append(_f("041", ind1, " ", pairs))
            first = _first(field, "a")
            if first and len(first) == 3:
                self.f008[35:38] = list(first.lower())
        self.unmapped_subfields(field, "".join(_LANG_041))

    def f102(self, field: Field) -> None:
        country = _first(field, "a").lower()
        if country:
            code = _COUNTRY.get(country, (country + "  ")[:3])
            self.f008[15:18] = list(code)
        self.unmapped_subfields(field, "a")

    def f105(self, field: Field) -> None:
        a = _first(field, "a").ljust(13)
        f = self.f008
        for i in range(4):
            f[18 + i] = _ILLUS.get(a[i], " ")
        contents = [c for c in (_CONTENTS.get(ch) for ch in a[4:8]) if c]
        for i, c in enumerate(contents[:4]):
            f[24 + i] = c
        for src, dst in ((8, 29), (9, 30), (10, 31)):
            f[dst] = a[src] if a[src] in "01" else ("|" if a[src] == "|" else "0")
        f[33] = _LITERARY.get(a[11], "|" if a[11] == "|" else " ")
        f[34] = _BIOGRAPHY.get(a[12], "|" if a[12] == "|" else " ")
        self.unmapped_subfields(field, "a")

    def f106(self, field: Field) -> None:
        self.f008[23] = _FORM.get(_first(field, "a")[:1], " ")
        self.unmapped_subfields(field, "a")

    # --- 2xx description ------------------------------------------------------------------------
    def f200(self, field: Field) -> None:
        raw_a = next((sf.value for sf in field.subfields if sf.code == "a" and sf.value), "")
        parts: list[tuple[str, str, str]] = []
        seen_a = False
        for sf in field.subfields:
            v = strip_nonsort(sf.value or "").strip()
            if not v:
                continue
            c = sf.code
            if c == "a":
                parts.append(("a", v, " ;" if seen_a else ""))
                seen_a = True
            elif c == "c":
                parts.append(("a", v, "."))
            elif c == "b":
                parts.append(("h", f"[{v}]" if not v.startswith("[") else v, ""))
            elif c == "e":
                parts.append(("b", v, ":"))
            elif c == "d":
                parts.append(("b", v, "="))
            elif c == "f":
                parts.append(("c", v, "/"))
            elif c == "g":
                parts.append(("c", v, ";"))
            elif c in "hv":
                parts.append(("n", v, "."))
            elif c == "i":
                parts.append(("p", v, "," if parts and parts[-1][0] == "n" else "."))
            else:
                self.w.subfield("200", c)
        if not any(code == "a" for code, _, _ in parts):
            parts[:0] = [("a", t, "") for t in self.set_title()]
        merged: list[tuple[str, str]] = []
        for code, text in _punct(parts, merge="bc"):
            if merged and merged[-1][0] == code and code == "a":
                merged[-1] = (code, merged[-1][1] + " " + text)
            else:
                merged.append((code, text))
        ind1 = "1" if self.main_name_tag else "0"
        self.out.append(_f("245", ind1, str(nonfiling_count(raw_a)), merged))

    def set_title(self) -> list[str]:
        """The title of the set a volume belongs to (461 $1 200 $a), for a volume whose 200 has only $v.

        MARC 21 writes such a volume as ``245 $a <set title> $n <volume>``; 245 without $a is invalid.
        """
        for f in self.src.get_fields("461"):
            title = embedded_value(embedded_fields(f), "200", "a")
            if title:
                return [strip_nonsort(title)]
        return []

    def f205(self, field: Field) -> None:
        parts = [("a", v, "") for v in _vals(field, "a")[:1]]
        parts += [("a", v, ",") for v in _vals(field, "b")] + [("a", v, "=") for v in _vals(field, "d")]
        parts += [("b", v, "/") for v in _vals(field, "f")] + [("b", v, ";") for v in _vals(field, "g")]
        merged: list[tuple[str, str]] = []
        for code, text in _punct(parts):
            if merged and merged[-1][0] == code:
                merged[-1] = (code, merged[-1][1] + " " + text)
            else:
                merged.append((code, text))
        self.out.append(_f("250", " ", " ", merged))
        self.unmapped_subfields(field, "abdfg")

    def simple(self, tag: str, codes: str, ind1: str = " ", ind2: str = " "):
        """A handler copying ``codes`` of the field into ``tag``."""

        def handler(field: Field) -> None:
            pairs = [(sf.code, strip_nonsort(sf.value).strip()) for sf in field.subfields if sf.code in codes and sf.value]
            if pairs:
                self.out.append(_f(tag, ind1, ind2, pairs))
            self.unmapped_subfields(field, codes)

        return handler

    def f210(self, field: Field) -> None:
        parts: list[tuple[str, str, str]] = []
        for sf in field.subfields:
            v = strip_nonsort(sf.value or "").strip()
            if not v:
                continue
            if sf.code == "a":
                parts.append(("a", v, ";" if parts else ""))
            elif sf.code == "c":
                parts.append(("b", v, ":" if parts and parts[-1][0] == "a" else ";"))
            elif sf.code == "d":
                parts.append(("c", v, "," if parts else ""))
            elif sf.code == "e":
                parts.append(("e", f"({v}" if not v.startswith("(") else v, ""))
            elif sf.code == "g":
                parts.append(("f", v, ":"))
            elif sf.code == "h":
                parts.append(("g", v if v.endswith(")") or not any(p[0] == "e" for p in parts) else v, ","))
            else:
                self.w.subfield(field.tag, sf.code)
        if any(p[0] == "e" for p in parts) and not parts[-1][1].endswith(")"):
            last = parts[-1]
            parts[-1] = (last[0], last[1] + ")", last[2])
        if field.tag == "214":
            ind2 = field.indicator2 if field.indicator2 in "01234" else "1"
            self.out.append(_f("264", " ", ind2, _punct(parts)))
        else:
            self.out.append(_f("260", " ", " ", _punct(parts)))
        year = _first(field, "d")
        if year and self.f008[7:11] == [" "] * 4:
            m = _YEAR.search(year)
            if m:
                self.f008[7:11] = list(m.group(0))

    def f215(self, field: Field) -> None:
        parts: list[tuple[str, str, str]] = []
        for sf in field.subfields:
            v = (sf.value or "").strip()
            if not v:
                continue
            mapping = {"a": ("a", ""), "c": ("b", ":"), "d": ("c", ";"), "e": ("e", "+")}
            if sf.code in mapping:
                code, p = mapping[sf.code]
                parts.append((code, v, p if parts else ""))
            else:
                self.w.subfield("215", sf.code)
        self.out.append(_f("300", " ", " ", _punct(parts)))

    def f225(self, field: Field) -> None:
        text = ""
        tail: list[tuple[str, str, str]] = []
        for sf in field.subfields:
            v = strip_nonsort(sf.value or "").strip()
            if not v:
                continue
            c = sf.code
            if c in "adefhi":
                sep = {"a": " ; ", "d": " = ", "e": " : ", "f": " / ", "h": ". ", "i": ", "}[c]
                text = f"{text}{sep}{v}" if text else v
            elif c == "v":
                tail.append(("v", v, ";"))
            elif c == "x":
                tail.append(("x", v, ","))
            else:
                self.w.subfield("225", c)
        traced = any(f.tag == "410" for f in self.src.fields)
        self.out.append(_f("490", "1" if traced else "0", " ", _punct([("a", text, "")] + tail)))

    # --- 3xx notes --------------------------------------------------------------------------
    def note(self, field: Field) -> None:
        tag = _NOTES.get(field.tag, "500")
        ind1 = " "
        if tag == "505":
            ind1 = {"0": "1", "1": "0"}.get(field.indicator1, "0")
            text = " -- ".join(_vals(field, "a"))
            self.out.append(_f("505", ind1, " ", [("a", text)]))
            self.unmapped_subfields(field, "a")
            return
        if tag == "510":
            self.out.append(_f("510", "4", " ", [("a", _first(field, "a")), ("c", _first(field, "c"))]))
            self.unmapped_subfields(field, "ac")
            return
        pairs = [("a", v) for v in _vals(field, "a")[:1]] + [("5", v) for v in _vals(field, "5")]
        if tag in ("520", "521") and len(_vals(field, "a")) > 1:
            pairs = [("a", " ".join(_vals(field, "a")))] + pairs[1:]
        self.out.append(_f(tag, ind1, " ", pairs))
        extra = _vals(field, "a")[1:]
        if tag not in ("520", "521"):
            for v in extra:
                self.out.append(_f(tag, ind1, " ", [("a", v)]))
        self.unmapped_subfields(field, "a5")

    # --- 4xx links --------------------------------------------------------------------------
    @property
    def is_article(self) -> bool:
        return any(f.tag == "463" for f in self.src.fields)

    def _link_pairs(self, emb: list[Field]) -> list[tuple[str, str]]:
        author = embedded_value(emb, "700", "a") or embedded_value(emb, "710", "a") or ""
        initials = embedded_value(emb, "700", "b")
        if author and initials:
            author = f"{author.rstrip(',')}, {initials.lstrip(', ')}"
        place = embedded_value(emb, "210", "a") or ""
        pub = embedded_value(emb, "210", "c") or ""
        year = embedded_value(emb, "210", "d") or ""
        imprint = " : ".join(x for x in (place, pub) if x)
        imprint = ", ".join(x for x in (imprint, year) if x)
        title = embedded_value(emb, "200", "a") or embedded_value(emb, "500", "a") or embedded_value(emb, "530", "a") or ""
        return [("a", author), ("t", strip_nonsort(title)), ("d", imprint),
                ("g", embedded_value(emb, "200", "v") or ""), ("x", embedded_value(emb, "011", "a") or ""),
                ("z", embedded_value(emb, "010", "a") or ""), ("w", embedded_value(emb, "001", "") or "")]

    def link(self, field: Field) -> None:
        tag, ind2 = _LINKS[field.tag]
        ind1 = "0" if field.indicator2 == "1" else "1"
        self.out.append(_f(tag, ind1, ind2, self._link_pairs(embedded_fields(field))))

    def f410(self, field: Field) -> None:
        emb = embedded_fields(field)
        title = embedded_value(emb, "200", "a") or ""
        self.out.append(_f("830", " ", "0", [("a", strip_nonsort(title)), ("v", embedded_value(emb, "200", "v") or ""),
                                            ("x", embedded_value(emb, "011", "a") or ""),
                                            ("w", embedded_value(emb, "001", "") or "")]))

    def f464(self, field: Field) -> None:
        emb = embedded_fields(field)
        pairs = self._link_pairs(emb)
        pairs = [(c, v) for c, v in pairs if c != "g"]
        part = embedded_value(emb, "200", "v") or embedded_value(emb, "200", "h") or ""
        extent = embedded_value(emb, "215", "a") or ""
        self.out.append(_f("774", "1", "8", [("g", part)] + pairs + [("h", extent)]))

    def article(self, links: list[Field]) -> None:
        """461 (set / journal) and 463 (issue, article source) -> one 773 host item entry."""
        if not links:
            return
        parent = next((embedded_fields(f) for f in links if f.tag == "461"), [])
        issue = next((embedded_fields(f) for f in links if f.tag == "463"), [])
        if not parent and not issue:
            return
        host = parent or issue
        pairs = self._link_pairs(host)
        g_parts = [embedded_value(parent, "200", "v")] if parent else []
        if issue:
            if parent:
                g_parts.append(embedded_value(issue, "200", "a"))
            g_parts += [embedded_value(issue, "200", "h"), embedded_value(issue, "200", "v"),
                        embedded_value(issue, "215", "a")]
            year = embedded_value(issue, "210", "d")
            if year and not embedded_value(host, "210", "d"):
                pairs = [(c, ", ".join(x for x in (v, year) if x) if c == "d" else v) for c, v in pairs]
        g = ". - ".join(dict.fromkeys(x for x in g_parts if x))
        pairs = [(c, g if c == "g" else v) for c, v in pairs]
        if issue and not any(c == "w" and v for c, v in pairs):
            pairs.append(("w", embedded_value(issue, "001", "") or ""))
        self.out.append(_f("773", "0", " ", pairs))

    # --- 5xx titles --------------------------------------------------------------------------
    def variant_title(self, field: Field) -> None:
        ind2 = _VARIANT_TITLE[field.tag]
        parts = [("a", _first(field, "a"), "")] + [("b", v, ":") for v in _vals(field, "e")]
        parts += [("n", v, ".") for v in _vals(field, "h")] + [("p", v, ".") for v in _vals(field, "i")]
        self.out.append(_f("246", "1" if ind2 != " " else "3", ind2, _punct(parts)))
        self.unmapped_subfields(field, "aehiz")

    def f500(self, field: Field) -> None:
        tag = "240" if self.main_name_tag else "130"
        pairs = [("a", _first(field, "a")), ("n", _first(field, "h")), ("p", _first(field, "i")),
                 ("f", _first(field, "k")), ("l", _first(field, "m")), ("s", _first(field, "q"))]
        ind1, ind2 = ("1", "0") if tag == "240" else ("0", " ")
        self.out.append(_f(tag, ind1, ind2, pairs))
        self.unmapped_subfields(field, "ahikmq")

    def f501(self, field: Field) -> None:
        self.out.append(_f("243", "1", "0", [("a", _first(field, "a")), ("k", _first(field, "e")),
                                            ("l", _first(field, "m"))]))
        self.unmapped_subfields(field, "aem")

    # --- 6xx subjects, classification ----------------------------------------------------------
    def _subject_ind2(self, field: Field) -> str:
        return "7" if _first(field, "2") else "4"

    def _subdivisions(self, field: Field) -> list[tuple[str, str]]:
        return [(_SUBDIV[sf.code], sf.value.strip()) for sf in field.subfields
                if sf.code in _SUBDIV and sf.value and sf.value.strip()]

    def _person_name(self, field: Field) -> tuple[str, list[tuple[str, str]]]:
        surname = _first(field, "a")
        rest = _first(field, "b")
        if surname and rest:
            name = f"{surname.rstrip(',')}, {rest.lstrip(', ')}"
        else:
            name = surname or rest
        extra = [("b", _first(field, "d"))] + [("c", v) for v in _vals(field, "c")]
        dates = _first(field, "f")
        if dates:
            extra.append(("d", dates))
        fuller = _first(field, "g")
        if fuller:
            extra.append(("q", f"({fuller})"))
        ind1 = "1" if field.indicator2 == "1" else "0"
        return ind1, [("a", name)] + extra

    def f600(self, field: Field) -> None:
        ind1, pairs = self._person_name(field)
        if field.tag == "604":
            pairs.append(("t", _first(field, "t")))
        self.out.append(_f("600", ind1, self._subject_ind2(field), pairs + self._subdivisions(field)))
        self.unmapped_subfields(field, "abcdfgtxyzj23")

    def f601(self, field: Field) -> None:
        meeting = field.indicator1 == "1"
        tag = "611" if meeting else "610"
        ind1 = field.indicator2 if field.indicator2 in "012" else "2"
        pairs = [("a", _first(field, "a"))] + [("b", v) for v in _vals(field, "b")]
        pairs += [("n", _first(field, "d")), ("d", _first(field, "f")), ("c", _first(field, "e"))]
        self.out.append(_f(tag, ind1, self._subject_ind2(field), pairs + self._subdivisions(field)))
        self.unmapped_subfields(field, "abdefxyzj23")

    def f602(self, field: Field) -> None:
        self.out.append(_f("600", "3", self._subject_ind2(field),
                           [("a", _first(field, "a")), ("d", _first(field, "f"))] + self._subdivisions(field)))
        self.unmapped_subfields(field, "afxyzj23")

    def f605(self, field: Field) -> None:
        pairs = [("a", _first(field, "a")), ("n", _first(field, "h")), ("p", _first(field, "i")),
                 ("l", _first(field, "m"))]
        self.out.append(_f("630", "0", self._subject_ind2(field), pairs + self._subdivisions(field)))
        self.unmapped_subfields(field, "ahimxyzj23")

    def subject(self, tag: str):
        """A handler for topical (650), geographic (651) and form (655) headings."""

        def handler(field: Field) -> None:
            ind1 = {"1": "1", "2": "2"}.get(field.indicator1, " ")
            pairs = [("a", _first(field, "a"))] + self._subdivisions(field)
            self.out.append(_f(tag, ind1 if tag == "650" else " ", self._subject_ind2(field), pairs))
            self.unmapped_subfields(field, "axyzj23")

        return handler

    def f610(self, field: Field) -> None:
        for v in _vals(field, "a"):
            self.out.append(_f("653", " ", " ", [("a", v)]))
        self.unmapped_subfields(field, "a")

    def f620(self, field: Field) -> None:
        pairs = [(c, _first(field, c)) for c in "abcd"]
        self.out.append(_f("752", " ", " ", pairs))
        self.unmapped_subfields(field, "abcd")

    def f675(self, field: Field) -> None:
        self.out.append(_f("080", " ", " ", [("a", _first(field, "a")), ("2", _first(field, "v"))]))
        self.unmapped_subfields(field, "av")

    def f676(self, field: Field) -> None:
        self.out.append(_f("082", "0", " ", [("a", _first(field, "a")), ("2", _first(field, "v"))]))
        self.unmapped_subfields(field, "av")

    def f680(self, field: Field) -> None:
        self.out.append(_f("050", " ", "4", [("a", _first(field, "a")), ("b", _first(field, "b"))]))
        self.unmapped_subfields(field, "ab")

    def f686(self, field: Field) -> None:
        pairs = [("a", v) for v in _vals(field, "a")] + [("b", _first(field, "b")), ("2", _first(field, "2"))]
        self.out.append(_f("084", " ", " ", pairs))
        self.unmapped_subfields(field, "ab2")

    # --- 7xx names ---------------------------------------------------------------------------
    def _relators(self, field: Field) -> list[tuple[str, str]]:
        out = []
        for v in _vals(field, "4"):
            code = RELATORS.get(v[:3]) if v[:3].isdigit() else (v if v.isalpha() and len(v) == 3 else None)
            if code:
                out.append(("4", code))
            else:
                self.w.note("crosswalk.unimarc_relator", tag=field.tag, code=repr(v))
        return out

    def _main_or_added(self, field: Field, main: str, added: str) -> str:
        if not self.has_main_entry and field.tag == self.main_name_tag:
            self.has_main_entry = True
            return main
        return added

    def person(self, field: Field) -> None:
        tag = self._main_or_added(field, "100", "700")
        ind1, pairs = self._person_name(field)
        pairs += [("u", _first(field, "p")), ("0", _first(field, "3"))] + self._relators(field)
        self.out.append(_f(tag, ind1, " ", pairs))
        self.unmapped_subfields(field, "abcdfgp34")

    def corporate(self, field: Field) -> None:
        meeting = field.indicator1 == "1"
        main, added = ("111", "711") if meeting else ("110", "710")
        tag = self._main_or_added(field, main, added) if field.tag == "710" else added
        ind1 = field.indicator2 if field.indicator2 in "012" else "2"
        pairs = [("a", _first(field, "a"))] + [("b", v) for v in _vals(field, "b")]
        pairs += [("g", v) for v in _vals(field, "c")] + [("n", _first(field, "d")), ("d", _first(field, "f")),
                                                        ("c", _first(field, "e")), ("0", _first(field, "3"))]
        self.out.append(_f(tag, ind1, " ", pairs + self._relators(field)))
        self.unmapped_subfields(field, "abcdef34")

    def family(self, field: Field) -> None:
        tag = self._main_or_added(field, "100", "700")
        pairs = [("a", _first(field, "a")), ("d", _first(field, "f")), ("0", _first(field, "3"))]
        self.out.append(_f(tag, "3", " ", pairs + self._relators(field)))
        self.unmapped_subfields(field, "af34")

    # --- 8xx ---------------------------------------------------------------------------------
    def f801(self, fields: list[Field]) -> None:
        """801 (originating source, by function in ind2) -> one 040."""
        if not fields:
            return
        by_role: dict[str, list[str]] = {}
        rules = ""
        for f in fields:
            agency = _first(f, "b")
            if agency:
                by_role.setdefault(f.indicator2, []).append(agency)
            rules = rules or _first(f, "g").lower()
        pairs = [("a", (by_role.get("0") or by_role.get("1") or [""])[0]), ("b", self.lang_cat),
                 ("c", (by_role.get("1") or by_role.get("0") or [""])[0]), ("e", rules)]
        pairs += [("d", v) for v in dict.fromkeys(by_role.get("2", []) + by_role.get("3", []))]
        self.out.append(_f("040", " ", " ", pairs))
        for f in fields:
            self.unmapped_subfields(f, "abcg2")

    def f886(self, field: Field) -> None:
        """886 with $2 marc21 keeps a MARC 21 field the other side had no place for: restore it."""
        kept = from_foreign(field, "marc21")
        if kept is None:
            self.w.field("886")
        else:
            self.out.append(_f(kept.tag, kept.indicator1, kept.indicator2, [(sf.code, sf.value) for sf in kept]))

    def local_lore(self, field: Field) -> None:
        """The local-lore mark (RUSMARC 629, no MARC 21 equivalent) kept whole in 886 $2 rusmarc."""
        self.out.append(to_foreign(field, RUSMARC_SOURCE))

def to_marc21(record: Record, lang: str | None = None) -> tuple[Record, list[str]]:
    """Convert a UNIMARC/RUSMARC record to MARC 21; warnings name every field or subfield not mapped."""
    return _Converter(record, lang).run()
