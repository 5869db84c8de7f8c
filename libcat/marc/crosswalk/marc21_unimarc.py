"""MARC 21 -> RUSMARC, the way back for the fields the UNIMARC -> MARC 21 crosswalk defines.

ISBD punctuation that MARC 21 keeps at the end of subfields is taken off; fields with no RUSMARC
home are named in the warnings. RUSMARC fields MARC 21 kept in 886 $2 rusmarc (the local-lore mark
629) are restored.
"""

from __future__ import annotations

import datetime as dt
from functools import partial

from pymarc import Field, Indicators, Record, Subfield

from ..flavour import UNIMARC, set_flavour
from .common import RELATORS_BACK, RUSMARC_SOURCE, Warnings, first, from_foreign, strip_isbd, values

_STATUS = {"a": "c", "c": "c", "d": "d", "n": "n", "p": "p"}
_TYPE = {"t": "b", "o": "m", "p": "m"}
_DATE_TYPE = {"c": "a", "d": "b", "u": "c", "s": "d", "r": "e", "q": "f", "m": "g", "t": "h", "p": "i",
              "e": "j", "n": "u", "i": "g", "k": "g", "b": "u", "|": "d"}
_AUDIENCE = {"j": "a", "a": "b", "b": "c", "c": "d", "d": "e", "f": "k", "e": "m", "g": "m"}
_NOTES = {"500": "300", "504": "320", "505": "327", "510": "321", "511": "323", "520": "330", "521": "333",
          "533": "325", "538": "337", "561": "317", "586": "334", "516": "336", "310": "326"}
_SUBJECTS = {"600": "600", "610": "601", "611": "601", "630": "605", "650": "606", "651": "607", "655": "608"}
_SUBDIV = {"x": "x", "z": "y", "y": "z", "v": "j", "2": "2", "0": "3"}
#: MARC 21 linking entries -> UNIMARC 4xx (the first UNIMARC tag of each kind).
_LINKS_BACK = {"765": "454", "767": "453", "770": "421", "772": "422", "775": "451", "776": "452",
               "777": "423", "780": "430", "785": "440", "787": "488", "774": "464"}
_VARIANT = {"1": "510", "4": "512", "5": "513", "6": "514", "7": "515", "8": "517"}


def _f(tag: str, ind1: str, ind2: str, pairs: list[tuple[str, str]]) -> Field:
    return Field(tag=tag, indicators=Indicators(ind1, ind2), subfields=[Subfield(c, v) for c, v in pairs if v])


_vals = partial(values, clean=strip_isbd)
_first = partial(first, clean=strip_isbd)


