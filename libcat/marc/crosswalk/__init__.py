"""Crosswalks between flavours (IRBIS, RUSMARC/UNIMARC, MARC 21) and to Dublin Core.

``convert(record, target)`` picks the route from the record's flavour; every route returns the new
record with its flavour set and the list of what could not be mapped. Copies (IRBIS 910, UNIMARC 995 /
899, MARC 21 852 + 876) go straight from the source flavour to the target's (``holdings``), so a copy
crossing two crosswalks (IRBIS -> RUSMARC -> MARC 21) loses nothing on the way.
"""

from __future__ import annotations

import copy

from pymarc import Record

from ... import i18n
from ..flavour import IRBIS, MARC21, UNIMARC, detect, set_flavour
from . import holdings
from .dc import dc_links, to_dc
from .marc21_unimarc import to_unimarc
from .unimarc_marc21 import to_marc21

__all__ = ["TARGETS", "convert", "to_dc", "dc_links", "to_marc21", "to_unimarc"]

#: What ``convert`` accepts as target ("unimarc" is a synonym of "rusmarc").
TARGETS = ("keep", "marc21", "rusmarc", "irbis")
_TARGET_FLAVOUR = {"marc21": MARC21, "rusmarc": UNIMARC, "unimarc": UNIMARC, "irbis": IRBIS}

i18n.register({
    "crosswalk.bad_target": {
        "en": "unknown target {target}; expected one of {known}",
        "ru": "неизвестная целевая разновидность {target}; допустимы: {known}",
        "kk": "{target} мақсатты түрі белгісіз; рұқсат етілгендер: {known}",
    },
})


def _irbis_to_rusmarc(record: Record, lang: str | None) -> tuple[Record, list[str]]:
    from .irbis_rusmarc import irbis_to_rusmarc

    rec, warnings = irbis_to_rusmarc(record, mfn=getattr(record, "mfn", None), lang=lang)
    set_flavour(rec, UNIMARC)
    return rec, list(warnings)


def _rusmarc_to_irbis(record: Record, lang: str | None) -> tuple[Record, list[str]]:
    from .irbis_rusmarc import rusmarc_to_irbis

    rec, warnings = rusmarc_to_irbis(record, lang)
    set_flavour(rec, IRBIS)
    return rec, list(warnings)


def _copy(record: Record, flavour: str) -> Record:
    rec = copy.deepcopy(record)
    return set_flavour(rec, flavour)


def convert(record: Record, target: str, lang: str | None = None) -> tuple[Record, list[str]]:
    """Convert ``record`` to ``target`` (keep|marc21|rusmarc|irbis); returns (new record, warnings).

    What the target cannot hold is warned about in ``lang`` (en, ru, kk; LIBCAT_LANG when None).
    """
    target = (target or "keep").lower()
    source = detect(record)
    if target == "keep":
        return record, []
    if target not in _TARGET_FLAVOUR:
        raise ValueError(i18n.t("crosswalk.bad_target", lang, target=repr(target), known=", ".join(TARGETS)))
    goal = _TARGET_FLAVOUR[target]
    if source == goal:
        return _copy(record, goal), []
    items = holdings.read(record, source)
    rec, warnings = _description(holdings.without(record, source), source, goal, lang)
    fields, problems = holdings.write(items, goal, holdings.next_link(rec))
    for f in fields:
        rec.add_ordered_field(f)
    return rec, warnings + [p.message(lang) for p in problems]


def _description(record: Record, source: str, goal: str, lang: str | None) -> tuple[Record, list[str]]:
    """The record without its copies crosswalked from ``source`` to ``goal`` (through RUSMARC)."""
    warnings: list[str] = []
    rec = record
    if source == IRBIS:
        rec, w = _irbis_to_rusmarc(rec, lang)
        warnings += w
    elif source == MARC21:
        rec, w = to_unimarc(rec, lang)
        warnings += w
    if goal == UNIMARC:
        return rec, warnings
    if goal == MARC21:
        rec, w = to_marc21(rec, lang)
        return rec, warnings + w
    rec, w = _rusmarc_to_irbis(rec, lang)
    return rec, warnings + w
