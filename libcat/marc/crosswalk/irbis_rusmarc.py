"""IRBIS internal <-> RUSMARC, after IRBIS's own export rules (irb_marc) and, for the way back,
its import rules (marc_irb) in broad strokes."""

from __future__ import annotations

import datetime as dt
import re

from pymarc import Field, Leader, Record, Subfield

from ... import i18n
from ..flavour import IRBIS, IRBIS_VALUE_CODE, UNIMARC, set_flavour

V = IRBIS_VALUE_CODE

#: Indicators the export gives a field when the IRBIS record carries none (RUSMARC practice).
DEFAULT_INDICATORS: dict[str, str] = {
    "101": "0 ", "200": "1 ", "225": "1 ", "461": " 0", "463": " 0", "606": "1 ", "610": "0 ",
    "700": " 1", "701": " 1", "702": " 1", "710": "02", "711": "12", "801": " 0", "856": "4 ",
}
#: IRBIS-only fields the export reads and folds into other fields (not warned about).
CONSUMED = {"900", "903", "907", "919", "920", "923", "951", "963", "964", "971", "972"}
#: Pseudo-subfields IRBIS's import puts indicators into (first indicator, second indicator).
PSEUDO_IND1, PSEUDO_IND2 = "0", "!"
_INDICATOR_CHAR = re.compile(r"[ 0-9#a-z|]?\Z")
_MARC_CODE = re.compile(r"[a-z0-9]\Z")
_RELATOR = re.compile(r"\s*(\d{3})")
_YMD = re.compile(r"(\d{8})")
#: 900^B codes of monographs (leader/7 = m); above 07 are analytics (articles).
_MONOGRAPH_KINDS = {"03", "04", "05", "07"}
#: Target audience codes of RUSMARC 100$a/17 accepted from 900^X.
_AUDIENCE = set("abcdeijkmu")

i18n.register({
    "irbis_rusmarc.shelf": {
        "en": "903: shelf code {shelf} not exported (001 holds the MFN {mfn})",
        "ru": "903: шифр {shelf} не выгружен (в 001 — MFN {mfn})",
        "kk": "903: {shelf} шифры шығарылмады (001 өрісінде MFN {mfn})",
    },
    "irbis_rusmarc.irbis_only": {
        "en": "{tag}: IRBIS-only field{times}, no RUSMARC equivalent, not exported",
        "ru": "{tag}: поле только ИРБИС{times}, в RUSMARC нет соответствия, не выгружено",
        "kk": "{tag}: тек ИРБИС өрісі{times}, RUSMARC-та сәйкестігі жоқ, шығарылмады",
    },
    "irbis_rusmarc.fields": {"en": " ({n} fields)", "ru": " ({n} полей)", "kk": " ({n} өріс)"},
    "irbis_rusmarc.asp_source": {
        "en": "920 ASP: article without a 463 source field",
        "ru": "920 ASP: статья без поля источника 463",
        "kk": "920 ASP: 463 дереккөз өрісі жоқ мақала",
    },
    "irbis_rusmarc.bad_codes": {
        "en": "{tag}: subfield(s) {codes} are not MARC subfield codes, not exported",
        "ru": "{tag}: подполя {codes} — недопустимые в MARC коды, не выгружены",
        "kk": "{tag}: {codes} қосалқы өрістері MARC кодтары емес, шығарылмады",
    },
    "irbis_rusmarc.link_951": {
        "en": "951: subfield(s) {codes} have no RUSMARC 856 place, not exported",
        "ru": "951: подполям {codes} нет места в RUSMARC 856, не выгружены",
        "kk": "951: {codes} қосалқы өрістеріне RUSMARC 856 ішінде орын жоқ, шығарылмады",
    },
    "irbis_rusmarc.control_kept": {
        "en": "{tag}: control field kept as is",
        "ru": "{tag}: управляющее поле оставлено как есть",
        "kk": "{tag}: басқару өрісі өзгеріссіз қалдырылды",
    },
    "irbis_rusmarc.link_856": {
        "en": "856: subfield(s) {codes} have no IRBIS 951 place, not exported",
        "ru": "856: подполям {codes} нет места в ИРБИС 951, не выгружены",
        "kk": "856: {codes} қосалқы өрістеріне ИРБИС 951 ішінде орын жоқ, шығарылмады",
    },
    "irbis_rusmarc.link_kept": {
        "en": "{tag}: embedded link of a non-article record kept as is",
        "ru": "{tag}: встроенная связь записи, не являющейся статьёй, оставлена как есть",
        "kk": "{tag}: мақала емес жазбаның ендірілген байланысы өзгеріссіз қалдырылды",
    },
    "irbis_rusmarc.volume": {
        "en": "{tag}: volume designation {value} of the link belongs in 200^V",
        "ru": "{tag}: обозначение тома {value} из связи должно быть в 200^V",
        "kk": "{tag}: байланыстағы {value} том белгісі 200^V өрісінде болуы керек",
    },
})


