"""Validation rules per flavour (MARC 21, UNIMARC/RUSMARC, IRBIS); each finding has a stable code,
a severity, the field and subfield, and a message in English, Russian or Kazakh.

"error" means the data is wrong (no title, a bad ISBN check digit, an illegal character); "warning"
means it is suspicious or incomplete. Fast enough to run on every imported record.
"""

from __future__ import annotations

import calendar
import datetime as dt
import time
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter
from pathlib import Path

from pymarc import Field, Record
from stdnum import issn as _issn
from stdnum.exceptions import InvalidChecksum, ValidationError

from .. import i18n
from . import isbn
from .iso2709 import Parts
from .fieldindex import FieldIndex, LazyIndex, index
from .flavour import IRBIS, IRBIS_VALUE_CODE, IRBIS_WORKSHEETS, MARC21, UNIMARC, detect

ERROR = "error"
WARNING = "warning"
RULES_DIR = Path(__file__).resolve().parent / "rules"

#: code -> (severity, en, ru, kk); placeholders are filled from Finding.args, tag and subfield.
MESSAGES: dict[str, tuple[str, str, str, str]] = {
    "missing-leader": (ERROR, "the record has no leader", "в записи нет маркера", "жазбада маркер жоқ"),
    "bad-leader": (ERROR, "invalid leader: {detail}", "неверный маркер записи: {detail}",
                   "жазба маркері қате: {detail}"),
    "missing-control-number": (WARNING, "no control number (field 001)", "нет контрольного номера (поле 001)",
                               "бақылау нөмірі жоқ (001 өрісі)"),
    "missing-title": (ERROR, "no title ({tag}${subfield})", "нет заглавия ({tag}${subfield})",
                      "тақырып жоқ ({tag}${subfield})"),
    "missing-field": (WARNING, "mandatory field {tag} is missing", "нет обязательного поля {tag}",
                      "міндетті {tag} өрісі жоқ"),
    "bad-tag": (ERROR, "invalid field tag '{tag}'", "недопустимая метка поля «{tag}»",
                "өріс белгісі жарамсыз: «{tag}»"),
    "bad-indicator": (ERROR, "field {tag}: indicator {which} '{value}' is not a valid character",
                      "поле {tag}: индикатор {which} «{value}» — недопустимый символ",
                      "{tag} өрісі: {which}-индикатор «{value}» — жарамсыз таңба"),
    "undefined-indicator": (WARNING, "field {tag}: indicator {which} value '{value}' is not defined",
                            "поле {tag}: значение индикатора {which} «{value}» не определено",
                            "{tag} өрісі: {which}-индикатордың «{value}» мәні анықталмаған"),
    "bad-subfield-code": (ERROR, "field {tag}: invalid subfield code '{subfield}'",
                          "поле {tag}: недопустимый код подполя «{subfield}»",
                          "{tag} өрісі: ішкі өріс коды жарамсыз «{subfield}»"),
    "undefined-subfield": (WARNING, "field {tag}: subfield ${subfield} is not defined",
                           "поле {tag}: подполе ${subfield} не определено",
                           "{tag} өрісі: ${subfield} ішкі өрісі анықталмаған"),
    "duplicate-field": (WARNING, "field {tag} is not repeatable but occurs {count} times",
                        "поле {tag} неповторяемое, но встречается {count} раз(а)",
                        "{tag} өрісі қайталанбайды, бірақ {count} рет кездеседі"),
    "duplicate-subfield": (WARNING, "field {tag}: subfield ${subfield} is not repeatable but occurs more than once",
                           "поле {tag}: подполе ${subfield} неповторяемое, но встречается несколько раз",
                           "{tag} өрісі: ${subfield} ішкі өрісі қайталанбайды, бірақ бірнеше рет кездеседі"),
    "empty-field": (WARNING, "field {tag} is empty", "поле {tag} пустое", "{tag} өрісі бос"),
    "isbn-checksum": (WARNING, "ISBN {value} has a wrong check digit", "неверная контрольная цифра в ISBN {value}",
                      "ISBN {value} бақылау цифры қате"),
    "isbn-format": (WARNING, "'{value}' is not a valid ISBN", "«{value}» — неверный ISBN", "«{value}» — жарамсыз ISBN"),
    "issn-checksum": (WARNING, "ISSN {value} has a wrong check digit", "неверная контрольная цифра в ISSN {value}",
                      "ISSN {value} бақылау цифры қате"),
    "issn-format": (WARNING, "'{value}' is not a valid ISSN", "«{value}» — неверный ISSN", "«{value}» — жарамсыз ISSN"),
    "impossible-year": (ERROR, "field {tag}: year {value} is impossible", "поле {tag}: невозможный год {value}",
                        "{tag} өрісі: {value} жылы мүмкін емес"),
    "bad-date": (WARNING, "field {tag}: '{value}' is not a valid date", "поле {tag}: «{value}» — неверная дата",
                 "{tag} өрісі: «{value}» — қате күн"),
    "bad-fixed-field": (WARNING, "field {tag} has length {length}, expected {expected}",
                        "длина поля {tag} равна {length}, ожидается {expected}",
                        "{tag} өрісінің ұзындығы {length}, {expected} болуы керек"),
    "unknown-language": (WARNING, "field {tag}: unknown language code '{value}'",
                         "поле {tag}: неизвестный код языка «{value}»", "{tag} өрісі: белгісіз тіл коды «{value}»"),
    "invalid-xml-char": (ERROR, "field {tag}: character U+{value} is not allowed in XML",
                         "поле {tag}: символ U+{value} недопустим в XML",
                         "{tag} өрісі: U+{value} таңбасына XML-де рұқсат жоқ"),
    "missing-worksheet": (WARNING, "no worksheet (field 920)", "нет рабочего листа (поле 920)",
                          "жұмыс парағы жоқ (920 өрісі)"),
    "unknown-worksheet": (WARNING, "unknown worksheet '{value}' in field 920",
                          "неизвестный рабочий лист «{value}» в поле 920",
                          "920 өрісінде белгісіз жұмыс парағы «{value}»"),
    "unreadable": (ERROR, "the record cannot be read: {detail}", "запись не читается: {detail}",
                   "жазбаны оқу мүмкін емес: {detail}"),
}
i18n.register({f"validate.{code}": {"en": en, "ru": ru, "kk": kk} for code, (_, en, ru, kk) in MESSAGES.items()})


