"""Sub-catalogue rules: which sub-catalogue («Книги», «Статьи», «Өлкетану»...) a record belongs to.

The rules are data in the library profile (``[rules]`` and ``[[rule]]`` in ``profiles/*.toml``), so a
library changes them without touching code. The first rule whose conditions all hold wins.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pymarc import Record

from ..marc.crosswalk.holdings import HOLDINGS_TAGS
from ..marc.fieldindex import FieldIndex, index
from ..marc.flavour import IRBIS, IRBIS_VALUE_CODE, MARC21, UNIMARC
from . import profiles

#: Fields that link a record to a file (full text) per flavour.
FILE_LINKS = {IRBIS: ("951",), MARC21: ("856",), UNIMARC: ("856",)}
#: Fields that list print copies per flavour (the holdings fields the copies are read from).
COPY_TAGS = HOLDINGS_TAGS


@dataclass(frozen=True)
class Rule:
    """One classification rule read from the profile."""

    subcat: str
    name: str = ""
    flavours: tuple[str, ...] = ()
    field: str | None = None
    subfield: str | None = None
    values: frozenset[str] = frozenset()
    leader: int | None = None
    leader_values: frozenset[str] = frozenset()
    electronic: bool | None = None

    def matches(self, record: Record, flavour: str, idx: FieldIndex | None = None) -> bool:
        """True when every condition of the rule holds for ``record`` (``idx``: its field index, if made)."""
        if self.field is not None and idx is None:
            idx = index(record)
        return (self.fits_leader(flavour, str(record.leader or ""))
                and _first_match((self,), record, flavour, idx) is not None)

    def fits_leader(self, flavour: str, leader: str) -> bool:
        """True when the flavour and leader conditions hold (the ones the record's fields play no part in)."""
        if self.flavours and flavour not in self.flavours:
            return False
        return self.leader is None or (len(leader) > self.leader and leader[self.leader] in self.leader_values)


def _field_values(f, code: str | None) -> list[str]:
    if f.is_control_field():
        return [f.data or ""]
    if code is None:
        return [sf.value for sf in f.subfields]
    got = [sf.value for sf in f.subfields if sf.code == code]
    if not got and code == IRBIS_VALUE_CODE:
        got = [sf.value for sf in f.subfields if sf.code == "a"]
    return got


def _field_matches(fields: list, code: str | None, values: frozenset[str]) -> bool:
    if not values:
        return bool(fields)
    return any(v.strip().upper() in values for f in fields for v in _field_values(f, code))


def is_electronic(record: Record, flavour: str, idx: FieldIndex | None = None) -> bool:
    """A link to a file (IRBIS 951 ^A/^I, 856 $u/$f) and no print copy (``idx``: the field index, if made)."""
    idx = index(record) if idx is None else idx
    if any(map(idx.__contains__, COPY_TAGS.get(flavour, ()))):
        return False
    for tag in FILE_LINKS.get(flavour, ("856",)):
        for f in idx.get(tag, ()):
            if not f.is_control_field() and any(f.get(c) for c in ("a", "i", "u", "f")):
                return True
    return False


def _first_match(rules: Iterable[Rule], record: Record, flavour: str, idx: FieldIndex | None) -> Rule | None:
    """The first of ``rules`` (each fitting the record's flavour and leader) whose field and ``electronic``
    conditions hold: ``electronic``, the dearest, looked up for the record once at most, when the first rule
    whose field condition holds asks for it."""
    electronic = None
    for rule in rules:  # a field the record lacks holds no condition: no _field_matches call (3,600 instructions)
        if rule.field is None or ((fields := idx.get(rule.field)) is not None
                                  and _field_matches(fields, rule.subfield, rule.values)):
            if rule.electronic is None:
                return rule
            if electronic is None:
                electronic = is_electronic(record, flavour, idx)
            if electronic == rule.electronic:
                return rule
    return None


#: Sets of rules remembered per classifier (flavour and leader characters: a few dozen in a catalogue).
_FITTING_SIZE = 4096


@dataclass
class Classifier:
    """The profile's rules with the default sub-catalogue."""

    rules: tuple[Rule, ...] = ()
    default: str | None = None
    #: The rules the last ``_fitting`` worked from, the leader positions they read, and the rules fitting each
    #: (flavour, leader characters) seen so far.
    _fits: tuple[tuple[Rule, ...], tuple[slice, ...], dict[tuple, tuple[Rule, ...]] | None] | None = field(
        default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.rules = tuple(self.rules)

    def classify(self, record: Record, flavour: str, idx: FieldIndex | None = None) -> str | None:
        """The sub-catalogue code for ``record`` (first matching rule, else the default);
        ``idx`` is the record's field index when the caller has one."""
        idx = index(record) if idx is None else idx
        rule = _first_match(self._fitting(flavour, str(record.leader or "")), record, flavour, idx)
        return self.default if rule is None else rule.subcat

    def _fitting(self, flavour: str, leader: str) -> tuple[Rule, ...]:
        """The rules, in order, whose flavour and leader conditions hold for ``flavour`` and ``leader``, worked
        out once per flavour and leader characters the rules read (with the field look-ups in ``_first_match``,
        kabis on the bench's MARC 21 records: 22k -> 11k instructions a record)."""
        fits = self._fits
        if fits is None or fits[0] is not self.rules:
            places = sorted({r.leader for r in self.rules if r.leader is not None})
            seen = {} if all(p >= 0 for p in places) else None  # a place from the end: no characters to key by
            fits = self._fits = (self.rules, tuple(slice(p, p + 1) for p in places), seen)
        rules, places, seen = fits
        if seen is None:
            return tuple(r for r in rules if r.fits_leader(flavour, leader))
        # "" past the leader's end, as fits_leader reads it; one place (kabis: 7) without the map
        key = (flavour, leader[places[0]]) if len(places) == 1 else (flavour, *map(leader.__getitem__, places))
        got = seen.get(key)
        if got is None:
            got = tuple(r for r in rules if r.fits_leader(flavour, leader))
            if len(seen) < _FITTING_SIZE:
                seen[key] = got
        return got


def _rule(data: dict[str, Any], where: str) -> Rule:
    if not data.get("subcat"):
        raise profiles.ProfileError(f"{where} lacks subcat")
    flav = data.get("flavour") or ()
    if isinstance(flav, str):
        flav = (flav,)
    leader = data.get("leader")
    if leader is not None and not isinstance(leader, int):
        raise profiles.ProfileError(f"{where}: leader must be a position number (0-23)")
    return Rule(
        subcat=data["subcat"], name=data.get("name", ""), flavours=tuple(flav),
        field=str(data["field"]) if data.get("field") is not None else None,
        subfield=data.get("subfield"),
        values=frozenset(str(v).strip().upper() for v in data.get("values", [])),
        leader=leader, leader_values=frozenset(data.get("leader_values", [])),
        electronic=data.get("electronic"),
    )


def from_profile(profile: dict[str, Any]) -> Classifier:
    """Build the classifier from a loaded profile (``profiles.load``)."""
    rules = tuple(_rule(r, f"rule #{i}") for i, r in enumerate(profile.get("rule", []), 1))
    return Classifier(rules=rules, default=(profile.get("rules") or {}).get("default"))


def load(name_or_path: str | None = None) -> Classifier:
    """The classifier of a shipped or local profile (default: kabis)."""
    return from_profile(profiles.load(name_or_path or profiles.DEFAULT_PROFILE))
