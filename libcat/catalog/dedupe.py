"""Duplicate records across the whole catalogue, found by blocking on match keys and merged on request.

Blocking is one SQL ``GROUP BY`` over ``record_keys`` (ISBN-13, folded title/author/year, content hash),
never a comparison of all pairs, so a catalogue of 1,000,000 records is scanned in one pass. Records
that share an ISBN-13 or their whole content are duplicates; records that share only title, first
author and year are candidates, listed for a person to judge and merged only when asked.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from .. import i18n
from ..marc import keys as mkeys
from . import records as rec
from .records import ABSORBED, applied_keys
from .importer import keys_of_row, write_keys
from .models import (
    Batch, CatalogRecord, ContractRecord, Copy, DigitalFile, DigitalObject, RecordKey, Subcatalog, utcnow,
)
from .store import Catalog

STRONG = (mkeys.ISBN, mkeys.CONTENT)

i18n.register({
    "dedupe.group": {"en": "# group {n} ({kind}): {reasons}", "ru": "# группа {n} ({kind}): {reasons}",
                     "kk": "# {n}-топ ({kind}): {reasons}"},
    "dedupe.kind.duplicate": {"en": "duplicate", "ru": "дублеты", "kk": "дублеттер"},
    "dedupe.kind.candidate": {"en": "candidate", "ru": "возможные дублеты", "kk": "ықтимал дублеттер"},
    f"dedupe.key.{mkeys.ISBN}": {"en": "ISBN", "ru": "ISBN", "kk": "ISBN"},
    f"dedupe.key.{mkeys.TITLE}": {"en": "title|author|year", "ru": "заглавие|автор|год", "kk": "атауы|авторы|жылы"},
    f"dedupe.key.{mkeys.CONTENT}": {"en": "same content", "ru": "одинаковое содержание", "kk": "бірдей мазмұн"},
    "dedupe.copies": {"en": "copies={n}", "ru": "экземпляров={n}", "kk": "дана={n}"},
})


@dataclass
class Member:
    """One record of a duplicate group, with the columns shown side by side."""

    id: int
    control_number: str | None
    source: str
    subcat: str | None
    title: str | None
    author: str | None
    year: int | None
    isbns: str | None
    size: int
    copies: int = 0

    def to_dict(self) -> dict[str, Any]:
        return dict(vars(self))


@dataclass
class Group:
    """Records found to be the same work, the reasons (shared keys), and which one survives a merge."""

    members: list[Member]
    reasons: list[tuple[str, str]] = field(default_factory=list)
    strong: bool = True

    @property
    def survivor(self) -> Member:
        """The most complete record: the longest, then the one with most copies, then the oldest."""
        return max(self.members, key=lambda m: (m.size, m.copies, -m.id))

    @property
    def kind(self) -> str:
        return "duplicate" if self.strong else "candidate"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "survivor": self.survivor.id,
            "reasons": [{"key": k, "value": v} for k, v in self.reasons],
            "records": [m.to_dict() for m in sorted(self.members, key=lambda m: m.id)],
        }


class _Union:
    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        p = self.parent.setdefault(x, x)
        while p != self.parent[p]:
            self.parent[p] = self.parent[self.parent[p]]
            p = self.parent[p]
        self.parent[x] = p
        return p

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _blocks(s: Session, kinds: tuple[str, ...], subcat_id: int | None) -> Iterator[tuple[str, str, int]]:
    """(kind, value, record id) of every live record whose key value is shared with another live record."""
    live = [CatalogRecord.deleted_at.is_(None)]
    if subcat_id is not None:
        live.append(CatalogRecord.subcat_id == subcat_id)
    shared = (
        select(RecordKey.kind, RecordKey.value)
        .join(CatalogRecord, CatalogRecord.id == RecordKey.record_id)
        .where(RecordKey.kind.in_(kinds), *live)
        .group_by(RecordKey.kind, RecordKey.value)
        .having(func.count(func.distinct(RecordKey.record_id)) > 1)
        .subquery()
    )
    q = (
        select(RecordKey.kind, RecordKey.value, RecordKey.record_id)
        .join(shared, (shared.c.kind == RecordKey.kind) & (shared.c.value == RecordKey.value))
        .join(CatalogRecord, CatalogRecord.id == RecordKey.record_id)
        .where(*live)
        .order_by(RecordKey.kind, RecordKey.value, RecordKey.record_id)
    )
    yield from s.execute(q.execution_options(yield_per=10000))


def find_groups(catalog: Catalog, subcat: str | None = None, *, candidates: bool = True,
                lang: str | None = None) -> list[Group]:
    """Duplicate groups (ISBN / identical content) and, with ``candidates``, title/author/year groups."""
    with catalog.Session() as s:
        subcat_id = rec.subcatalog(s, subcat, lang).id if subcat else None
        kinds = STRONG + ((mkeys.TITLE,) if candidates else ())
        strong, weak = _Union(), _Union()
        reasons: dict[int, list[tuple[str, str, int]]] = defaultdict(list)
        first: dict[tuple[str, str], int] = {}
        for kind, value, rid in _blocks(s, kinds, subcat_id):
            uf = strong if kind in STRONG else weak
            head = first.setdefault((kind, value), rid)
            uf.union(head, rid)
            if head == rid:
                reasons[rid].append((kind, value, rid))
        groups: dict[tuple[bool, int], set[int]] = defaultdict(set)
        for x in list(strong.parent):
            groups[(True, strong.find(x))].add(x)
        for x in list(weak.parent):
            groups[(False, weak.find(x))].add(x)
        # A candidate group that lies inside one duplicate group says nothing new.
        out_sets: list[tuple[bool, set[int]]] = []
        for (is_strong, _), ids in groups.items():
            if not is_strong and len({strong.find(i) if i in strong.parent else -i for i in ids}) < 2:
                continue
            out_sets.append((is_strong, ids))
        all_ids = sorted({i for _, ids in out_sets for i in ids})
        members = _members(s, all_ids)
        result = []
        for is_strong, ids in out_sets:
            g = Group(members=[members[i] for i in sorted(ids) if i in members], strong=is_strong)
            if len(g.members) < 2:
                continue
            uf = strong if is_strong else weak
            for i in ids:
                for kind, value, _ in reasons.get(i, []):
                    if (kind in STRONG) == is_strong and uf.find(i) == uf.find(next(iter(ids))):
                        g.reasons.append((kind, value))
            result.append(g)
        result.sort(key=lambda g: (not g.strong, min(m.id for m in g.members)))
        return result


def text_lines(groups: list[Group], lang: str | None = None) -> Iterator[str]:
    """The groups side by side in ``lang``: a header per group (number, kind, shared keys), then one tab-separated
    line per record (id, control number, source, sub-catalogue, title, author, year, ISBNs, copies), the survivor
    marked with ``*``."""
    for n, g in enumerate(groups, 1):
        reasons = "; ".join(f"{i18n.t(f'dedupe.key.{k}', lang)} {v}" for k, v in g.reasons[:3])
        yield i18n.t("dedupe.group", lang, n=n, kind=i18n.t(f"dedupe.kind.{g.kind}", lang), reasons=reasons)
        survivor = g.survivor.id
        for m in sorted(g.members, key=lambda m: m.id):
            mark = "*" if m.id == survivor else " "
            yield "\t".join([mark + str(m.id), m.control_number or "", m.source, m.subcat or "", (m.title or "")[:80],
                             m.author or "", str(m.year or ""), m.isbns or "", i18n.t("dedupe.copies", lang, n=m.copies)])


def _members(s: Session, ids: list[int]) -> dict[int, Member]:
    codes = dict(s.execute(select(Subcatalog.id, Subcatalog.code)).all())
    out: dict[int, Member] = {}
    for i in range(0, len(ids), rec.IDS_PER_STATEMENT):
        part = ids[i:i + rec.IDS_PER_STATEMENT]
        copies = dict(s.execute(select(Copy.record_id, func.count()).where(Copy.record_id.in_(part)).group_by(Copy.record_id)).all())
        q = select(
            CatalogRecord.id, CatalogRecord.control_number, CatalogRecord.source, CatalogRecord.subcat_id,
            CatalogRecord.title, CatalogRecord.author, CatalogRecord.year, CatalogRecord.isbns,
            func.length(CatalogRecord.data),
        ).where(CatalogRecord.id.in_(part))
        for rid, cn, src, sc, title, author, year, isbns, size in s.execute(q):
            out[rid] = Member(rid, cn, src or "", codes.get(sc), title, author, year, isbns, size or 0, copies.get(rid, 0))
    return out


def merge_group(s: Session, group: Group, batch: Batch, source: str = "dedupe",
                applied: dict[int, list[tuple[str, str]]] | None = None) -> int:
    """Merge a group into its survivor: copies and digital objects move, the survivor gets links to the others'
    contracts; the others become tombstones with a `merged` event (keeping their APPLIED keys for undo), and their
    live digital objects that cannot move (the survivor has their files already) are withdrawn. The
    survivor's own record is not edited: it gets an `absorbed` event (which the yearly "records edited" count
    leaves out) only when something moved to it. ``applied``: the members' APPLIED keys when already read.
    Returns the number of records merged away."""
    survivor = s.get(CatalogRecord, group.survivor.id)
    if survivor is None or survivor.deleted_at is not None:
        return 0
    merged = 0
    for m in group.members:
        if m.id == survivor.id:
            continue
        other = s.get(CatalogRecord, m.id)
        if other is None or other.deleted_at is not None:
            continue
        before = rec.snapshot(survivor)
        moved, left = _move_to(s, other, survivor)
        reason = "duplicate of record {} ({})".format(survivor.id, ", ".join(f"{k} {v}" for k, v in group.reasons[:3]))
        kept = applied[other.id] if applied is not None else applied_keys(s, [other.id])[other.id]
        rec.delete(s, other, reason=reason[:1000], batch=batch, source=source, merged_into=survivor, applied=kept,
                   for_undo={"withdrawn_objects": left} if left else None)
        if left:
            _withdraw(s, other, left)
        if any(moved.values()):
            survivor.datestamp = utcnow()
            rec.add_event(s, survivor, ABSORBED, batch=batch, source=source, before=before,
                          detail=json.dumps({"note": f"what record {other.id} held moved here as it was merged",
                                             "moved": {"from": other.id, **moved}}))
        merged += 1
    return merged


def _move_to(s: Session, other: CatalogRecord, survivor: CatalogRecord) -> tuple[dict[str, list[int]], list[int]]:
    """Move the copies and digital objects (those whose files the survivor lacks) of ``other`` to ``survivor`` and
    link ``survivor`` to the contracts of ``other`` it lacks (``other`` keeps its links); returns the ids moved or
    linked, ``copies``, ``digital_objects``, ``contracts``, which undo takes back, and the ids of the live objects
    left behind (a file of theirs is the survivor's already, and a record holds a file once)."""
    copies = list(s.scalars(select(Copy.id).where(Copy.record_id == other.id)))
    taken = set(s.scalars(select(DigitalFile.sha256).where(DigitalFile.record_id == survivor.id)))
    objects, left = [], []
    for obj in s.scalars(select(DigitalObject).where(DigitalObject.record_id == other.id)):
        shas = set(s.scalars(select(DigitalFile.sha256).where(DigitalFile.object_id == obj.id)))
        if shas & taken:
            if obj.deleted_at is None:
                left.append(obj.id)
            continue
        taken |= shas
        objects.append(obj.id)
    if copies:
        s.execute(update(Copy).where(Copy.id.in_(copies)).values(record_id=survivor.id))
    if objects:
        s.execute(update(DigitalObject).where(DigitalObject.id.in_(objects)).values(record_id=survivor.id))
        s.execute(update(DigitalFile).where(DigitalFile.object_id.in_(objects)).values(record_id=survivor.id))
    have = set(s.scalars(select(ContractRecord.contract_id).where(ContractRecord.record_id == survivor.id)))
    contracts = [cid for cid in s.scalars(select(ContractRecord.contract_id).where(ContractRecord.record_id == other.id))
                 if cid not in have]
    s.add_all(ContractRecord(contract_id=cid, record_id=survivor.id) for cid in contracts)
    return {"copies": copies, "digital_objects": objects, "contracts": contracts}, left


def _withdraw(s: Session, merged: CatalogRecord, objects: list[int]) -> None:
    """Withdraw the live digital objects left on a merged record (``deleted_at`` its merge time, files kept), as undo
    withdraws those of the records it removes, so nothing is published or counted for a tombstone; its `merged`
    event lists them (``withdrawn_objects``) so that undo puts them back."""
    s.execute(update(DigitalObject).where(DigitalObject.id.in_(objects)).values(deleted_at=merged.deleted_at))


def apply(catalog: Catalog, groups: list[Group], *, candidates: bool = False) -> tuple[int | None, int]:
    """Merge the duplicate groups (and candidate groups when asked) in one undoable batch."""
    chosen = [g for g in groups if g.strong or candidates]
    if not chosen:
        return None, 0
    merged = 0
    with catalog.session() as s:
        batch = Batch(kind="dedupe", status="running", started_at=utcnow(),
                      options=json.dumps({"candidates": candidates}))
        s.add(batch)
        s.flush()
        applied = applied_keys(s, sorted({m.id for g in chosen for m in g.members}))
        for g in chosen:
            merged += merge_group(s, g, batch, applied=applied)
        batch.status = "done"
        batch.finished_at = utcnow()
        batch.counts = json.dumps({"groups": len(chosen), "merged": merged})
        return batch.id, merged


def refresh_keys(catalog: Catalog) -> int:
    """Compute match keys of live records that have none (records added outside the importer)."""
    done = 0
    with catalog.session() as s:
        has = select(RecordKey.record_id).where(RecordKey.record_id == CatalogRecord.id).exists()
        q = select(CatalogRecord).where(CatalogRecord.deleted_at.is_(None), ~has).order_by(CatalogRecord.id)
        pairs = []
        for row in s.scalars(q.execution_options(yield_per=1000)):
            pairs.append((row.id, keys_of_row(row) or [(mkeys.CONTENT, row.content_hash)]))
        write_keys(s, pairs)
        done = len(pairs)
    return done