class _Converter:
    """One conversion: MARC 21 record in, RUSMARC record and warnings out."""

    def __init__(self, record: Record, lang: str | None = None) -> None:
        self.src = record
        self.out: list[Field] = []
        self.w = Warnings("MARC 21", "RUSMARC", lang)
        self.lang = ""

    def unmapped_subfields(self, field: Field, mapped: str) -> None:
        for sf in field.subfields:
            if sf.code not in mapped:
                self.w.subfield(field.tag, sf.code)

    def run(self) -> tuple[Record, list[str]]:
        handlers = {
            "001": self.copy, "005": self.copy, "008": self.f008, "015": self.f015, "017": self.f017,
            "020": self.f020, "022": self.f022, "035": self.f035, "040": self.f040, "041": self.f041,
            "080": self.classif("675"), "082": self.classif("676"), "084": self.f084, "100": self.person,
            "110": self.corporate, "111": self.corporate, "245": self.f245, "246": self.f246, "250": self.f250,
            "260": self.f260, "264": self.f260, "300": self.f300, "490": self.f490, "653": self.f653,
            "700": self.person, "710": self.corporate, "711": self.corporate, "773": self.f773,
            "852": self.copy, "856": self.copy, "003": None, "006": None, "007": None,
            "130": self.uniform, "240": self.uniform, "830": self.f830, "886": self.f886,
        }
        for field in self.src.fields:
            tag = field.tag
            if tag in handlers:
                h = handlers[tag]
                if h is not None:
                    h(field)
                else:
                    self.w.field(tag)
            elif tag in _NOTES:
                self.note(field)
            elif tag in _LINKS_BACK:
                self.link(field)
            elif tag in _SUBJECTS:
                self.subject(field)
            elif tag.startswith("9"):
                self.copy(field)
            else:
                self.w.field(tag)
        return self.finish()

    def finish(self) -> tuple[Record, list[str]]:
        src = str(self.src.leader or "").ljust(24)
        ldr = list("     nam0 22        450 ")
        ldr[5] = _STATUS.get(src[5], "n")
        ldr[6] = _TYPE.get(src[6], src[6] if src[6].isalpha() else "a")
        ldr[7] = src[7] if src[7] in "acims" else "m"
        if src[7] in "ab":
            ldr[7] = "a"
            ldr[8] = "2"
        ldr[17] = {" ": " ", "1": "1", "8": "2", "3": "3"}.get(src[17], "3")
        ldr[18] = "i" if src[18] in "ai" else " "
        rec = Record(leader="".join(ldr))
        order = {"001": 0, "005": 2}
        for f in sorted(self.out, key=lambda f: (order.get(f.tag, 9), f.tag)):
            rec.add_field(f)
        set_flavour(rec, UNIMARC)
        return rec, self.w.lines()

    def copy(self, field: Field) -> None:
        if field.is_control_field():
            self.out.append(Field(tag=field.tag, data=field.data))
        else:
            self.out.append(Field(tag=field.tag, indicators=Indicators(*field.indicators),
                                  subfields=[Subfield(sf.code, sf.value) for sf in field.subfields]))

    def f008(self, field: Field) -> None:
        d = (field.data or "").ljust(40)
        entered = d[0:6]
        if entered.isdigit():
            century = "19" if int(entered[:2]) > dt.date.today().year % 100 + 1 else "20"
            entered = century + entered
        else:
            entered = dt.date.today().strftime("%Y%m%d")
        date1 = d[7:11].replace("u", " ")
        date2 = d[11:15].replace("u", " ")
        cat_lang = next((_first(f, "b") for f in self.src.fields if f.tag == "040" and _first(f, "b")), "rus")
        a = (entered + _DATE_TYPE.get(d[6], "d") + date1 + date2 + _AUDIENCE.get(d[22], "u") + "  y0"
             + cat_lang[:3].ljust(3) + "y" + "50" + "      " + "ca")
        self.lang = d[35:38].strip()
        self.out.append(_f("100", " ", " ", [("a", a)]))
        country = d[15:17].strip().upper()
        if country and country.isalpha():
            self.out.append(_f("102", " ", " ", [("a", country)]))
        if self.lang and not any(f.tag == "041" for f in self.src.fields):
            self.out.append(_f("101", "0", " ", [("a", self.lang)]))

    def f886(self, field: Field) -> None:
        """886 $2 rusmarc keeps a RUSMARC field MARC 21 had no place for (the local-lore mark 629): restore it."""
        kept = from_foreign(field, RUSMARC_SOURCE)
        if kept is None:
            self.w.field("886")
        else:
            self.out.append(kept)

    def f015(self, field: Field) -> None:
        self.out.append(_f("020", " ", " ", [("a", _first(field, "2").upper()), ("b", _first(field, "a"))]))
        self.unmapped_subfields(field, "a2")

    def f017(self, field: Field) -> None:
        self.out.append(_f("021", " ", " ", [("a", _first(field, "b")), ("b", _first(field, "a"))]))
        self.unmapped_subfields(field, "ab")

    def f020(self, field: Field) -> None:
        isbn = _first(field, "a")
        qualifier = _first(field, "q")
        if isbn.endswith(")") and "(" in isbn and not qualifier:
            isbn, _, qualifier = isbn[:-1].partition(" (")
        pairs = [("a", isbn.strip()), ("b", qualifier), ("d", _first(field, "c"))] + [("z", v) for v in _vals(field, "z")]
        self.out.append(_f("010", " ", " ", pairs))
        self.unmapped_subfields(field, "acqz")

    def f022(self, field: Field) -> None:
        pairs = [("a", _first(field, "a"))] + [("y", v) for v in _vals(field, "y")] + [("z", v) for v in _vals(field, "z")]
        self.out.append(_f("011", " ", " ", pairs))
        self.unmapped_subfields(field, "ayz")

    def f035(self, field: Field) -> None:
        self.out.append(_f("035", " ", " ", [(sf.code, sf.value) for sf in field.subfields if sf.code in "az"]))
        self.unmapped_subfields(field, "az")

    def f040(self, field: Field) -> None:
        rules = _first(field, "e").upper()
        original = _first(field, "a")
        if original:
            self.out.append(_f("801", " ", "0", [("b", original), ("g", rules)]))
        transcribing = _first(field, "c")
        if transcribing:
            self.out.append(_f("801", " ", "1", [("b", transcribing)]))
        for v in _vals(field, "d"):
            self.out.append(_f("801", " ", "2", [("b", v), ("g", rules)]))
        self.unmapped_subfields(field, "abcde")

    def f041(self, field: Field) -> None:
        back = {"a": "a", "k": "b", "h": "c", "b": "d", "f": "e", "e": "h", "g": "i", "j": "j"}
        pairs = [(back[sf.code], sf.value.strip()) for sf in field.subfields if sf.code in back and sf.value]
        ind1 = field.indicator1 if field.indicator1 in "01" else "0"
        self.out.append(_f("101", ind1, " ", pairs))
        self.unmapped_subfields(field, "".join(back))

    def classif(self, tag: str):
        """A handler for UDC (080 -> 675) and DDC (082 -> 676)."""

        def handler(field: Field) -> None:
            self.out.append(_f(tag, " ", " ", [("a", _first(field, "a")), ("v", _first(field, "2"))]))
            self.unmapped_subfields(field, "a2")

        return handler

    def f084(self, field: Field) -> None:
        pairs = [("a", v) for v in _vals(field, "a")] + [("b", _first(field, "b")), ("2", _first(field, "2"))]
        self.out.append(_f("686", " ", " ", pairs))
        self.unmapped_subfields(field, "ab2")

    def f245(self, field: Field) -> None:
        pairs: list[tuple[str, str]] = []
        subs = field.subfields
        for i, sf in enumerate(subs):
            v = strip_isbd(sf.value or "")
            if not v:
                continue
            if v.endswith(".") and i + 1 < len(subs) and subs[i + 1].code in "np":
                v = v[:-1].rstrip()
            if sf.code == "a":
                pairs += [("a", part) for part in v.split(" ; ")]
            elif sf.code == "b":
                parallel = bool(pairs) and pairs[-1][0] == "a" and self._ends_with(field, sf, "=")
                for j, chunk in enumerate(v.split(" = ")):
                    for k, part in enumerate(chunk.split(" : ")):
                        pairs.append(("d" if (parallel or j > 0) and k == 0 else "e", part))
            elif sf.code == "c":
                for i, part in enumerate(v.split(" ; ")):
                    pairs.append(("f" if i == 0 else "g", part))
            elif sf.code == "h":
                pairs.append(("b", v.strip("[]")))
            elif sf.code == "n":
                pairs.append(("h", v))
            elif sf.code == "p":
                pairs.append(("i", v))
            else:
                self.w.subfield("245", sf.code)
        self.out.append(_f("200", "1", " ", pairs))

    @staticmethod
    def _ends_with(field: Field, sf: Subfield, mark: str) -> bool:
        subs = field.subfields
        i = subs.index(sf)
        return i > 0 and (subs[i - 1].value or "").rstrip().endswith(mark)

    def f246(self, field: Field) -> None:
        tag = _VARIANT.get(field.indicator2, "517")
        self.out.append(_f(tag, "1", " ", [("a", _first(field, "a")), ("e", _first(field, "b")),
                                          ("h", _first(field, "n")), ("i", _first(field, "p"))]))
        self.unmapped_subfields(field, "abnp")

    def f250(self, field: Field) -> None:
        self.out.append(_f("205", " ", " ", [("a", _first(field, "a")), ("f", _first(field, "b"))]))
        self.unmapped_subfields(field, "ab")

    def f260(self, field: Field) -> None:
        back = {"a": "a", "b": "c", "c": "d", "e": "e", "f": "g", "g": "h"}
        pairs = [(back[sf.code], strip_isbd(sf.value).strip("()") if sf.code in "eg" else strip_isbd(sf.value))
                 for sf in field.subfields if sf.code in back and sf.value]
        tag = "210" if field.tag == "260" or field.indicator2 == "1" else "214"
        ind2 = field.indicator2 if tag == "214" else " "
        self.out.append(_f(tag, " ", ind2, pairs))
        self.unmapped_subfields(field, "abcefg")

    def f300(self, field: Field) -> None:
        back = {"a": "a", "b": "c", "c": "d", "e": "e"}
        self.out.append(_f("215", " ", " ", [(back[sf.code], strip_isbd(sf.value)) for sf in field.subfields
                                            if sf.code in back and sf.value]))
        self.unmapped_subfields(field, "abce")

    def f490(self, field: Field) -> None:
        self.out.append(_f("225", "1", " ", [("a", _first(field, "a")), ("v", _first(field, "v")),
                                            ("x", _first(field, "x"))]))
        self.unmapped_subfields(field, "avx")

    def note(self, field: Field) -> None:
        tag = _NOTES[field.tag]
        pairs = [("a", " ".join(_vals(field, "a")))]
        if tag == "321":
            pairs.append(("c", _first(field, "c")))
        pairs += [("5", v) for v in _vals(field, "5")]
        self.out.append(_f(tag, " ", " ", pairs))
        self.unmapped_subfields(field, "ac5" if tag == "321" else "a5")

    def subject(self, field: Field) -> None:
        tag = _SUBJECTS[field.tag]
        pairs: list[tuple[str, str]] = []
        if field.tag == "600":
            ind1, pairs = self._name(field)
            ind = (" ", ind1)
        elif field.tag in ("610", "611"):
            ind = ("1" if field.tag == "611" else "0", field.indicator1 if field.indicator1 in "012" else "2")
            pairs = [("a", _first(field, "a"))] + [("b", v) for v in _vals(field, "b")]
        else:
            ind = ({"1": "1", "2": "2"}.get(field.indicator1, " ") if tag == "606" else " ", " ")
            pairs = [("a", _first(field, "a"))]
        pairs += [(_SUBDIV[sf.code], strip_isbd(sf.value)) for sf in field.subfields if sf.code in _SUBDIV and sf.value]
        self.out.append(_f(tag, ind[0], ind[1], pairs))
        self.unmapped_subfields(field, "abcdq" + "".join(_SUBDIV))

    def f653(self, field: Field) -> None:
        self.out.append(_f("610", "0", " ", [("a", v) for v in _vals(field, "a")]))
        self.unmapped_subfields(field, "a")

    def _name(self, field: Field) -> tuple[str, list[tuple[str, str]]]:
        name = _first(field, "a")
        surname, sep, rest = name.partition(", ")
        pairs = [("a", surname), ("b", rest if sep else "")]
        pairs += [("d", _first(field, "b"))] + [("c", v) for v in _vals(field, "c")]
        pairs += [("f", _first(field, "d")), ("g", _first(field, "q").strip("()"))]
        return ("1" if field.indicator1 == "1" else "0"), pairs

    def _relators(self, field: Field) -> list[tuple[str, str]]:
        out = []
        for v in _vals(field, "4"):
            code = RELATORS_BACK.get(v.lower())
            if code:
                out.append(("4", code))
            else:
                self.w.note("crosswalk.marc21_relator", tag=field.tag, code=repr(v))
        return out

    def person(self, field: Field) -> None:
        relators = self._relators(field)
        if field.tag == "100":
            tag = "700"
        else:
            tag = "701" if not relators or relators[0][1] == "070" else "702"
        ind1, pairs = self._name(field)
        if field.indicator1 == "3":
            self.out.append(_f("720" if tag == "700" else "721", " ", " ",
                               [("a", _first(field, "a")), ("f", _first(field, "d"))] + relators))
        else:
            self.out.append(_f(tag, " ", ind1, pairs + [("p", _first(field, "u")), ("3", _first(field, "0"))] + relators))
        self.unmapped_subfields(field, "abcdqu04e")

    def corporate(self, field: Field) -> None:
        meeting = field.tag.endswith("11")
        tag = "710" if field.tag.startswith("1") else "711"
        ind2 = field.indicator1 if field.indicator1 in "012" else "2"
        pairs = [("a", _first(field, "a"))] + [("b", v) for v in _vals(field, "b")] + [("c", v) for v in _vals(field, "g")]
        pairs += [("d", _first(field, "n")), ("f", _first(field, "d")), ("e", _first(field, "c")), ("3", _first(field, "0"))]
        self.out.append(_f(tag, "1" if meeting else "0", ind2, pairs + self._relators(field)))
        self.unmapped_subfields(field, "abcdgn04e")

    def uniform(self, field: Field) -> None:
        self.out.append(_f("500", "1", "0", [("a", _first(field, "a")), ("h", _first(field, "n")),
                                            ("i", _first(field, "p")), ("k", _first(field, "f")),
                                            ("m", _first(field, "l"))]))
        self.unmapped_subfields(field, "anpfl")

    def f830(self, field: Field) -> None:
        subs = [Subfield("1", "2001 "), Subfield("a", _first(field, "a"))]
        if _first(field, "v"):
            subs.append(Subfield("v", _first(field, "v")))
        self.out.append(Field(tag="410", indicators=Indicators(" ", "0"), subfields=subs))
        self.unmapped_subfields(field, "av")

    def link(self, field: Field) -> None:
        """76x-78x linking entries -> 4xx with the linked record's title, author and number embedded."""
        tag = _LINKS_BACK[field.tag]
        if field.tag == "780":
            tag = {"0": "430", "1": "431", "2": "432", "3": "433", "4": "436", "5": "434", "6": "435",
                   "7": "437"}.get(field.indicator2, "430")
        elif field.tag == "785":
            tag = "44" + (field.indicator2 if field.indicator2 in "012345678" else "0")
        subs: list[Subfield] = []
        if _first(field, "w"):
            subs.append(Subfield("1", "001" + _first(field, "w")))
        if _first(field, "a"):
            surname, _, rest = _first(field, "a").partition(", ")
            subs += [Subfield("1", "700 1"), Subfield("a", surname)] + ([Subfield("b", rest)] if rest else [])
        subs += [Subfield("1", "2001 "), Subfield("a", _first(field, "t"))]
        if _first(field, "g"):
            subs.append(Subfield("v", _first(field, "g")))
        if _first(field, "d"):
            subs += [Subfield("1", "210  "), Subfield("d", _first(field, "d"))]
        if _first(field, "h"):
            subs += [Subfield("1", "215  "), Subfield("a", _first(field, "h"))]
        for code, emb in (("x", "011"), ("z", "010")):
            if _first(field, code):
                subs += [Subfield("1", emb + "  "), Subfield("a", _first(field, code))]
        self.out.append(Field(tag=tag, indicators=Indicators(" ", "1" if field.indicator1 == "0" else "0"),
                              subfields=[s for s in subs if s.value]))
        self.unmapped_subfields(field, "atgdhxzw")

    def f773(self, field: Field) -> None:
        """773 host item -> 463 with the source's title, imprint year and part embedded via $1."""
        subs: list[Subfield] = []
        w = _first(field, "w")
        if w:
            subs.append(Subfield("1", "001" + w))
        subs += [Subfield("1", "2001 "), Subfield("a", _first(field, "t") or _first(field, "a"))]
        g = _first(field, "g")
        if g:
            subs.append(Subfield("v", g))
        d = _first(field, "d")
        if d:
            subs += [Subfield("1", "210  "), Subfield("d", d)]
        x = _first(field, "x")
        if x:
            subs += [Subfield("1", "011  "), Subfield("a", x)]
        self.out.append(Field(tag="463", indicators=Indicators(" ", "1" if field.indicator1 == "0" else "0"),
                              subfields=subs))
        self.unmapped_subfields(field, "atgdxw")


def to_unimarc(record: Record, lang: str | None = None) -> tuple[Record, list[str]]:
    """Convert a MARC 21 record to RUSMARC; warnings name every field or subfield not mapped."""
    return _Converter(record, lang).run()
