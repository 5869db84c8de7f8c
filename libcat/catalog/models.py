"""Tables of the catalogue. Every schema change comes with an Alembic migration in ``migrations/``."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> dt.datetime:
    """Current UTC time, naive, to the second (OAI-PMH datestamps have second granularity)."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)


class Base(DeclarativeBase):
    pass


#: ``info`` of a foreign key or index that PostgreSQL catalogues do not hold: migration 0006 leaves such keys to
#: the application, 0008 to statement triggers, and 0009 drops an index other indexes serve there. SQLite keeps
#: every one.
NOT_ON_POSTGRESQL = {"on_postgresql": False}


def included_on_postgresql(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Alembic's ``include_object`` for a PostgreSQL catalogue: the foreign keys and indexes marked
    ``NOT_ON_POSTGRESQL`` are left out, so that autogenerate compares the models with what the migrations made
    instead of adding them back."""
    if reflected:
        return True
    if type_ == "foreign_key_constraint":
        return not all(fk.info == NOT_ON_POSTGRESQL for fk in obj.elements)  # type: ignore[attr-defined]
    return type_ != "index" or obj.info != NOT_ON_POSTGRESQL  # type: ignore[attr-defined]


class Setting(Base):
    """Key/value settings of this catalogue (repository name, profile, file store...)."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str | None] = mapped_column(Text)


class Subcatalog(Base):
    """A sub-catalogue ("database", "level") of the EK: «Книги», «Статьи», «Өлкетану»..."""

    __tablename__ = "subcatalogs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(50), unique=True)
    name_ru: Mapped[str] = mapped_column(String(200))
    name_kk: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    since_year: Mapped[int | None] = mapped_column(Integer)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class Batch(Base):
    """One import, harvest or merge run: it can be listed and undone."""

    __tablename__ = "batches"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default="import")
    source: Mapped[str | None] = mapped_column(String(200))
    files: Mapped[str | None] = mapped_column(Text)
    options: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="running")
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    undone_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    counts: Mapped[str | None] = mapped_column(Text)


class CatalogRecord(Base):
    """A bibliographic record, stored losslessly (MARC-in-JSON) in its own flavour."""

    __tablename__ = "records"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    control_number: Mapped[str | None] = mapped_column(String(200))  # first column of ix_records_cn_source
    source: Mapped[str] = mapped_column(String(200), default="")
    # Identifier in the source system when it is not the control number (OAI identifier, "mfn:12").
    external_id: Mapped[str | None] = mapped_column(String(300))
    # Not checked on PostgreSQL (migration 0006: a check per inserted row; libcat never deletes a sub-catalogue).
    subcat_id: Mapped[int | None] = mapped_column(ForeignKey("subcatalogs.id", info=NOT_ON_POSTGRESQL))
    flavour: Mapped[str] = mapped_column(String(10))
    # lz4-compressed on PostgreSQL servers that have it (migration 0005): a third of the JSON is over 2 kB.
    data: Mapped[str] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String(500))
    year: Mapped[int | None] = mapped_column(Integer)
    isbns: Mapped[str | None] = mapped_column(String(500))
    language: Mapped[str | None] = mapped_column(String(3))  # read through ix_records_counts / ix_records_report
    entry_date: Mapped[dt.date | None] = mapped_column(Date)  # read through ix_records_counts
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    datestamp: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # ix_records_deleted_at
    deleted_reason: Mapped[str | None] = mapped_column(Text)
    merged_into: Mapped[int | None] = mapped_column(ForeignKey("records.id"))
    content_hash: Mapped[str] = mapped_column(String(64))
    # Not indexed: no query looks records up by batch (undo and export read record_events.batch_id). Not checked
    # on PostgreSQL (migration 0006: a check per inserted row; batches are never deleted, undo marks them undone).
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id", info=NOT_ON_POSTGRESQL))
    # Rights and fund categories: None = derive from the record; True/False = set by hand.
    author_death_year: Mapped[int | None] = mapped_column(Integer)
    own_publication: Mapped[bool] = mapped_column(Boolean, default=False)
    fund_rare: Mapped[bool | None] = mapped_column(Boolean)
    fund_local_lore: Mapped[bool | None] = mapped_column(Boolean)
    fund_kazakhstan: Mapped[bool | None] = mapped_column(Boolean)
    # What the record's own fields say (summary.Summary.kazakhstan / .local_lore), kept so counts need no parsing.
    mark_kazakhstan: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    mark_local_lore: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    subcatalog: Mapped[Subcatalog | None] = relationship()

    __table_args__ = (
        Index("ix_records_datestamp_id", "datestamp", "id"),
        # Control number first: lookups by it alone (records.find) and with a source (matching) share one index.
        Index("ix_records_cn_source", "control_number", "source"),
        # Only records with an external id (migration 0009): an ISO 2709 import adds no entry.
        Index("ix_records_source_external_id", "source", "external_id", sqlite_where=text("external_id IS NOT NULL"),
              postgresql_where=text("external_id IS NOT NULL")),
        # Tombstones only on PostgreSQL (migration 0009); SQLite also reads live records through it (IS NULL).
        Index("ix_records_deleted_at", "deleted_at", postgresql_where=text("deleted_at IS NOT NULL")),
        # SQLite reads a sub-catalogue in id order from it (0005); PostgreSQL does not hold it (0009): there
        # ix_records_counts, which starts with subcat_id, serves its queries.
        Index("ix_records_subcat_id", "subcat_id", info=NOT_ON_POSTGRESQL),
        Index("ix_records_counts", "subcat_id", "entry_date", "deleted_at", "language"),
        Index("ix_records_subcat_datestamp_id", "subcat_id", "datestamp", "id"),
        # Covers what the report counts read per record id (catalog.counts), so they never touch the text-sized rows.
        Index("ix_records_report", "id", "deleted_at", "language", "subcat_id", "fund_rare", "fund_local_lore",
              "fund_kazakhstan", "mark_kazakhstan", "mark_local_lore"),
    )