def _sub(f: Field, code: str) -> str:
    """First value of subfield ``code`` (``*`` = the leading value), stripped; '' when absent."""
    if f.is_control_field():
        return ""
    v = f.get(code)
    return v.strip() if v else ""


def _value(f: Field) -> str:
    """The main value of an IRBIS field: its leading text, else ^A."""
    return _sub(f, V) or _sub(f, "a")


def _first(record: Record, tag: str) -> Field | None:
    return next(iter(record.get_fields(tag)), None)


def _worksheet(record: Record) -> str:
    f = _first(record, "920")
    return _value(f).upper() if f is not None else ""


def _split_indicators(f: Field) -> tuple[list[Subfield], str | None, str | None]:
    """Subfields without the leading ``^0``/``^!`` pseudo-indicators, and the indicators found."""
    subs = list(f.subfields)
    ind1 = ind2 = None
    while subs and subs[0].code in (PSEUDO_IND1, PSEUDO_IND2) and _INDICATOR_CHAR.match(subs[0].value):
        char = (subs[0].value or " ").replace("#", " ")
        if subs[0].code == PSEUDO_IND1 and ind1 is None:
            ind1 = char
        elif subs[0].code == PSEUDO_IND2 and ind2 is None:
            ind2 = char
        else:
            break
        subs.pop(0)
    return subs, ind1, ind2


def _leader(record: Record) -> str:
    """RUSMARC leader from 900^T/^B, 920 worksheet and 463^W (irb_marc rules)."""
    ws = _worksheet(record)
    f900 = _first(record, "900")
    kind_t = (_sub(f900, "t")[:1] if f900 is not None else "") or "a"
    kind_b = _sub(f900, "b") if f900 is not None else ""
    if ws == "NJK":
        level = "c"
    elif kind_b in _MONOGRAPH_KINDS or ws == "NJ":
        level = "m"
    elif kind_b.isdigit() and int(kind_b) > 7:
        level = "a"
    elif not kind_b and ws in ("PAZK", "SPEC"):
        level = "m"
    elif not kind_b and ws == "ASP":
        level = "a"
    else:
        level = "s"
    has_source = any(_sub(f, "w") for f in record.get_fields("463"))
    if ws == "J":
        hier = "1"
    elif ws == "NJ" or (ws == "ASP" and has_source):
        hier = "2"
    else:
        hier = "0"
    return f"00000n{kind_t}{level}{hier} 2200000 i 450 "


def _dates_907(record: Record) -> list[str]:
    out = []
    for f in record.get_fields("907"):
        m = _YMD.match(_sub(f, "a"))
        if m:
            out.append(m.group(1))
    return out


def _field(tag: str, indicators: str, subfields: list[Subfield]) -> Field:
    return Field(tag=tag, indicators=[indicators[0], indicators[1]], subfields=subfields)


def _plain(subs: list[Subfield]) -> list[Subfield]:
    """Turn the leading ``*`` value into ``$a`` (IRBIS plain fields such as 101, 610, 675)."""
    return [Subfield("a", s.value) if s.code == V else s for s in subs]


