"""The fund marks of stored records (Kazakhstan content, local lore) read again from their fields, for the
migrations that add or change what marks a record: only records whose stored text may carry a mark are parsed."""

from __future__ import annotations

import re

import sqlalchemy as sa

#: Rows read per query.
BATCH = 2000


def backfill(conn: sa.Connection, may_mark: re.Pattern[str]) -> int:
    """Set ``mark_kazakhstan`` and ``mark_local_lore`` from ``summary.summarize`` wherever they differ, for the
    records whose MARC-in-JSON matches ``may_mark`` (the others keep theirs); returns how many changed."""
    from libcat.marc.flavour import set_flavour
    from libcat.marc.marcjson import record_from_json
    from libcat.marc.summary import summarize

    records = sa.table("records", sa.column("id"), sa.column("flavour"), sa.column("data"),
                       sa.column("mark_kazakhstan"), sa.column("mark_local_lore"))
    last = changed = 0
    while True:
        rows = conn.execute(
            sa.select(records.c.id, records.c.flavour, records.c.data, records.c.mark_kazakhstan,
                      records.c.mark_local_lore)
            .where(records.c.id > last).order_by(records.c.id).limit(BATCH)
        ).all()
        if not rows:
            return changed
        last = rows[-1][0]
        marks = []
        for rid, flavour, data, kz, lore in rows:
            if not data or not may_mark.search(data):
                continue
            s = summarize(set_flavour(record_from_json(data), flavour), flavour)
            now = (s.kazakhstan is not None, s.local_lore)
            if now != (bool(kz), bool(lore)):
                marks.append({"rid": rid, "kz": now[0], "lore": now[1]})
        if marks:
            conn.execute(
                records.update().where(records.c.id == sa.bindparam("rid"))
                .values(mark_kazakhstan=sa.bindparam("kz"), mark_local_lore=sa.bindparam("lore")),
                marks,
            )
            changed += len(marks)
