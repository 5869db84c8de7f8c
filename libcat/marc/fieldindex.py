"""A record's fields by tag, made in one pass over the record.

Everything that reads one record on import (flavour detection, validation, summary columns, match keys,
copies, sub-catalogue rules) looks fields up by tag. ``record.get_fields(tag)`` walks all fields on every
call; an index made once and handed to each of them walks them once.
"""

from __future__ import annotations

from pymarc import Field, Record

FieldIndex = dict[str, list[Field]]


def index(record: Record) -> FieldIndex:
    """Fields by tag, each list in record order."""
    by_tag: FieldIndex = {}
    for f in record.fields:
        got = by_tag.get(f.tag)
        if got is None:
            by_tag[f.tag] = [f]
        else:
            got.append(f)
    return by_tag


def subfield_values(f: Field, codes: tuple[str, ...]) -> list[str]:
    """The values of subfields ``codes`` (distinct codes) of data field ``f``: all of the first code, then all
    of the next, as ``[v for c in codes for v in f.get_subfields(c)]`` gives them, in one pass over the
    subfields. A code named twice in ``codes`` would give its values once, not twice."""
    found = [(code, value) for code, value in f.subfields if code in codes]
    if len(found) > 1:
        found.sort(key=lambda sf: codes.index(sf[0]))
    return [value for _, value in found]