def _build_100(record: Record, entered: str | None, year: str | None, level: str) -> Field:
    """RUSMARC 100$a (36 characters) from 907, 210/463 year, 900^X audience and 919."""
    f900 = _first(record, "900")
    f919 = _first(record, "919")
    audience = (_sub(f900, "x")[:1] if f900 is not None else "").lower()
    audience = audience if audience in _AUDIENCE else "u"
    lang = (_sub(f919, "a") if f919 is not None else "")[:3].lower() or "rus"
    script = (_sub(f919, "g") if f919 is not None else "")[:2].lower() or "ca"
    date_type = "a" if level == "s" else "d"
    y = (year or "").ljust(4)[:4] if year and year.isdigit() else "    "
    value = (
        (entered or dt.date.today().strftime("%Y%m%d"))
        + date_type + y + "    " + audience + "  " + "y0" + lang.ljust(3) + "y" + "50  " + "    " + script.ljust(2)
    )
    return _field("100", "  ", [Subfield("a", value)])


def _year_of(record: Record) -> str | None:
    for tag, code in (("210", "d"), ("463", "j"), ("461", "h")):
        for f in record.get_fields(tag):
            m = re.search(r"\d{4}", _sub(f, code))
            if m:
                return m.group(0)
    return None


def _embedded_source(f463: Field, f963: Field | None) -> list[Field]:
    """IRBIS flat 463 (+963) -> RUSMARC 461 (the journal/newspaper) and 463 (the issue), embedded."""
    out: list[Field] = []
    title = _sub(f463, "c")
    subs461: list[Subfield] = []
    if _sub(f463, "w"):
        subs461 += [Subfield("1", "001" + _sub(f463, "w"))]
    if title:
        subs461 += [Subfield("1", "2001 "), Subfield("a", title)]
        if f963 is not None and _sub(f963, "e"):
            subs461.append(Subfield("e", _sub(f963, "e")))
    if f963 is not None and _sub(f963, "i"):
        ident = _sub(f963, "i")
        subs461 += [Subfield("1", ("011  " if len(re.sub(r"\D", "", ident)) == 8 else "010  ")), Subfield("a", ident)]
    if f963 is not None and _sub(f963, "x"):
        subs461 += [Subfield("1", "700 1"), Subfield("a", _sub(f963, "x"))]
    place, publisher = _sub(f463, "d"), _sub(f463, "g")
    if place or publisher:
        subs461.append(Subfield("1", "210  "))
        subs461 += [Subfield("a", place)] if place else []
        subs461 += [Subfield("c", publisher)] if publisher else []
    if subs461:
        out.append(_field("461", DEFAULT_INDICATORS["461"], subs461))
    issue = _sub(f463, "h")
    volume = _sub(f463, "v") or _sub(f463, "a")
    pages = _sub(f463, "s")
    year = _sub(f463, "j")
    subs463: list[Subfield] = []
    if issue or volume or pages:
        subs463.append(Subfield("1", "2001 "))
        subs463.append(Subfield("a", issue or volume))
        if volume and issue:
            subs463.append(Subfield("h", volume))
        if pages:
            subs463.append(Subfield("v", pages))
    if year:
        subs463 += [Subfield("1", "210  "), Subfield("d", year)]
    if subs463:
        out.append(_field("463", DEFAULT_INDICATORS["463"], subs463))
    return out


def _embedded_parent(f461: Field) -> Field:
    """IRBIS flat 461 (multivolume set) -> RUSMARC 461 with the set's 200/210 embedded."""
    subs: list[Subfield] = [Subfield("1", "2001 "), Subfield("a", _sub(f461, "c"))]
    if _sub(f461, "f"):
        subs.append(Subfield("f", _sub(f461, "f")))
    imprint = [(c, _sub(f461, k)) for c, k in (("a", "d"), ("c", "g"), ("d", "h")) if _sub(f461, k)]
    if imprint:
        subs.append(Subfield("1", "210  "))
        subs += [Subfield(c, v) for c, v in imprint]
    if _sub(f461, "i"):
        subs += [Subfield("1", "010  "), Subfield("a", _sub(f461, "i"))]
    if _sub(f461, "x"):
        subs += [Subfield("1", "700 1"), Subfield("a", _sub(f461, "x"))]
    return _field("461", DEFAULT_INDICATORS["461"], subs)