@dataclass(slots=True)
class Finding:
    """One problem in one record: stable ``code``, ``severity`` and where it is."""

    code: str
    severity: str
    position: int | None = None
    tag: str | None = None
    subfield: str | None = None
    args: dict[str, object] = field(default_factory=dict)

    def message(self, lang: str | None = None) -> str:
        """The finding as a sentence in ``lang`` (en, ru, kk; default LIBCAT_LANG or English)."""
        return i18n.t(f"validate.{self.code}", lang, tag=self.tag or "", subfield=self.subfield or "", **self.args)


def finding(code: str, position: int | None = None, tag: str | None = None, subfield: str | None = None,
            **args: object) -> Finding:
    """A Finding with the severity its code always has."""
    return Finding(code, MESSAGES[code][0], position, tag, subfield, args)


@lru_cache(maxsize=None)
def _rules(name: str) -> dict:
    return json.loads((RULES_DIR / name).read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def languages() -> frozenset[str]:
    """MARC / ISO 639-2 language codes (kaz, rus, eng, ...)."""
    return frozenset(_rules("languages.json")["codes"])


_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_CODE_OK = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
#: IRBIS takes any printable character as a subfield code (481 uses ^? ^, ^;), so only these are bad.
_IRBIS_CODE_OK = frozenset(chr(c) for c in range(33, 0x3000) if chr(c).isprintable() and chr(c) != "^")
_IND_OK = frozenset(" 0123456789abcdefghijklmnopqrstuvwxyz")
_YEARS = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_MARC21_TYPES = frozenset("acdefgijkmoprt")
_MARC21_LEVELS = frozenset("abcdims")
_UNIMARC_TYPES = frozenset("abcdefgijklmr")
_UNIMARC_LEVELS = frozenset("acims")


@lru_cache(maxsize=4)
def _max_year_on(day: int) -> int:
    return dt.date.fromordinal(day + 719163).year + 1


def _max_year() -> int:
    """Next year: anything later is an impossible publication year."""
    return _max_year_on(int(time.time() // 86400))


def _check_isbn(value: str, out: list[Finding], pos: int | None, tag: str, code: str) -> None:
    """A wrong ISBN check digit or format; a value without digits ("без ISBN") is not an ISBN at all."""
    token = isbn.find(value)
    if token is None:
        if any(ch.isdigit() for ch in value):
            out.append(finding("isbn-format", pos, tag, code, value=value.strip()))
        return
    verdict = isbn.verdict(token)
    if verdict is not None:
        out.append(finding(f"isbn-{verdict}", pos, tag, code, value=token))


def _check_issn(value: str, out: list[Finding], pos: int | None, tag: str, code: str) -> None:
    token = value.strip().split()[0] if value.strip() else ""
    if not token:
        return
    try:
        _issn.validate(token)
    except InvalidChecksum:
        out.append(finding("issn-checksum", pos, tag, code, value=token))
    except ValidationError:
        out.append(finding("issn-format", pos, tag, code, value=token))


def _check_year(year: str, out: list[Finding], pos: int | None, tag: str, code: str | None, max_year: int,
                allow_9999: bool = False) -> None:
    """An impossible year (0, or after ``max_year``, which is ``_max_year()`` looked up once per record)."""
    if not year.isdigit():
        return
    y = int(year)
    if allow_9999 and y == 9999:
        return
    if y == 0 or y > max_year:
        out.append(finding("impossible-year", pos, tag, code, value=year))


def _check_text_years(value: str, out: list[Finding], pos: int | None, tag: str, code: str, max_year: int) -> None:
    """Every free-standing four-digit year in ``value`` after ``max_year``; looked for only when ``_odd_year``
    finds a year that is not plainly possible (most values hold none)."""
    if len(value) >= 4 and _odd_year(max_year).search(value):
        for y in _YEARS.findall(value):
            if int(y) > max_year:
                out.append(finding("impossible-year", pos, tag, code, value=y))


@lru_cache(maxsize=4)
def _odd_year(max_year: int) -> re.Pattern[str]:
    """A free-standing run of four digits (as ``_YEARS`` finds them) that is not an ASCII year up to ``max_year``."""
    return re.compile(rf"(?<!\d)(?!{_upto(max_year)}(?!\d))\d{{4}}(?!\d)")


@lru_cache(maxsize=4096)
def _valid_date(value: str, fmt: str) -> bool:
    """True for a real calendar date in YYYYMMDD (fmt "ymd8") or YYMMDD (fmt "ymd6")."""
    if not value.isdigit() or len(value) != (8 if fmt == "ymd8" else 6):
        return False
    year = int(value[:4]) if fmt == "ymd8" else 2000 + int(value[:2])
    month, day = int(value[-4:-2]), int(value[-2:])
    if not 1 <= month <= 12 or day < 1:
        return False
    return day <= calendar.mdays[month] + (month == 2 and calendar.isleap(year))


def _check_date(value: str, out: list[Finding], pos: int | None, tag: str, code: str | None, fmt: str) -> None:
    if not _valid_date(value, fmt):
        out.append(finding("bad-date", pos, tag, code, value=value))


def _check_lang(value: str, out: list[Finding], pos: int | None, tag: str, code: str | None,
                langs: frozenset[str]) -> None:
    """An unknown language code; ``langs`` is ``languages()`` (its codes are lower case, without spaces)."""
    unknown = _unknown_lang(value, langs)
    if unknown is not None:
        out.append(finding("unknown-language", pos, tag, code, value=unknown))


def _unknown_lang(value: str, langs: frozenset[str]) -> str | None:
    """``value`` stripped when it is not a code of ``langs`` (a code as it is skips the rest); None for a
    known code, a blank value or "|||"."""
    if value in langs:
        return None
    v = value.strip().lower()
    return value.strip() if v and v not in langs and v != "|||" else None


@lru_cache(maxsize=1024)
def _unknown_041(value: str) -> tuple[str, ...]:
    """The unknown codes among the three-letter codes run together in an 041 subfield ``value`` (cached:
    catalogues repeat a handful of values)."""
    langs = languages()
    value = value.strip()
    return tuple(filter(None, (_unknown_lang(value[i:i + 3], langs) for i in range(0, len(value), 3))))


@dataclass(slots=True, frozen=True)
class _Rule:
    """One field's rule, prepared for fast lookups."""

    repeatable: bool
    ind1: frozenset[str] | None
    ind2: frozenset[str] | None
    defined: frozenset[str] | None
    once: frozenset[str]


@lru_cache(maxsize=None)
def _prepared(flavour: str) -> dict[str, _Rule]:
    if flavour == IRBIS:
        return {}
    fields = _rules("rusmarc.json" if flavour == UNIMARC else "marc21.json")["fields"]
    out = {}
    for tag, r in fields.items():
        sf = r.get("sf")
        once = [c for c, rep in sf.items() if not rep] if sf else list(r.get("nr", ""))
        out[tag] = _Rule(
            repeatable=bool(r.get("r", 1)),
            ind1=frozenset(r["i1"] + "|") if r.get("i1") is not None else None,
            ind2=frozenset(r["i2"] + "|") if r.get("i2") is not None else None,
            defined=frozenset(sf) if sf else None,
            once=frozenset(once),
        )
    return out


def _codes(codes: list[str], codes_ok: frozenset[str], defined: frozenset[str] | None, once: frozenset[str] | None,
           pos: int | None, tag: str, out: list[Finding]) -> None:
    """Findings about the subfield codes of one field, in subfield order."""
    seen: set[str] = set()
    for code in codes:
        if code not in codes_ok:
            out.append(finding("bad-subfield-code", pos, tag, code))
            continue
        if code in seen:
            if once and code in once:
                out.append(finding("duplicate-subfield", pos, tag, code))
        else:
            seen.add(code)
            if defined is not None and code not in defined:
                out.append(finding("undefined-subfield", pos, tag, code))


class _Fast:
    """One flavour's rules as whole-text checks: what a record without findings must look like."""

    def __init__(self, flavour: str) -> None:
        rules = _prepared(flavour)
        self.flavour = flavour
        self.rules = rules
        self.ind_ok = _ind_ok(flavour)
        self.pairs: set[tuple[str, object]] = set()
        self.nonrepeatable = frozenset(t for t, r in rules.items() if not r.repeatable)
        self.defined = frozenset(t for t, r in rules.items() if r.defined is not None)
        once = "".join(sorted(set().union(*(r.once for r in rules.values()))))
        self.subfields = _subfield_scan(once)

    def pair_ok(self, tag: str, ind: object) -> bool:
        """True when a field with this tag and indicators (None: a control field) gives no finding by itself."""
        if (tag, ind) in self.pairs:
            return True
        if len(tag) != 3 or not tag.isascii() or not tag.isdigit():
            return False
        if tag < "010":
            ok = ind is None
        else:
            ok = ind is not None and len(ind) == 2 and _indicators_clean(self.rules.get(tag), self.ind_ok, *ind)
        if ok and len(self.pairs) < _MAX_PAIRS:
            self.pairs.add((tag, ind))
        return ok


_MAX_PAIRS = 100_000
#: A clean data field's indicators: the first two characters of its text.
_INDICATORS_OF = itemgetter(slice(2))
#: The subfield codes of a clean field's text.
_SUBFIELD_CODES = re.compile("\x1f(.)", re.S).findall
#: Characters not allowed in XML, except the field and subfield separators of ``parts`` text.
_XML_CONTROLS = bytes(c for c in range(32) if _BAD_XML.match(chr(c)) and c not in (0x1E, 0x1F))
#: A byte table that changes exactly the bytes of ``_XML_CONTROLS`` (to 0x1E): mapping them and comparing takes
#: 3,000 instructions a bench record less than deleting them (10,600 -> 7,600 with the compare).
_XML_MARK = bytes(0x1E if c in _XML_CONTROLS else c for c in range(256))


@lru_cache(maxsize=None)
def _fast(flavour: str) -> _Fast:
    """The whole-text checks of ``flavour``, built once (they keep learning clean tag-indicator pairs)."""
    return _Fast(flavour)


def _ind_ok(flavour: str) -> frozenset[str]:
    """Characters an indicator may be in ``flavour`` (UNIMARC also takes the fill character)."""
    return _IND_OK | {"|"} if flavour == UNIMARC else _IND_OK


def _indicators_clean(rule: _Rule | None, ind_ok: frozenset[str], i1: str, i2: str) -> bool:
    """True when neither indicator gives a bad- or undefined-indicator finding."""
    if i1 not in ind_ok or i2 not in ind_ok:
        return False
    return rule is None or ((rule.ind1 is None or i1 in rule.ind1) and (rule.ind2 is None or i2 in rule.ind2))


def _xml_clean(text: str) -> bool:
    """True when ``text`` has no character XML forbids besides the separators (all found at C speed)."""
    try:
        raw = text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return raw.translate(_XML_MARK) == raw and "\ufffe" not in text and "\uffff" not in text


def _subfield_scan(once: str) -> re.Pattern[str]:
    """One scan of ``parts`` text for suspect subfields: group 1 is None for a bad code or an empty or blank
    value; otherwise it is a code in ``once`` that occurs again later in the same field."""
    bad = "[^%s]" % re.escape("".join(sorted(_CODE_OK)))
    blank = ".[^\\S\x1e\x1f]*+(?:[\x1e\x1f]|\\Z)"
    repeated = "([%s])(?=[^\x1e]*\x1f\\1)" % re.escape(once) if once else "(?!)()"
    return re.compile(f"\x1f(?:{bad}|{blank}|{repeated})", re.S)


def _subfields_clean(fast: _Fast, tags: list[str], text: str) -> bool:
    """True when every subfield has a valid code and a value that is not blank, and no field repeats a
    subfield its tag's rule allows once (all found by one regex scan of the text)."""
    for m in fast.subfields.finditer(text):
        code = m.group(1)
        if code is None:
            return False
        rule = fast.rules.get(tags[text.count("\x1e", 0, m.start())])
        if rule is not None and code in rule.once:
            return False
    return True


def _repeats_clean(fast: _Fast, tags: list[str]) -> bool:
    """True when no non-repeatable field occurs twice (the tags of ``parts``, in record order, filtered at C speed:
    0.8 µs a bench record less than walking the index)."""
    once = list(filter(fast.nonrepeatable.__contains__, tags))
    return len(once) == len(set(once))


def _controls_clean(texts: list[str]) -> bool:
    """True when each control field's text (``texts``: those of the control fields that come first) is not blank
    and holds no subfield separator."""
    for data in texts:
        if not data or data.isspace() or "\x1f" in data:
            return False
    return True


def _defined_clean(fast: _Fast, tags: list[str], texts: list[str]) -> bool:
    """True when every data field (``tags``, ``texts``: those of ``parts``) whose rule lists its subfields uses only
    those, its codes read from its text."""
    if not fast.defined:
        return True
    for tag, value in zip(tags, texts):
        if tag in fast.defined and not fast.rules[tag].defined.issuperset(_SUBFIELD_CODES(value)):
            return False
    return True


def _clean(flavour: str, by_tag: FieldIndex, parts: Parts) -> bool:
    """True when ``_structure`` would find nothing, told from the whole ``parts`` text at C speed, without the
    record's fields (on import they are made only when looked up: ``fieldindex.LazyIndex``).

    False only sends the record through the field loop, which then explains what is wrong. A control field after
    a data field is left to the field loop too. A data field's indicators are its text's first two characters.
    """
    if flavour == IRBIS:
        return False
    _, tags, text, n = parts
    if n is None:
        return False
    texts = _texts(by_tag, text)
    fast = _fast(flavour)
    inds = [None] * n + list(map(_INDICATORS_OF, texts[n:]))
    if not fast.pairs.issuperset(zip(tags, inds)) and not all(map(fast.pair_ok, tags, inds)):
        return False
    return (_subfields_clean(fast, tags, text) and _xml_clean(text) and _repeats_clean(fast, tags)
            and _controls_clean(texts[:n]) and _defined_clean(fast, tags[n:], texts[n:]))


def _texts(by_tag: FieldIndex, text: str) -> list[str]:
    """``text`` split at 0x1E: a lazy index's own list (splitting the text again took 3.7 µs a bench record)."""
    return by_tag.texts if type(by_tag) is LazyIndex else text.split("\x1e")


def _structure(record: Record, flavour: str, pos: int | None, out: list[Finding],
               by_tag: FieldIndex) -> None:
    """Tags, indicators, subfield codes, emptiness, repeatability and XML characters of every field."""
    irbis = flavour == IRBIS
    rules = _prepared(flavour)
    codes_ok = _IRBIS_CODE_OK if irbis else _CODE_OK
    ind_ok = _ind_ok(flavour)
    bad_xml = False
    for f in record.fields:
        tag = f.tag
        if not tag.isdigit() or (len(tag) != 3 and not irbis):
            if not (flavour == MARC21 and len(tag) == 3 and tag.isalnum()):
                out.append(finding("bad-tag", pos, tag))
                continue
        if not irbis and tag < "010":
            data = f.data or ""
            if not data.strip():
                out.append(finding("empty-field", pos, tag))
            bad_xml = bad_xml or _BAD_XML.search(data) is not None
            continue
        rule = rules.get(tag)
        if not irbis:
            i1, i2 = f.indicators
            if rule is None:
                if i1 not in ind_ok:
                    out.append(finding("bad-indicator", pos, tag, which=1, value=i1))
                if i2 not in ind_ok:
                    out.append(finding("bad-indicator", pos, tag, which=2, value=i2))
            elif not _indicators_clean(rule, ind_ok, i1, i2):
                for which, value, allowed in ((1, i1, rule.ind1), (2, i2, rule.ind2)):
                    if value not in ind_ok:
                        out.append(finding("bad-indicator", pos, tag, which=which, value=value))
                    elif allowed is not None and value not in allowed:
                        out.append(finding("undefined-indicator", pos, tag, which=which, value=value))
        subs = f.subfields
        if not subs:
            out.append(finding("empty-field", pos, tag))
            continue
        codes, values = zip(*subs)
        used = set(codes)
        if rule is None:
            if not used <= codes_ok:
                _codes(codes, codes_ok, None, None, pos, tag, out)
        elif not (used <= codes_ok and (rule.defined is None or used <= rule.defined) and
                  (not rule.once or len(used) == len(codes))):
            _codes(codes, codes_ok, rule.defined, rule.once, pos, tag, out)
        # The field has text when one of its values has; values of spaces only are not checked for XML.
        try:
            text = "".join(values)
        except TypeError:
            text = "".join(v for v in values if v)
        if not text or text.isspace():
            out.append(finding("empty-field", pos, tag))
        elif _BAD_XML.search(text):
            bad_xml = bad_xml or any(_BAD_XML.search(v) for v in values if v and not v.isspace())
    for tag, fields in by_tag.items():
        if len(fields) > 1:
            rule = rules.get(tag)
            if rule is not None and not rule.repeatable:
                out.append(finding("duplicate-field", pos, tag, count=len(fields)))
    if bad_xml:
        _locate_xml(record, pos, out)


def _locate_xml(record: Record, pos: int | None, out: list[Finding]) -> None:
    for f in record.fields:
        values = [(None, f.data or "")] if f.is_control_field() else [(sf.code, sf.value or "") for sf in f.subfields]
        for code, value in values:
            m = _BAD_XML.search(value)
            if m:
                out.append(finding("invalid-xml-char", pos, f.tag, code, value=f"{ord(m.group(0)):04X}"))


def _leader(record: Record, flavour: str, pos: int | None, out: list[Finding], leader: str | None = None) -> None:
    """Leader present, 24 characters, with a known type of record (06) and bibliographic level (07);
    ``leader`` is ``str(record.leader)`` when the caller has it."""
    if leader is None:
        leader = str(record.leader) if record.leader is not None else ""
    if not leader.strip(" 0") or leader.strip() in ("22        4500", "22"):
        out.append(finding("missing-leader", pos))
        return
    if len(leader) != 24:
        out.append(finding("bad-leader", pos, detail=f"length {len(leader)}"))
        return
    types, levels = (_MARC21_TYPES, _MARC21_LEVELS) if flavour == MARC21 else (_UNIMARC_TYPES, _UNIMARC_LEVELS)
    if leader[6] not in types:
        out.append(finding("bad-leader", pos, detail=f"06 '{leader[6]}'"))
    if leader[7] not in levels:
        out.append(finding("bad-leader", pos, detail=f"07 '{leader[7]}'"))


def _subvalues(fields: list[Field] | None, code: str) -> list[str]:
    if not fields:
        return []
    return [sf.value for f in fields for sf in f.subfields if sf.code == code and sf.value]


def _has_text(fields: list[Field] | None, code: str) -> bool:
    """True when some ``code`` subfield of ``fields`` holds more than spaces (found in one loop, without
    ``_subvalues``' list: 0.3 µs a bench record)."""
    if fields:
        for f in fields:
            for c, v in f.subfields:
                if c == code and v and not v.isspace():
                    return True
    return False


def _has_title(by_tag: dict[str, list[Field]], parent_code: str) -> bool:
    """200$a, or a volume designation (200$v/$h) whose set title is in 461 (a volume of a multi-part set)."""
    if _has_text(by_tag.get("200"), "a"):
        return True
    volume = any(_has_text(by_tag.get("200"), code) for code in "vh")
    return volume and bool(_subvalues(by_tag.get("461"), parent_code))


def _marc21(by_tag: dict[str, list[Field]], pos: int | None, out: list[Finding]) -> None:
    """MARC 21 rules: control number, title, ISBN, ISSN, 008, 041 and publication years."""
    get = by_tag.get
    if "001" not in by_tag:
        out.append(finding("missing-control-number", pos, "001"))
    if not _has_text(get("245"), "a"):
        out.append(finding("missing-title", pos, "245", "a"))
    for v in _subvalues(get("020"), "a"):
        _check_isbn(v, out, pos, "020", "a")
    for v in _subvalues(get("022"), "a"):
        _check_issn(v, out, pos, "022", "a")
    max_year = _max_year()
    fields = get("008")
    if fields:
        _check_008(fields[0].data or "", out, pos, max_year)
    fields = get("041")
    if fields:
        _check_041(fields, out, pos)
    for tag in ("260", "264"):
        for v in _subvalues(get(tag), "c"):
            _check_text_years(v, out, pos, tag, "c", max_year)


def _check_008(data: str, out: list[Finding], pos: int | None, max_year: int) -> None:
    """MARC 21 008: length 40, date entered on file, dates 1 and 2, language; a common clean 008 is told by one
    regular expression and one set lookup (7,000 instructions instead of 20,000 on the bench records)."""
    lang = data[35:38]
    if (lang in languages() or lang.isspace()) and _clean_008(max_year).fullmatch(data):
        return
    _check_008_fields(data, out, pos, max_year)


def _check_008_fields(data: str, out: list[Finding], pos: int | None, max_year: int) -> None:
    """``_check_008`` position by position, the rule itself."""
    if len(data) != 40:
        out.append(finding("bad-fixed-field", pos, "008", length=len(data), expected=40))
    if len(data) >= 6 and data[:6].isdigit():
        _check_date(data[:6], out, pos, "008", None, "ymd6")
    if len(data) >= 15:
        _check_year(data[7:11], out, pos, "008", None, max_year)
        _check_year(data[11:15], out, pos, "008", None, max_year, allow_9999=True)
    if len(data) >= 38 and data[35:38].strip():
        _check_lang(data[35:38], out, pos, "008", None, languages())


#: A month and day that are a real date in every year (29 February is left to the date rule).
_MONTH_DAY = ("(?:(?:0[13578]|1[02])(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)(?:0[1-9]|[12][0-9]|30)"
              "|02(?:0[1-9]|1[0-9]|2[0-8]))")


@lru_cache(maxsize=4)
def _clean_008(max_year: int) -> re.Pattern[str]:
    """A 40-character 008 in which ``_check_008_fields`` finds nothing but perhaps the language (it is not told
    here): its date entered on file is a real date in ASCII digits or holds a printable ASCII non-digit, and its dates
    1 and 2 are as ``_clean_dates`` says."""
    day = f"[0-9]{{2}}{_MONTH_DAY}|(?:[02468][048]|[13579][26])0229"
    return re.compile(f"(?:{day}|{_non_digits(6)}).{_clean_dates(max_year)}.{{25}}", re.S)


@lru_cache(maxsize=4)
def _clean_100a(max_year: int) -> re.Pattern[str]:
    """A 36-character UNIMARC 100$a in which ``_check_100a_fields`` finds nothing but perhaps the language: its
    date entered on file is a real date in ASCII digits (not 29 February) or holds a printable ASCII non-digit, and
    its dates 1 and 2 are as ``_clean_dates`` says."""
    return re.compile(f"(?:[0-9]{{4}}{_MONTH_DAY}|{_non_digits(8)}).{_clean_dates(max_year)}.{{19}}", re.S)


def _clean_dates(max_year: int) -> str:
    """Dates 1 and 2 that ``_check_year`` passes: ASCII years 0001 to ``max_year`` (date 2 also 9999), or four
    characters that hold a printable ASCII non-digit."""
    year = f"(?!0000){_upto(max_year)}"
    return f"(?:{year}|{_non_digits(4)})(?:9999|{year}|{_non_digits(4)})"


def _non_digits(n: int) -> str:
    """``n`` printable ASCII characters that are not all digits (``str.isdigit`` is False for them)."""
    return rf"(?![0-9]{{{n}}})[\x20-\x7e]{{{n}}}"


def _upto(top: int) -> str:
    """A regular expression for the four ASCII digits of the years 0000 to ``top`` (at most 9999)."""
    digits = f"{top:04d}"
    alternatives = [digits] + [digits[:i] + f"[0-{int(d) - 1}]" + "[0-9]" * (3 - i)
                               for i, d in enumerate(digits) if d != "0"]
    return "(?:" + "|".join(alternatives) + ")"


def _check_041(fields: list[Field], out: list[Finding], pos: int | None) -> None:
    """MARC 21 041: each three-letter code of each lettered subfield (unless the codes are not MARC's, ind2 7)."""
    for f in fields:
        if f.indicator2 != "7":
            for code, value in f.subfields:
                if value and code.isalpha():
                    for unknown in _unknown_041(value):
                        out.append(finding("unknown-language", pos, "041", code, value=unknown))


def _unimarc(by_tag: dict[str, list[Field]], pos: int | None, out: list[Finding]) -> None:
    if "001" not in by_tag:
        out.append(finding("missing-control-number", pos, "001"))
    if not _has_title(by_tag, "1"):
        out.append(finding("missing-title", pos, "200", "a"))
    for tag in ("100", "801"):
        if tag not in by_tag:
            out.append(finding("missing-field", pos, tag))
    for v in _subvalues(by_tag.get("010"), "a"):
        _check_isbn(v, out, pos, "010", "a")
    for v in _subvalues(by_tag.get("011"), "a"):
        _check_issn(v, out, pos, "011", "a")
    max_year, langs = _max_year(), languages()
    for a in _subvalues(by_tag.get("100"), "a")[:1]:
        _check_100a(a, out, pos, max_year, langs)
    for f in by_tag.get("101", []):
        for sf in f.subfields:
            if sf.code.isalpha() and sf.value:
                _check_lang(sf.value, out, pos, "101", sf.code, langs)
    for tag in ("210", "214"):
        for v in _subvalues(by_tag.get(tag), "d"):
            _check_text_years(v, out, pos, tag, "d", max_year)


def _check_100a(a: str, out: list[Finding], pos: int | None, max_year: int, langs: frozenset[str]) -> None:
    """UNIMARC 100$a: length 36, date entered on file, dates 1 and 2, language; a common clean value is told by
    one regular expression and one set lookup, as a MARC 21 008 is."""
    lang = a[22:25]
    if (lang in langs or lang.isspace()) and _clean_100a(max_year).fullmatch(a):
        return
    _check_100a_fields(a, out, pos, max_year, langs)


def _check_100a_fields(a: str, out: list[Finding], pos: int | None, max_year: int, langs: frozenset[str]) -> None:
    """``_check_100a`` position by position, the rule itself."""
    if len(a) != 36:
        out.append(finding("bad-fixed-field", pos, "100", "a", length=len(a), expected=36))
    if a[:8].isdigit():
        _check_date(a[:8], out, pos, "100", "a", "ymd8")
    _check_year(a[9:13], out, pos, "100", "a", max_year)
    _check_year(a[13:17], out, pos, "100", "a", max_year, allow_9999=True)
    if len(a) >= 25 and a[22:25].strip():
        _check_lang(a[22:25], out, pos, "100", "a", langs)


def _irbis_values(fields: list[Field] | None, code: str) -> list[str]:
    """Values of ``code`` or, for the field's leading value, of ``*``."""
    if not fields:
        return []
    out = []
    for f in fields:
        for sf in f.subfields:
            if sf.code in (code, IRBIS_VALUE_CODE) and sf.value and sf.value.strip():
                out.append(sf.value.strip())
                break
    return out


def _irbis(by_tag: dict[str, list[Field]], pos: int | None, out: list[Finding]) -> None:
    if not _has_title(by_tag, "c"):
        out.append(finding("missing-title", pos, "200", "a"))
    worksheets = _irbis_values(by_tag.get("920"), "a")
    if not worksheets:
        out.append(finding("missing-worksheet", pos, "920"))
    elif worksheets[0].upper() not in IRBIS_WORKSHEETS:
        out.append(finding("unknown-worksheet", pos, "920", value=worksheets[0]))
    for v in _subvalues(by_tag.get("907"), "a"):
        v = v.strip()
        if v:
            _check_date(v[:8] if len(v) > 8 and v[:8].isdigit() and not v[8:].strip() else v, out, pos,
                        "907", "a", "ymd8")
    for v in _irbis_values(by_tag.get("101"), "a"):
        _check_lang(v, out, pos, "101", "a", languages())
    for v in _irbis_values(by_tag.get("010"), "a"):
        _check_isbn(v, out, pos, "010", "a")
    for v in _irbis_values(by_tag.get("011"), "a"):
        _check_issn(v, out, pos, "011", "a")
    for v in _subvalues(by_tag.get("210"), "d"):
        _check_text_years(v, out, pos, "210", "d", _max_year())


def validate(record: Record, flavour: str | None = None, position: int | None = None,
             idx: FieldIndex | None = None, parts: Parts | None = None) -> list[Finding]:
    """All findings for one record, by the rules of its flavour (detected when not given);
    ``idx`` is the record's field index when the caller has one; ``parts`` is what
    ``iso2709.read_record_parts`` or ``read_record_lazy`` gave with this record: its clean text lets most records
    skip the field loop."""
    by_tag = index(record) if idx is None else idx
    flavour = flavour or detect(record, by_tag)
    out: list[Finding] = []
    if flavour != IRBIS:
        _leader(record, flavour, position, out, parts[0] if parts is not None else None)
    if parts is None or not _clean(flavour, by_tag, parts):
        _structure(record, flavour, position, out, by_tag)
    if flavour == MARC21:
        _marc21(by_tag, position, out)
    elif flavour == UNIMARC:
        _unimarc(by_tag, position, out)
    else:
        _irbis(by_tag, position, out)
    return out


def has_errors(findings: list[Finding]) -> bool:
    """True when any finding is an error (not just a warning)."""
    return any(f.severity == ERROR for f in findings)
