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