def irbis_to_rusmarc(record: Record, mfn: int | None = None, lang: str | None = None) -> tuple[Record, list[str]]:
    """An IRBIS-internal record as RUSMARC (flavour ``unimarc``) and what could not be exported (in ``lang``)."""
    warnings: list[str] = []
    dropped: dict[str, int] = {}
    out = Record()
    out.leader = Leader(_leader(record))
    level = out.leader[7]
    ws = _worksheet(record)
    shelf = next((_value(f) for f in record.get_fields("903") if _value(f)), "")
    if mfn is not None:
        out.add_field(Field(tag="001", data=str(mfn)))
        if shelf:
            warnings.append(i18n.t("irbis_rusmarc.shelf", lang, shelf=repr(shelf), mfn=mfn))
    elif shelf:
        out.add_field(Field(tag="001", data=shelf))
    dates = _dates_907(record)
    if dates:
        out.add_field(Field(tag="005", data=max(dates) + "000000.0"))
    fields: list[Field] = []
    f963 = _first(record, "963")
    f923 = _first(record, "923")
    f900 = _first(record, "900")
    f919 = _first(record, "919")
    for f in record.fields:
        tag = f.tag
        if f.is_control_field():
            if tag not in ("001", "005"):
                fields.append(Field(tag=tag, data=f.data))
            continue
        if len(tag) > 3 or not tag.isdigit() or (tag.startswith("9") and tag not in CONSUMED):
            dropped[tag] = dropped.get(tag, 0) + 1
            continue
        subs, ind1, ind2 = _split_indicators(f)
        subs = _marc_codes(tag, subs, warnings, lang)
        default = DEFAULT_INDICATORS.get(tag, "  ")
        inds = (ind1 if ind1 is not None else default[0]) + (ind2 if ind2 is not None else default[1])
        if tag in CONSUMED:
            if tag == "951":
                fields.append(_link_856(f, warnings, lang))
            elif tag == "964":
                fields.append(_field("686", "  ", [Subfield("a", _value(f)), Subfield("2", "rugasnti")]))
            elif tag in ("971", "972"):
                fields.append(_field("710" if tag == "971" else "711", "1" + inds[1], _plain(subs)))
            continue
        if tag == "331":
            fields.append(_field("330", inds, _plain(subs)))
        elif tag == "621":
            fields.append(_field("686", inds, _plain(subs) + [Subfield("2", "rubbk")]))
        elif tag in ("700", "701", "702"):
            fields.append(_field(tag, inds, _relators(_plain(subs))))
        elif tag == "463":
            fields.extend(_embedded_source(f, f963))
        elif tag == "461" and not any(s.code == "1" for s in subs):
            fields.append(_embedded_parent(f))
        elif tag == "101":
            if f919 is not None and _sub(f919, "o"):
                inds = "1" + inds[1]
            fields.append(_field(tag, inds, _plain(subs)))
        elif tag == "200":
            extra = [Subfield(c, _sub(f923, c)) for c in ("h", "i") if f923 is not None and _sub(f923, c)]
            fields.append(_field(tag, inds, _plain(subs) + extra))
        else:
            fields.append(_field(tag, inds, _plain(subs)))
    if f919 is not None and _sub(f919, "o"):
        for f in fields:
            if f.tag == "101" and not f.get("c"):
                f.add_subfield("c", _sub(f919, "o"))
                break
    if f900 is not None and _sub(f900, "z"):
        fields.append(_field("333", "  ", [Subfield("a", _sub(f900, "z"))]))
    for f in record.get_fields("463"):
        if _sub(f, "0") and not any(x.tag == "215" for x in fields):
            fields.append(_field("215", "  ", [Subfield("a", _sub(f, "0"))]))
    if not any(f.tag == "100" for f in fields):
        fields.append(_build_100(record, min(dates) if dates else None, _year_of(record), level))
    if not any(f.tag == "801" for f in fields):
        subs801 = [Subfield("a", "KZ")] + ([Subfield("c", max(dates))] if dates else [])
        fields.append(_field("801", DEFAULT_INDICATORS["801"], subs801))
    for tag, count in dropped.items():
        times = i18n.t("irbis_rusmarc.fields", lang, n=count) if count > 1 else ""
        warnings.append(i18n.t("irbis_rusmarc.irbis_only", lang, tag=tag, times=times))
    if ws == "ASP" and not record.get_fields("463"):
        warnings.append(i18n.t("irbis_rusmarc.asp_source", lang))
    for f in sorted(fields, key=lambda x: x.tag):
        out.add_field(f)
    set_flavour(out, UNIMARC)
    return out, warnings


