"""Author contracts (авторский договор / авторлық шарт): add, renew, list, show, expiring soon."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import i18n
from ..catalog import records
from ..catalog.models import CatalogRecord, Contract, ContractRecord, utcnow
from ..catalog.store import Catalog, CatalogError
from . import SCOPES, filestore, registry
from .rights import check_scope, contract_active, contract_scopes

DEFAULT_SCOPE = "digitize,publish-site"

i18n.register({
    "contract.missing": {
        "en": "no contract {id}",
        "ru": "нет договора {id}",
        "kk": "{id} шарты жоқ",
    },
    "contract.dates": {
        "en": "the contract ends ({until}) before it is signed ({signed})",
        "ru": "договор заканчивается ({until}) раньше, чем подписан ({signed})",
        "kk": "шарт қол қойылғанға ({signed}) дейін аяқталады ({until})",
    },
    "contract.holder": {
        "en": "a contract needs the rights holder (--holder)",
        "ru": "у договора должен быть правообладатель (--holder)",
        "kk": "шартқа құқық иесі керек (--holder)",
    },
    "contract.scan_failed": {
        "en": "contract {id} saved, but its scan could not be stored: {reason}",
        "ru": "договор {id} сохранён, но его скан не удалось поместить в хранилище: {reason}",
        "kk": "{id} шарты сақталды, бірақ оның сканын қоймаға салу мүмкін болмады: {reason}",
    },
    "contract.status.active": {"en": "active", "ru": "действует", "kk": "күшінде"},
    "contract.status.expired": {"en": "expired", "ru": "истёк", "kk": "мерзімі өткен"},
    "contract.status.future": {"en": "not yet in force", "ru": "ещё не вступил в силу", "kk": "әлі күшіне енбеген"},
})


def parse_scope(text: str | None, lang: str | None = None) -> str:
    """A comma-separated scope list, checked against SCOPES and kept in their order."""
    if text is None or not text.strip():
        return DEFAULT_SCOPE
    given = [check_scope(s.strip(), lang) for s in text.split(",") if s.strip()]
    return ",".join(s for s in SCOPES if s in given)


def get(session: Session, contract_id: int, lang: str | None = None) -> Contract:
    """A contract by id, or a CatalogError."""
    c = session.get(Contract, contract_id)
    if c is None:
        raise CatalogError(i18n.t("contract.missing", lang, id=contract_id))
    return c


def status(contract: Contract, today: dt.date | None = None) -> str:
    """"active", "expired" or "future" on ``today``."""
    today = today or dt.date.today()
    if contract.signed_on > today:
        return "future"
    return "active" if contract_active(contract, today) else "expired"


def add(
    catalog: Catalog,
    *,
    holder: str,
    signed: dt.date,
    author: str | None = None,
    until: dt.date | None = None,
    record_refs: Iterable[str | int] = (),
    scope: str | None = None,
    renewal_of: int | None = None,
    number: str | None = None,
    scan: Path | None = None,
    note: str | None = None,
    lang: str | None = None,
) -> Contract:
    """Record a contract; a renewal (повторно) is its own contract linked to the earlier one.

    A renewal without --record covers the earlier contract's records and keeps its author. The scan
    of the signed contract is copied into the file store (under ``contracts/``) after the commit.
    """
    if not holder or not holder.strip():
        raise CatalogError(i18n.t("contract.holder", lang))
    if until is not None and until < signed:
        raise CatalogError(i18n.t("contract.dates", lang, until=until, signed=signed))
    scope_text = parse_scope(scope, lang)
    staging = filestore.Staging(filestore.root(catalog), lang)
    scan_rel = None
    if scan is not None:
        info = registry.inspect_file(Path(scan), count=False, lang=lang)
        scan_rel = f"contracts/{info.sha256[:16]}.{registry.pages_ext(info.mime)}"
    try:
        with catalog.session() as s:
            earlier = get(s, renewal_of, lang) if renewal_of is not None else None
            rows: list[CatalogRecord] = []
            for ref in record_refs:
                row = records.find(s, ref, lang)
                if row.id not in {r.id for r in rows}:
                    rows.append(row)
            if earlier is not None and not rows:
                ids = s.scalars(select(ContractRecord.record_id).where(ContractRecord.contract_id == earlier.id))
                rows = [s.get(CatalogRecord, rid) for rid in ids]
            c = Contract(
                number=number, holder=holder.strip(), signed_on=signed, valid_until=until,
                author=author or (earlier.author if earlier is not None else None),
                scope=scope_text, renewal_of=earlier.id if earlier is not None else None,
                file_path=scan_rel, note=note, created_at=utcnow(),
            )
            s.add(c)
            s.flush()
            for row in rows:
                s.add(ContractRecord(contract_id=c.id, record_id=row.id))
                row.datestamp = utcnow()
                records.add_event(s, row, "rights", source="contract", detail=f"contract {c.id}")
            if scan is not None:
                staging.add(Path(scan), scan_rel)
            s.flush()
    except BaseException:
        staging.discard()
        raise
    def forget_scan() -> None:
        with catalog.session() as s:
            s.get(Contract, c.id).file_path = None

    staging.commit_or_forget(forget_scan, lambda reason: i18n.t("contract.scan_failed", lang, id=c.id, reason=reason))
    return c


@dataclass
class ContractView:
    """A contract with its records, its renewals and its status on a day."""

    contract: Contract
    records: list[CatalogRecord]
    renewed_by: list[int]
    status: str


def view(session: Session, contract: Contract, today: dt.date | None = None) -> ContractView:
    """Everything `contract show` prints about one contract."""
    rows = list(session.scalars(
        select(CatalogRecord).join(ContractRecord, ContractRecord.record_id == CatalogRecord.id)
        .where(ContractRecord.contract_id == contract.id).order_by(CatalogRecord.id)
    ))
    renewals = list(session.scalars(select(Contract.id).where(Contract.renewal_of == contract.id).order_by(Contract.id)))
    return ContractView(contract, rows, renewals, status(contract, today))


def list_contracts(session: Session, *, year: int | None = None, expiring: int | None = None,
                   today: dt.date | None = None) -> list[ContractView]:
    """Contracts signed in ``year``, or active ones ending within ``expiring`` days of ``today``."""
    today = today or dt.date.today()
    q = select(Contract).order_by(Contract.signed_on, Contract.id)
    if year is not None:
        q = q.where(Contract.signed_on >= dt.date(year, 1, 1), Contract.signed_on <= dt.date(year, 12, 31))
    if expiring is not None:
        q = q.where(Contract.valid_until.is_not(None), Contract.valid_until >= today,
                    Contract.valid_until <= today + dt.timedelta(days=expiring), Contract.signed_on <= today)
    return [view(session, c, today) for c in session.scalars(q)]


def covers(contract: Contract, scope: str) -> bool:
    """True when the contract grants ``scope``."""
    return scope in contract_scopes(contract)
