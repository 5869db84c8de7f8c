"""Pieces both directions of the UNIMARC <-> MARC 21 crosswalk share: relator codes, embedded
4xx fields, non-sorting characters, ISBD punctuation, the local-lore mark, MARC 21 886 and the
warnings collector."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

from pymarc import Field, Indicators, Subfield

from ... import i18n
from ..flavour import MARC21

#: UNIMARC numeric relator codes (Appendix C) and the MARC relator term codes they mean.
RELATORS: dict[str, str] = {
    "005": "act", "010": "adp", "018": "anm", "020": "ann", "030": "arr", "040": "art", "065": "auc",
    "070": "aut", "072": "aqt", "075": "aft", "080": "aui", "090": "aud", "100": "ant", "110": "bnd",
    "120": "bdd", "130": "bkd", "140": "bjd", "150": "bpd", "160": "bsl", "170": "cll", "180": "ctg",
    "190": "cns", "200": "chr", "205": "clb", "210": "cmm", "212": "cwt", "220": "com", "230": "cmp",
    "240": "cmt", "245": "ccp", "250": "cnd", "255": "csp", "257": "ctb", "260": "cph", "270": "crr",
    "273": "cur", "275": "dnc", "280": "dte", "290": "dto", "295": "dgg", "300": "drt", "305": "dis",
    "310": "dst", "320": "dnr", "330": "dub", "340": "edt", "350": "egr", "360": "etr", "365": "exp",
    "370": "flm", "380": "frg", "390": "fmo", "400": "fnd", "410": "grt", "420": "hnr", "430": "ilu",
    "440": "ill", "450": "ins", "460": "ive", "470": "ivr", "475": "isb", "480": "lbt", "490": "lse",
    "500": "lso", "510": "ltg", "520": "lyr", "530": "mte", "540": "mon", "550": "nrt", "555": "opn",
    "557": "orm", "560": "org", "570": "oth", "580": "ppm", "582": "pta", "584": "inv", "587": "pth",
    "590": "prf", "595": "res", "600": "pht", "605": "pre", "610": "prt", "620": "pop", "630": "pro",
    "632": "prs", "633": "prd", "635": "prg", "637": "pmn", "640": "pfr", "650": "pbl", "651": "pbd",
    "655": "ppt", "660": "rcp", "670": "rce", "673": "rth", "675": "rev", "677": "rtm", "680": "rbr",
    "690": "aus", "695": "sad", "700": "scr", "705": "scl", "710": "sec", "720": "sgn", "721": "sng",
    "723": "spn", "725": "stn", "727": "ths", "730": "trl", "740": "tyd", "750": "tyg", "755": "voc",
    "760": "wde", "770": "wam",
}
RELATORS_BACK: dict[str, str] = {v: k for k, v in sorted(RELATORS.items(), reverse=True)}

#: Non-sorting begin/end markers of UNIMARC (ISO 6429 C1 NSB/NSE, and SOS/ST used by some systems).
NONSORT_BEGIN = "\x88\x98"
NONSORT_END = "\x89\x9c"
_NONSORT = re.compile("[\x88\x89\x98\x9c]")
_TRAILING = re.compile(r"\s*[:;/=,]\s*$")

#: The local-lore (краеведение) mark: IRBIS field 629 (`^BМестное изд. с краеведческим материалом`), the same
#: field in RUSMARC (UNIMARC leaves tags with a 9 to local use); MARC 21 has no equivalent and keeps it as a
#: foreign MARC field, ``886 2_ $2 rusmarc $a 629 $b <indicators> <its subfields>``.
LOCAL_LORE_TAG = "629"
#: Format source code of the RUSMARC fields MARC 21 keeps in 886 ``$2``.
RUSMARC_SOURCE = "rusmarc"


i18n.register({
    "crosswalk.field": {
        "en": "{source} field {name} not mapped to {target}",
        "ru": "{source}: поле {name} не отображается в {target}",
        "kk": "{source}: {name} өрісі {target} форматына сәйкестендірілмейді",
    },
    "crosswalk.subfield": {
        "en": "{source} subfield {name} not mapped to {target}",
        "ru": "{source}: подполе {name} не отображается в {target}",
        "kk": "{source}: {name} қосалқы өрісі {target} форматына сәйкестендірілмейді",
    },
    "crosswalk.times": {"en": " ({n} times)", "ru": " ({n} раз)", "kk": " ({n} рет)"},
    "crosswalk.marc21_relator": {
        "en": "MARC 21 {tag}$4 relator {code} has no UNIMARC code",
        "ru": "MARC 21 {tag}$4: у термина роли {code} нет кода UNIMARC",
        "kk": "MARC 21 {tag}$4: {code} рөл терминінің UNIMARC коды жоқ",
    },
    "crosswalk.unimarc_relator": {
        "en": "UNIMARC {tag}$4 relator code {code} has no MARC relator",
        "ru": "UNIMARC {tag}$4: у кода роли {code} нет соответствия в MARC",
        "kk": "UNIMARC {tag}$4: {code} рөл кодының MARC сәйкестігі жоқ",
    },
})


def strip_nonsort(text: str) -> str:
    """Text without non-sorting markers."""
    return _NONSORT.sub("", text) if text else text


def nonfiling_count(text: str) -> int:
    """Number of leading characters inside non-sorting markers (MARC 245 ind2), 0 when none."""
    if text and text[0] in NONSORT_BEGIN:
        end = min((i for i in (text.find(c) for c in NONSORT_END) if i > 0), default=-1)
        if end > 0:
            return min(end - 1, 9)
    return 0


def strip_isbd(text: str) -> str:
    """A MARC 21 value without the trailing ISBD punctuation that announces the next element."""
    return _TRAILING.sub("", text).strip()


def strip_text(text: str) -> str:
    """A UNIMARC value without non-sorting markers and surrounding blanks."""
    return strip_nonsort(text).strip()


def values(field: Field, code: str, clean: Callable[[str], str] = strip_text) -> list[str]:
    """The non-empty values of subfield ``code`` of ``field``, each passed through ``clean``."""
    out = []
    for sf in field.subfields:
        if sf.code == code and sf.value:
            v = clean(sf.value)
            if v:
                out.append(v)
    return out


def first(field: Field, code: str, clean: Callable[[str], str] = strip_text) -> str:
    """The first non-empty value of subfield ``code`` (cleaned), or ""."""
    v = values(field, code, clean)
    return v[0] if v else ""


class Warnings:
    """Collects what a crosswalk could not map, one line per (field, subfield) with a count.

    Lines come out in ``lang`` (en, ru, kk; LIBCAT_LANG when None): notes are i18n keys with their values.
    """

    def __init__(self, source: str, target: str, lang: str | None = None) -> None:
        self.source = source
        self.target = target
        self.lang = lang
        self._unmapped: Counter[str] = Counter()
        self._notes: list[str] = []

    def field(self, tag: str) -> None:
        """A whole field had no place in the target."""
        self._unmapped[tag] += 1

    def subfield(self, tag: str, code: str) -> None:
        """One subfield of a mapped field had no place in the target."""
        self._unmapped[f"{tag}${code}"] += 1

    def note(self, key: str, **values: object) -> None:
        """Anything else worth telling (a value changed on the way): message ``key`` with ``values``."""
        text = i18n.t(key, self.lang, **values)
        if text not in self._notes:
            self._notes.append(text)

    def lines(self) -> list[str]:
        """The warnings as text, unmapped fields first, in source order."""
        out = []
        for key, n in self._unmapped.items():
            what = "crosswalk.subfield" if "$" in key else "crosswalk.field"
            times = i18n.t("crosswalk.times", self.lang, n=n) if n > 1 else ""
            out.append(i18n.t(what, self.lang, source=self.source, name=key, target=self.target) + times)
        return out + self._notes


def to_foreign(field: Field, source: str) -> Field:
    """``field`` as MARC 886 (foreign MARC information), for a field the target format has no place for:
    ``$2`` source format, ``$a`` tag, ``$b`` indicators, then the field's own subfields."""
    ind = "".join(field.indicators or ("", "")).ljust(2)[:2]
    head = [Subfield("2", source), Subfield("a", field.tag), Subfield("b", ind)]
    return Field(tag="886", indicators=Indicators("2", " "), subfields=head + list(field.subfields))