class RecordKey(Base):
    """Match keys of a live record (ISBN-13, normalised title/author/year) for duplicate blocking."""

    __tablename__ = "record_keys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Not checked on PostgreSQL (migration 0006: a check per inserted key): records are never hard-deleted, and
    # every path that changes or tombstones a record deletes its keys itself.
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id", ondelete="CASCADE", info=NOT_ON_POSTGRESQL), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    value: Mapped[str] = mapped_column(String(500))
    __table_args__ = (Index("ix_record_keys_kind_value", "kind", "value"),)


class Copy(Base):
    """A copy (holding, экземпляр / дана) of a record: IRBIS 910, MARC 21 852/876, UNIMARC 995/899."""

    __tablename__ = "copies"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Indexed first in ix_copies_held. On PostgreSQL checked once per statement by triggers, not per row by a
    # foreign key (migration 0008).
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id", info=NOT_ON_POSTGRESQL))
    inventory_number: Mapped[str | None] = mapped_column(String(100))  # no query looks copies up by it
    barcode: Mapped[str | None] = mapped_column(String(100))
    location: Mapped[str | None] = mapped_column(String(200))
    receipt_date: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str | None] = mapped_column(String(20))
    price: Mapped[str | None] = mapped_column(String(50))
    written_off_at: Mapped[dt.date | None] = mapped_column(Date)
    write_off_act: Mapped[str | None] = mapped_column(String(100))
    # Copies held at a date per record, read without the rows (catalog.counts.fund_counts).
    __table_args__ = (Index("ix_copies_held", "record_id", "receipt_date", "written_off_at"),)


class RecordEvent(Base):
    """Every change to a record: created, updated, merged, deleted, restored (with time and source)."""

    __tablename__ = "record_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # On PostgreSQL checked once per statement by triggers, not per row by a foreign key (migration 0008).
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id", info=NOT_ON_POSTGRESQL), index=True)
    # Not checked on PostgreSQL (migration 0006: a check per inserted event; batches are never deleted).
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id", info=NOT_ON_POSTGRESQL), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # queried within a time range only: ix_record_events_at
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    source: Mapped[str | None] = mapped_column(String(200))
    detail: Mapped[str | None] = mapped_column(Text)
    # The record's previous state (JSON of its columns and data), so a batch can be undone.
    before: Mapped[str | None] = mapped_column(Text)  # lz4 on PostgreSQL, as records.data


