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


@dataclass
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
        return _first_match((self,), record, flavour, str(record.leader or ""), idx) is not None

    def fits(self, flavour: str, leader: str, idx: FieldIndex | None) -> bool:
        """True when the flavour, leader and field conditions hold (all but ``electronic``, the dearest);
        ``idx`` may be None only for a rule without a field condition."""
        if self.flavours and flavour not in self.flavours:
            return False
        if self.leader is not None and (len(leader) <= self.leader or leader[self.leader] not in self.leader_values):
            return False
        return self.field is None or _field_matches(idx.get(self.field, ()), self.subfield, self.values)


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


def _first_match(rules: Iterable[Rule], record: Record, flavour: str, leader: str,
                 idx: FieldIndex | None) -> Rule | None:
    """The first of ``rules`` whose conditions all hold: ``fits``, then ``electronic``, the dearest, looked
    up for the record once at most, when the first rule that fits asks for it."""
    electronic = None
    for rule in rules:
        if rule.fits(flavour, leader, idx):
            if rule.electronic is None:
                return rule
            if electronic is None:
                electronic = is_electronic(record, flavour, idx)
            if electronic == rule.electronic:
                return rule
    return None


@dataclass
class Classifier:
    """The profile's rules with the default sub-catalogue."""

    rules: list[Rule] = field(default_factory=list)
    default: str | None = None

    def classify(self, record: Record, flavour: str, idx: FieldIndex | None = None) -> str | None:
        """The sub-catalogue code for ``record`` (first matching rule, else the default);
        ``idx`` is the record's field index when the caller has one."""
        idx = index(record) if idx is None else idx
        rule = _first_match(self.rules, record, flavour, str(record.leader or ""), idx)
        return self.default if rule is None else rule.subcat


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
    rules = [_rule(r, f"rule #{i}") for i, r in enumerate(profile.get("rule", []), 1)]
    return Classifier(rules=rules, default=(profile.get("rules") or {}).get("default"))


def load(name_or_path: str | None = None) -> Classifier:
    """The classifier of a shipped or local profile (default: kabis)."""
    return from_profile(profiles.load(name_or_path or profiles.DEFAULT_PROFILE))
