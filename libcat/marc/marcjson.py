"""Lossless record <-> MARC-in-JSON conversion, used for storage and the `json` format.

The JSON shape is the MARC-in-JSON one pymarc and Catmandu use:
``{"leader": "...", "fields": [{"001": "x"}, {"245": {"ind1": " ", "ind2": " ", "subfields": [{"a": "..."}]}}]}``.
Tags of any length (IRBIS has 1119, 6629) and any subfield code survive the round trip.
"""

from __future__ import annotations

import json
from typing import Any

from pymarc import Field, Indicators, Leader, Record, Subfield


def is_control_tag(tag: str) -> bool:
    """True for MARC control fields 001-009 (no indicators, no subfields)."""
    return len(tag) == 3 and tag < "010" and tag.isdigit()


def record_to_dict(record: Record) -> dict[str, Any]:
    """The record as a MARC-in-JSON dictionary."""
    fields: list[dict[str, Any]] = []
    for f in record.fields:
        if f.is_control_field():
            fields.append({f.tag: f.data})
        else:
            ind = f.indicators or Indicators(" ", " ")
            fields.append(
                {
                    f.tag: {
                        "ind1": ind[0],
                        "ind2": ind[1],
                        "subfields": [{sf.code: sf.value} for sf in f.subfields],
                    }
                }
            )
    return {"leader": str(record.leader), "fields": fields}


def record_from_dict(data: dict[str, Any]) -> Record:
    """Build a pymarc.Record from a MARC-in-JSON dictionary."""
    record = Record(force_utf8=True)
    record.leader = Leader(data.get("leader") or " " * 24)
    out = []
    for entry in data.get("fields", []):
        ((tag, value),) = entry.items()
        if isinstance(value, str):
            out.append(Field(tag=tag, data=value))
        else:
            subs = []
            for sub in value.get("subfields", []):
                ((code, text),) = sub.items()
                subs.append(Subfield(code, text))
            out.append(
                Field(
                    tag=tag,
                    indicators=Indicators(value.get("ind1", " ") or " ", value.get("ind2", " ") or " "),
                    subfields=subs,
                )
            )
    record.fields = out
    return record


def record_to_json(record: Record) -> str:
    """Compact JSON text of one record (UTF-8 characters kept as they are)."""
    return json.dumps(record_to_dict(record), ensure_ascii=False, separators=(",", ":"))


def record_from_json(text: str | bytes) -> Record:
    """Parse one record from its MARC-in-JSON text."""
    return record_from_dict(json.loads(text))