class Quarantine(Base):
    """A record that could not be read or failed validation, kept with its original bytes."""

    __tablename__ = "quarantine"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id"), index=True)
    file: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int | None] = mapped_column(Integer)
    byte_offset: Mapped[int | None] = mapped_column(BigInteger)
    format: Mapped[str | None] = mapped_column(String(20))
    control_number: Mapped[str | None] = mapped_column(String(200))
    raw: Mapped[bytes | None] = mapped_column(LargeBinary)  # lz4 on PostgreSQL, as records.data
    reasons: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Collection(Base):
    """A full-text collection or electronic folder of digitized items."""

    __tablename__ = "collections"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    name_ru: Mapped[str | None] = mapped_column(String(300))
    name_kk: Mapped[str | None] = mapped_column(String(300))
    name_en: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class DigitalObject(Base):
    """A digitized document (scan set) linked to an EK record."""

    __tablename__ = "digital_objects"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    type: Mapped[str] = mapped_column(String(30))
    language: Mapped[str | None] = mapped_column(String(3))
    digitized_on: Mapped[dt.date] = mapped_column(Date, index=True)
    collection_id: Mapped[int | None] = mapped_column(ForeignKey("collections.id"), index=True)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    note: Mapped[str | None] = mapped_column(Text)
    # Whole books per record at a date, read without the rows (catalog.counts.fund_counts).
    __table_args__ = (Index("ix_digital_objects_type_record", "type", "record_id", "digitized_on", "deleted_at"),)


class DigitalFile(Base):
    """One file of a digital object, stored in the catalogue's file store under a stable name."""

    __tablename__ = "digital_files"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    object_id: Mapped[int] = mapped_column(ForeignKey("digital_objects.id"), index=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"))
    path: Mapped[str] = mapped_column(String(500))
    original_name: Mapped[str | None] = mapped_column(String(500))
    mime: Mapped[str | None] = mapped_column(String(100))
    bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    sha256: Mapped[str] = mapped_column(String(64))
    pages: Mapped[int] = mapped_column(Integer, default=0)
    __table_args__ = (UniqueConstraint("record_id", "sha256", name="uq_digital_files_record_sha"),)


class Contract(Base):
    """An author contract (авторский договор / авторлық шарт) with an author or rights holder."""

    __tablename__ = "contracts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str | None] = mapped_column(String(100))
    holder: Mapped[str] = mapped_column(String(300))
    author: Mapped[str | None] = mapped_column(String(300))
    signed_on: Mapped[dt.date] = mapped_column(Date, index=True)
    valid_until: Mapped[dt.date | None] = mapped_column(Date)
    scope: Mapped[str] = mapped_column(String(200), default="digitize,publish-site")
    renewal_of: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"))
    file_path: Mapped[str | None] = mapped_column(String(500))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ContractRecord(Base):
    """A work (EK record) covered by a contract."""

    __tablename__ = "contract_records"
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), primary_key=True)


class HarvestSource(Base):
    """An OAI-PMH repository libcat harvests from, and where its last run stopped."""

    __tablename__ = "harvest_sources"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    url: Mapped[str] = mapped_column(Text)
    prefix: Mapped[str] = mapped_column(String(50), default="marc21")
    set_spec: Mapped[str | None] = mapped_column(String(200))
    subcat_code: Mapped[str | None] = mapped_column(String(50))
    last_started_at: Mapped[str | None] = mapped_column(String(40))
    last_success_from: Mapped[str | None] = mapped_column(String(40))
    resume_token: Mapped[str | None] = mapped_column(Text)
    resume_started_at: Mapped[str | None] = mapped_column(String(40))
    last_batch_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id"))
    records_seen: Mapped[int] = mapped_column(BigInteger, default=0)
