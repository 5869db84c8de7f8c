"""Bulk writes and set lookups of the importer, done the cheapest way each database offers.

PostgreSQL gets COPY and array parameters; SQLite gets executemany and JSON arrays. Nothing here knows
about MARC: rows come in as tuples in the order of their column names.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import ARRAY, String, any_, bindparam, func, insert, literal_column, select, text, update
from sqlalchemy.orm import Session

from .models import Batch, CatalogRecord


def insert_rows(s: Session, table: Any, cols: list[str], rows: list[tuple], utf8: tuple[str, ...] = ()) -> None:
    """Insert rows (tuples in the order of ``cols``) in one go on the driver (PostgreSQL: COPY; else
    executemany), values converted as the dialect converts them. Text columns named in ``utf8`` may hold
    UTF-8 bytes: SQLite stores them as text as they are (``CAST``), other databases get them decoded."""
    if not rows:
        return
    conn = s.connection()
    dialect = conn.dialect
    sqlite = dialect.name == "sqlite"
    for i in [i for i, c in enumerate(cols) if c in utf8 and not sqlite]:
        rows = [(*r[:i], r[i].decode("utf-8"), *r[i + 1:]) if type(r[i]) is bytes else r for r in rows]
    if dialect.paramstyle not in ("qmark", "format", "pyformat"):
        s.execute(insert(table), [dict(zip(cols, r)) for r in rows])
        return
    quote = dialect.identifier_preparer.quote
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    marks = [f"CAST({mark} AS TEXT)" if sqlite and c in utf8 else mark for c in cols]
    sql = (f"INSERT INTO {dialect.identifier_preparer.format_table(table)} ({', '.join(quote(c) for c in cols)}) "
           f"VALUES ({', '.join(marks)})")
    procs = [(i, proc) for i, c in enumerate(cols)
             if (proc := table.c[c].type.dialect_impl(dialect).bind_processor(dialect)) is not None]
    data: list = rows
    if procs:
        data = [list(r) for r in rows]
        for i, proc in procs:
            # A column holds few distinct values here (dates, flags, the batch time): convert each once.
            try:
                done = {v: proc(v) for v in {r[i] for r in data}}
            except TypeError:
                done = None
            for r in data:
                r[i] = done[r[i]] if done is not None else proc(r[i])
        data = list(map(tuple, data))
    if dialect.name == "postgresql":
        # COPY: one stream instead of a statement per row (the driver's executemany costs ~3x the CPU).
        copy_sql = sql.split(" VALUES ", 1)[0].replace("INSERT INTO", "COPY", 1) + " FROM STDIN"
        with conn.connection.driver_connection.cursor() as cur, cur.copy(copy_sql) as copy:
            for values in data:
                copy.write_row(values)
        return
    conn.exec_driver_sql(sql, data)


def among(s: Session, column: Any, values: Iterable[str]) -> Any:
    """``column IN values`` with the values bound as one parameter (a JSON array on SQLite, an array on
    PostgreSQL): ``in_`` renders a parameter per value, which cost the writing process more than the lookups."""
    dialect = s.get_bind().dialect.name
    if dialect == "sqlite":
        rows = func.json_each(json.dumps(list(values), ensure_ascii=False))
        return column.in_(select(literal_column("value")).select_from(rows).scalar_subquery())
    if dialect == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(String)))
    return column.in_(values)


def reserve_ids(s: Session, n: int, batch_id: int | None) -> list[int]:
    """Ids for ``n`` new records, taken before a plain executemany (much faster than INSERT ... RETURNING).

    PostgreSQL hands them out from the table's sequence; SQLite first takes the write lock (a no-op update
    of the batch row) so that no other writer can take the same ids before this transaction commits.
    """
    if s.get_bind().dialect.name == "postgresql":
        q = text("SELECT nextval(pg_get_serial_sequence('records', 'id')) FROM generate_series(1, :n)")
        return [int(v) for v in s.scalars(q, {"n": n})]
    s.execute(update(Batch).where(Batch.id == (batch_id or 0)).values(status=Batch.status))
    start = (s.scalar(select(func.max(CatalogRecord.id))) or 0) + 1
    return list(range(start, start + n))