def from_foreign(field: Field, source: str) -> Field | None:
    """The field an 886 from ``source`` keeps (``to_foreign`` read back); None when it is from another format
    or names no data field tag."""
    if first(field, "2").lower() != source:
        return None
    tag = first(field, "a")
    if len(tag) != 3 or not tag.isdigit() or tag < "010":
        return None
    ind, subs, after_b = "  ", [], False
    for sf in field.subfields:
        if after_b:
            subs.append(Subfield(sf.code, sf.value))
        elif sf.code == "b":
            ind, after_b = (sf.value + "  ")[:2], True
    return Field(tag=tag, indicators=Indicators(ind[0], ind[1]), subfields=subs)


def local_lore_mark(flavour: str, text: str) -> Field:
    """The local-lore mark with ``text`` (``$b``, as IRBIS writes it) in ``flavour``: 629, or 886 in MARC 21."""
    mark = Field(tag=LOCAL_LORE_TAG, indicators=Indicators(" ", " "), subfields=[Subfield("b", text)])
    return to_foreign(mark, RUSMARC_SOURCE) if flavour == MARC21 else mark


def has_local_lore_mark(idx: dict[str, list[Field]], flavour: str) -> bool:
    """True when a record (``idx``: its field index) carries the local-lore mark: 629, or in MARC 21 the
    886 $2 rusmarc that keeps it."""
    if flavour != MARC21:
        return LOCAL_LORE_TAG in idx
    for f in idx.get("886", ()):
        kept = None if f.is_control_field() else from_foreign(f, RUSMARC_SOURCE)
        if kept is not None and kept.tag == LOCAL_LORE_TAG:
            return True
    return False


def embedded_fields(field: Field) -> list[Field]:
    """The fields a UNIMARC 4xx link field embeds with ``$1`` (``$1 2001 $a title`` -> 200 1_ $a title)."""
    out: list[Field] = []
    current: Field | None = None
    for sf in field.subfields:
        if sf.code == "1":
            value = sf.value or ""
            tag = value[:3]
            if len(tag) < 3:
                current = None
                continue
            if tag < "010":
                out.append(Field(tag=tag, data=value[3:]))
                current = None
            else:
                ind = (value[3:5] + "  ")[:2]
                current = Field(tag=tag, indicators=Indicators(ind[0], ind[1]), subfields=[])
                out.append(current)
        elif current is not None:
            current.add_subfield(sf.code, sf.value)
        else:
            current = Field(tag="   ", indicators=Indicators(" ", " "), subfields=[Subfield(sf.code, sf.value)])
            out.append(current)
    return out


def embedded_value(fields: list[Field], tag: str, code: str) -> str | None:
    """The first non-empty ``code`` of an embedded field ``tag`` (or the data of a control field)."""
    for f in fields:
        if f.tag != tag:
            continue
        if f.is_control_field():
            if f.data:
                return f.data
            continue
        for sf in f.subfields:
            if sf.code == code and sf.value and sf.value.strip():
                return sf.value.strip()
    return None