def _marc_codes(tag: str, subs: list[Subfield], warnings: list[str], lang: str | None) -> list[Subfield]:
    """The subfields whose codes MARC readers accept (a-z, 0-9, IRBIS's leading value); others are warned about.

    IRBIS allows any character as a code (``#691: ^! 3^IАКТ``); RUSMARC validation rejects such records.
    """
    bad = sorted({s.code for s in subs if s.code != V and not _MARC_CODE.match(s.code)})
    if bad:
        codes = ", ".join("^" + c for c in bad)
        message = i18n.t("irbis_rusmarc.bad_codes", lang, tag=tag, codes=codes)
        if message not in warnings:
            warnings.append(message)
    return [s for s in subs if s.code not in bad]


def _relators(subs: list[Subfield]) -> list[Subfield]:
    """``^4340 ред.`` -> ``$4 340``: keep the 3-digit RUSMARC relator code only."""
    out = []
    for s in subs:
        if s.code == "4":
            m = _RELATOR.match(s.value)
            out.append(Subfield("4", m.group(1) if m else s.value.strip()))
        else:
            out.append(s)
    return out


#: IRBIS 951 (external resource) subfield -> RUSMARC 856 subfield; the way back reads it reversed.
LINK_951_856 = {"i": "u", "a": "f", "t": "z", "2": "s", "h": "q"}
_LINK_856_951 = {m: c for c, m in LINK_951_856.items()}


def _link_856(f: Field, warnings: list[str], lang: str | None) -> Field:
    """951 external resource -> 856: ^I URL -> $u, ^A file -> $f, ^T text -> $z, ^2 size -> $s, ^H type -> $q.

    Other 951 subfields (^N number of pages, ^D access level, ^L LAN only, ^1 date...) are warned about.
    """
    url = _sub(f, "i")
    subs = [Subfield(c, _sub(f, k)) for k, c in LINK_951_856.items() if _sub(f, k)]
    lost = sorted({s.code.upper() for s in f.subfields if s.code.lower() not in LINK_951_856 and s.value})
    if lost:
        warnings.append(i18n.t("irbis_rusmarc.link_951", lang, codes=", ".join("^" + c for c in lost)))
    ind1 = "4" if url.lower().startswith(("http://", "https://")) else " "
    return _field("856", ind1 + " ", subs)


# ---- the way back ---------------------------------------------------------------------------

#: leader/7 -> (worksheet, 900^B)
_LEVEL_TO_IRBIS = {"m": ("PAZK", "05"), "a": ("ASP", "12"), "s": ("J", "01"), "c": ("NJK", "01")}
#: RUSMARC fields IRBIS keeps as a plain value (no subfields) when they hold only $a.
_PLAIN_TAGS = {"101", "102", "610", "621", "675", "964"}


def _embedded(f: Field) -> dict[str, dict[str, str]]:
    """Embedded fields of a RUSMARC 4xx link: ``{"200": {"a": ..}, "001": {"": ..}}`` (first wins)."""
    out: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for s in f.subfields:
        if s.code == "1":
            tag = s.value[:3]
            if tag < "010":
                out.setdefault(tag, {"": s.value[3:]})
                current = None
            else:
                current = out.setdefault(tag, {})
        elif current is not None:
            current.setdefault(s.code, s.value)
    return out


def _with_pseudo(tag: str, f: Field, subs: list[Subfield]) -> list[Subfield]:
    """Prefix ``^0``/``^!`` pseudo-indicators when the field's indicators differ from the defaults."""
    inds = "".join(f.indicators or ["  "]).ljust(2)
    if inds == DEFAULT_INDICATORS.get(tag, "  ") or not inds.strip():
        return subs
    return [Subfield(PSEUDO_IND1, inds[0]), Subfield(PSEUDO_IND2, inds[1])] + subs


def rusmarc_to_irbis(record: Record, lang: str | None = None) -> tuple[Record, list[str]]:
    """A RUSMARC/UNIMARC record as IRBIS internal (flavour ``irbis``) and what was lost on the way (in ``lang``)."""
    warnings: list[str] = []
    out = Record(force_utf8=True)
    leader = str(record.leader)
    level = leader[7] if len(leader) > 7 else "m"
    doc_type = leader[6] if len(leader) > 6 and leader[6].strip() else "a"
    ws, kind = _LEVEL_TO_IRBIS.get(level, ("PAZK", "05"))
    has_parent = any(f.tag == "461" for f in record.fields)
    if level == "m" and has_parent:
        ws = "SPEC"
    if level == "s" and len(leader) > 8 and leader[8] == "2":
        ws = "NJ"
    fields: list[Field] = [_ifield("920", [Subfield(V, ws)])]
    subs900 = [Subfield("t", doc_type), Subfield("b", kind)]
    f100 = _first(record, "100")
    a100 = _sub(f100, "a") if f100 is not None else ""
    if len(a100) >= 18 and a100[17].strip() and a100[17] != "u":
        subs900.append(Subfield("x", a100[17]))
    for f in record.get_fields("333"):
        subs900.append(Subfield("z", _sub(f, "a")))
        break
    fields.append(_ifield("900", subs900))
    source: dict[str, str] = {}
    extra: dict[str, str] = {}
    shelf = ""
    for f in record.fields:
        tag = f.tag
        if f.is_control_field():
            if tag == "001":
                shelf = f.data or ""
            elif tag != "005":
                warnings.append(i18n.t("irbis_rusmarc.control_kept", lang, tag=tag))
                fields.append(Field(tag=tag, data=f.data))
            continue
        subs = list(f.subfields)
        if tag == "330":
            fields.append(_ifield("331", [Subfield(V, " ".join(s.value for s in subs if s.code == "a"))]))
        elif tag == "333":
            continue
        elif tag == "686":
            system = f.get("2") or ""
            rest = [s for s in subs if s.code != "2"]
            if system == "rubbk":
                fields.append(_ifield("621", _irbis_plain("621", rest)))
            elif system == "rugasnti":
                fields.append(_ifield("964", _irbis_plain("964", rest)))
            else:
                fields.append(_ifield(tag, _with_pseudo(tag, f, subs)))
        elif tag == "856":
            fields.append(_ifield("951", [Subfield(_LINK_856_951[s.code], s.value) for s in subs
                                          if s.code in _LINK_856_951 and s.value]))
            lost = sorted({s.code for s in subs if s.code not in _LINK_856_951 and s.value})
            if lost:
                warnings.append(i18n.t("irbis_rusmarc.link_856", lang, codes=", ".join("$" + c for c in lost)))
        elif tag in ("461", "463") and level == "a" and _embedded(f):
            _collect_source(tag, f, source, extra)
        elif tag in ("461", "463"):
            fields.extend(_flat_links(tag, f, warnings, lang))
        elif tag == "710" and (f.indicators or [" "])[0] == "1":
            fields.append(_ifield("971", subs))
        elif tag in ("700", "701", "702"):
            fields.append(_ifield(tag, _with_pseudo(tag, f, subs)))
        elif tag == "200":
            part = [s for s in subs if s.code in ("h", "i")]
            fields.append(_ifield(tag, _with_pseudo(tag, f, [s for s in subs if s.code not in ("h", "i")])))
            if part:
                fields.append(_ifield("923", part))
        elif tag in _PLAIN_TAGS and all(s.code == "a" for s in subs) and not _with_pseudo(tag, f, [])[:1]:
            fields.extend(_ifield(tag, [Subfield(V, s.value)]) for s in subs)
        else:
            fields.append(_ifield(tag, _with_pseudo(tag, f, subs)))
    if source:
        order = "cjhvsdgw"
        fields.append(_ifield("463", [Subfield(c, source[c]) for c in sorted(source, key=order.index)]))
    if extra:
        fields.append(_ifield("963", [Subfield(c, v) for c, v in extra.items()]))
    if shelf:
        fields.append(_ifield("903", [Subfield(V, shelf)]))
    f005 = _first(record, "005")
    stamp = (f005.data or "")[:8] if f005 is not None else ""
    entered = a100[:8] if a100[:8].isdigit() else ""
    for date in dict.fromkeys(d for d in (entered, stamp) if d.isdigit() and len(d) == 8):
        fields.append(_ifield("907", [Subfield("c", "ZU"), Subfield("a", date), Subfield("b", "libcat")]))
    for f in fields:
        out.add_field(f)
    set_flavour(out, IRBIS)
    return out, warnings


def _ifield(tag: str, subs: list[Subfield]) -> Field:
    return Field(tag=tag, indicators=[" ", " "], subfields=subs)


def _irbis_plain(tag: str, subs: list[Subfield]) -> list[Subfield]:
    if len(subs) == 1 and subs[0].code == "a":
        return [Subfield(V, subs[0].value)]
    return subs


def _collect_source(tag: str, f: Field, source: dict[str, str], extra: dict[str, str]) -> None:
    """An article's embedded 461 (journal) / 463 (issue) -> IRBIS 463 and 963 subfields."""
    emb = _embedded(f)
    t200, t210 = emb.get("200", {}), emb.get("210", {})
    if tag == "461":
        pairs = (("c", t200.get("a")), ("d", t210.get("a")), ("g", t210.get("c")), ("w", emb.get("001", {}).get("")))
        more = (("e", t200.get("e")), ("i", (emb.get("011") or emb.get("010") or {}).get("a")),
                ("x", emb.get("700", {}).get("a")))
        for c, v in more:
            if v:
                extra.setdefault(c, v)
    else:
        pairs = (("h", t200.get("a")), ("v", t200.get("h")), ("s", t200.get("v")), ("j", t210.get("d")))
    for c, v in pairs:
        if v:
            source.setdefault(c, v)


def _flat_links(tag: str, f: Field, warnings: list[str], lang: str | None) -> list[Field]:
    """RUSMARC embedded 461 of a volume -> IRBIS flat 461 (the set); other links kept as they are."""
    emb = _embedded(f)
    if not emb or tag == "463":
        if emb:
            warnings.append(i18n.t("irbis_rusmarc.link_kept", lang, tag=tag))
        return [_ifield(tag, _with_pseudo(tag, f, list(f.subfields)))]
    t200, t210 = emb.get("200", {}), emb.get("210", {})
    subs = [Subfield(c, v) for c, v in (
        ("c", t200.get("a", "")), ("f", t200.get("f", "")), ("d", t210.get("a", "")), ("g", t210.get("c", "")),
        ("h", t210.get("d", "")), ("i", emb.get("010", {}).get("a", "")), ("x", emb.get("700", {}).get("a", "")),
    ) if v]
    if t200.get("v"):
        warnings.append(i18n.t("irbis_rusmarc.volume", lang, tag=tag, value=repr(t200["v"])))
    return [_ifield("461", subs)]
