"""What may be published: public domain (Kazakhstan: 70 years after the author's death), contract, own publication.

Every decision says why. Metadata may always be published; a file link only when ``Decision.allowed``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from pymarc import Record
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from .. import i18n
from ..catalog import records
from ..catalog.models import CatalogRecord, Contract, ContractRecord, DigitalFile, DigitalObject, utcnow
from ..catalog.store import CatalogError
from ..marc.authors import PROTECTION_YEARS, record_death_year
from ..marc.flavour import set_flavour
from ..marc.marcjson import record_from_json
from . import SCOPES

i18n.register({
    "rights.own": {
        "en": "the library's own publication",
        "ru": "собственное издание библиотеки",
        "kk": "кітапхананың өз басылымы",
    },
    "rights.public_domain": {
        "en": "public domain since {since}: the author died in {year} ({source})",
        "ru": "общественное достояние с {since}: автор умер в {year} г. ({source})",
        "kk": "{since} бастап қоғам игілігі: автор {year} ж. қайтыс болған ({source})",
    },
    "rights.protected": {
        "en": "protected by copyright until {until}: the author died in {year} ({source})",
        "ru": "охраняется авторским правом до {until}: автор умер в {year} г. ({source})",
        "kk": "{until} дейін авторлық құқықпен қорғалады: автор {year} ж. қайтыс болған ({source})",
    },
    "rights.death_unknown": {
        "en": "the author's death year is unknown (set it with `libcat rights RECORD --death-year YEAR`)",
        "ru": "год смерти автора неизвестен (укажите: `libcat rights RECORD --death-year ГОД`)",
        "kk": "автордың қайтыс болған жылы белгісіз (көрсету: `libcat rights RECORD --death-year ЖЫЛ`)",
    },
    "rights.contract": {
        "en": "contract {contract} with {holder} ({period}) allows {scope}",
        "ru": "договор {contract} с {holder} ({period}) разрешает {scope}",
        "kk": "{holder} шарты {contract} ({period}) {scope} рұқсат етеді",
    },
    "rights.no_contract": {
        "en": "no contract covers the record",
        "ru": "запись не покрыта ни одним договором",
        "kk": "жазба ешбір шартпен қамтылмаған",
    },
    "rights.contract_expired": {
        "en": "contract {contract} with {holder} expired on {until}",
        "ru": "срок договора {contract} с {holder} истёк {until}",
        "kk": "{holder} шарты {contract} мерзімі {until} аяқталды",
    },
    "rights.contract_future": {
        "en": "contract {contract} with {holder} starts on {signed}",
        "ru": "договор {contract} с {holder} действует с {signed}",
        "kk": "{holder} шарты {contract} {signed} бастап күшіне енеді",
    },
    "rights.contract_scope": {
        "en": "contract {contract} with {holder} allows only {scopes}, not {scope}",
        "ru": "договор {contract} с {holder} разрешает только {scopes}, но не {scope}",
        "kk": "{holder} шарты {contract} тек {scopes} рұқсат етеді, {scope} емес",
    },
    "rights.record_deleted": {
        "en": "the record is deleted",
        "ru": "запись удалена",
        "kk": "жазба жойылған",
    },
    "rights.object_deleted": {
        "en": "the digital object is withdrawn",
        "ru": "цифровой объект изъят",
        "kk": "цифрлық нысан алынып тасталған",
    },
    "rights.source_hand": {"en": "set by hand", "ru": "указан вручную", "kk": "қолмен енгізілген"},
    "rights.source_field": {"en": "field {field}", "ru": "поле {field}", "kk": "{field} өрісі"},
    "rights.open_ended": {"en": "from {signed}, open-ended", "ru": "с {signed}, бессрочно", "kk": "{signed} бастап, мерзімсіз"},
    "rights.period": {"en": "{signed} to {until}", "ru": "с {signed} по {until}", "kk": "{signed} – {until}"},
    "rights.allowed": {"en": "allowed", "ru": "разрешено", "kk": "рұқсат етілген"},
    "rights.denied": {"en": "not allowed", "ru": "не разрешено", "kk": "рұқсат етілмеген"},
    "rights.bad_death_year": {
        "en": "death year {year} is not plausible",
        "ru": "год смерти {year} неправдоподобен",
        "kk": "автордың қайтыс болған жылы {year} болуы мүмкін емес",
    },
    "rights.bad_scope": {
        "en": "unknown scope {scope!r}; expected one of {known}",
        "ru": "неизвестная область {scope!r}; допустимы: {known}",
        "kk": "{scope!r} аясы белгісіз; рұқсат етілгендер: {known}",
    },
})


def check_scope(scope: str, lang: str | None = None) -> str:
    """The scope if it is one of SCOPES, else a CatalogError listing them."""
    if scope not in SCOPES:
        raise CatalogError(i18n.t("rights.bad_scope", lang, scope=scope, known=", ".join(SCOPES)))
    return scope


def public_domain_from(death_year: int) -> dt.date:
    """The first day of the public domain: 1 January of the 71st year after the death (died 1955 -> 2026-01-01)."""
    return dt.date(death_year + PROTECTION_YEARS + 1, 1, 1)


def contract_scopes(contract: Contract) -> set[str]:
    """The scopes a contract grants; publishing on the site or to the aggregator implies digitizing."""
    scopes = {s.strip() for s in (contract.scope or "").split(",") if s.strip()}
    if scopes & {"publish-site", "publish-aggregator"}:
        scopes.add("digitize")
    return scopes


def contract_active(contract: Contract, today: dt.date) -> bool:
    """Signed on or before ``today`` and not yet expired (``valid_until`` inclusive, or open-ended)."""
    return contract.signed_on <= today and (contract.valid_until is None or today <= contract.valid_until)


def contract_label(contract: Contract) -> str:
    """"№ 12/2023" when the contract has a number, else "#<id>"."""
    return f"№ {contract.number}" if contract.number else f"#{contract.id}"


@dataclass
class Decision:
    """Whether a digital object's file may be published in a scope, and why (message keys with values)."""

    allowed: bool
    basis: str
    parts: list[tuple[str, dict]] = field(default_factory=list)
    contract_id: int | None = None
    death_year: int | None = None

    def message(self, lang: str | None = None) -> str:
        """The reason in ``lang`` (en, ru, kk)."""
        return "; ".join(i18n.t(key, lang, **{k: _localize(v, lang) for k, v in params.items()})
                         for key, params in self.parts)

    @property
    def reason(self) -> str:
        """The reason in English."""
        return self.message("en")


class _Msg:
    """A nested message, translated when the outer message is."""

    def __init__(self, key: str, **params: object):
        self.key, self.params = key, params

    def __repr__(self) -> str:
        return f"_Msg({self.key!r})"


def _localize(value: object, lang: str | None) -> object:
    if isinstance(value, _Msg):
        return i18n.t(value.key, lang, **value.params)
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y") if i18n.current_lang(lang) in ("ru", "kk") else value.isoformat()
    return value


def _period(c: Contract) -> _Msg:
    if c.valid_until is None:
        return _Msg("rights.open_ended", signed=c.signed_on.isoformat())
    return _Msg("rights.period", signed=c.signed_on.isoformat(), until=c.valid_until.isoformat())


def death_year(row: CatalogRecord, record: Record | None = None) -> tuple[int | None, _Msg | None]:
    """The author's death year for rights: set by hand (records.author_death_year), else read from the record."""
    if row.author_death_year is not None:
        return row.author_death_year, _Msg("rights.source_hand")
    year, where = record_death_year(record if record is not None else records.load(row), row.flavour)
    return year, (_Msg("rights.source_field", field=where) if where else None)


def _contracts_of(session: Session, record_id: int) -> list[Contract]:
    q = (
        select(Contract).join(ContractRecord, ContractRecord.contract_id == Contract.id)
        .where(ContractRecord.record_id == record_id).order_by(Contract.signed_on.desc(), Contract.id.desc())
    )
    return list(session.scalars(q))


def _after(day: dt.date) -> dt.datetime:
    """The first moment after ``day``: a record or object deleted before it is gone on ``day``, as the
    statistics count it (one deleted later was still there)."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time())


def _gone(deleted_at: dt.datetime | None, day: dt.date) -> bool:
    """Whether something deleted at ``deleted_at`` (None: never) was gone by the end of ``day``."""
    return deleted_at is not None and deleted_at < _after(day)


def decide_record(session: Session, row: CatalogRecord, scope: str = "publish-aggregator",
                  today: dt.date | None = None) -> Decision:
    """The rights decision for the digitized files of one record on ``today`` (default: now)."""
    check_scope(scope)
    today = today or dt.date.today()
    if _gone(row.deleted_at, today):
        return Decision(False, "deleted", [("rights.record_deleted", {})])
    if row.own_publication:
        return Decision(True, "own-publication", [("rights.own", {})])
    year, source = death_year(row)
    if year is not None:
        start = public_domain_from(year)
        if today >= start:
            return Decision(True, "public-domain", [("rights.public_domain", {"since": start, "year": year, "source": source})],
                            death_year=year)
        pd_part = ("rights.protected", {"until": start - dt.timedelta(days=1), "year": year, "source": source})
    else:
        pd_part = ("rights.death_unknown", {})
    contracts = _contracts_of(session, row.id)
    for c in contracts:
        if contract_active(c, today) and scope in contract_scopes(c):
            return Decision(True, "contract", [("rights.contract", {
                "contract": contract_label(c), "holder": c.holder, "period": _period(c), "scope": scope,
            })], contract_id=c.id, death_year=year)
    parts = [pd_part]
    if not contracts:
        parts.append(("rights.no_contract", {}))
    for c in contracts:
        common = {"contract": contract_label(c), "holder": c.holder}
        if c.signed_on > today:
            parts.append(("rights.contract_future", {**common, "signed": c.signed_on}))
        elif c.valid_until is not None and today > c.valid_until:
            parts.append(("rights.contract_expired", {**common, "until": c.valid_until}))
        else:
            parts.append(("rights.contract_scope", {**common, "scopes": ", ".join(sorted(contract_scopes(c))), "scope": scope}))
    return Decision(False, "none", parts, death_year=year)


def decide(session: Session, obj: DigitalObject, scope: str = "publish-aggregator",
           today: dt.date | None = None) -> Decision:
    """May the files of ``obj`` be published in ``scope`` on ``today``? Always with the reason."""
    if _gone(obj.deleted_at, today or dt.date.today()):
        return Decision(False, "withdrawn", [("rights.object_deleted", {})])
    row = session.get(CatalogRecord, obj.record_id)
    return decide_record(session, row, scope, today)


def file_decision(session: Session, stored_path: str, scope: str = "publish-aggregator",
                  today: dt.date | None = None) -> Decision | None:
    """The decision for a file served from the store by its stored path (None: no such registered file)."""
    f = session.scalars(select(DigitalFile).where(DigitalFile.path == stored_path)).first()
    if f is None:
        return None
    return decide(session, session.get(DigitalObject, f.object_id), scope, today)


# --- many at once, for the OAI-PMH `digitized` set --------------------------------------------------

_DEATH_CACHE: dict[tuple[str, str], int | None] = {}


def _derived_death_years(session: Session, rows: list[tuple[int, str, str]]) -> dict[int, int | None]:
    """Death years read from records (id, content hash, flavour), parsed once per record version."""
    out: dict[int, int | None] = {}
    todo = []
    for rid, chash, flavour in rows:
        key = (chash, flavour)
        if key in _DEATH_CACHE:
            out[rid] = _DEATH_CACHE[key]
        else:
            todo.append(rid)
    for i in range(0, len(todo), 500):
        chunk = todo[i:i + 500]
        q = select(CatalogRecord.id, CatalogRecord.data, CatalogRecord.flavour, CatalogRecord.content_hash)
        for rid, data, flavour, chash in session.execute(q.where(CatalogRecord.id.in_(chunk))):
            year, _ = record_death_year(set_flavour(record_from_json(data), flavour), flavour)
            _DEATH_CACHE[(chash, flavour)] = year
            out[rid] = year
    return out


def publishable_record_ids(session: Session, scope: str = "publish-aggregator",
                           today: dt.date | None = None) -> set[int]:
    """Ids of live records with at least one live digital object whose files may be published in ``scope``.

    Own publications, hand-set death years and contracts are answered in SQL; death years read
    from the records are parsed once per record version and cached in the process.
    """
    check_scope(scope)
    today = today or dt.date.today()
    after = _after(today)
    live = or_(CatalogRecord.deleted_at.is_(None), CatalogRecord.deleted_at >= after)
    digitized = (
        select(DigitalObject.record_id)
        .where(or_(DigitalObject.deleted_at.is_(None), DigitalObject.deleted_at >= after)).distinct().scalar_subquery()
    )
    base = select(CatalogRecord.id).where(live, CatalogRecord.id.in_(digitized))
    allowed = set(session.scalars(base.where(CatalogRecord.own_publication.is_(True))))
    allowed |= set(session.scalars(base.where(
        CatalogRecord.author_death_year.is_not(None),
        CatalogRecord.author_death_year <= today.year - PROTECTION_YEARS - 1,
    )))
    good_contracts = [c.id for c in session.scalars(select(Contract)) if contract_active(c, today) and scope in contract_scopes(c)]
    if good_contracts:
        covered = select(ContractRecord.record_id).where(ContractRecord.contract_id.in_(good_contracts)).scalar_subquery()
        allowed |= set(session.scalars(base.where(CatalogRecord.id.in_(covered))))
    rest = session.execute(
        select(CatalogRecord.id, CatalogRecord.content_hash, CatalogRecord.flavour)
        .where(live, CatalogRecord.id.in_(digitized),
               CatalogRecord.author_death_year.is_(None), CatalogRecord.own_publication.is_not(True))
    ).all()
    rest = [r for r in rest if r[0] not in allowed]
    limit = today.year - PROTECTION_YEARS - 1
    for rid, year in _derived_death_years(session, [tuple(r) for r in rest]).items():
        if year is not None and year <= limit:
            allowed.add(rid)
    return allowed


# --- setting the facts by hand ----------------------------------------------------------------------

def _touch(session: Session, row: CatalogRecord, detail: str) -> None:
    row.datestamp = utcnow()
    records.add_event(session, row, "rights", source="rights", detail=detail)


def set_death_year(session: Session, row: CatalogRecord, year: int | None, lang: str | None = None) -> None:
    """Set (or with None clear) the author's death year by hand; the record's datestamp moves for harvesters."""
    if year is not None and not 1000 <= year <= dt.date.today().year:
        raise CatalogError(i18n.t("rights.bad_death_year", lang, year=year))
    if row.author_death_year != year:
        row.author_death_year = year
        _touch(session, row, f"author_death_year={year}")


def set_own_publication(session: Session, row: CatalogRecord, own: bool) -> None:
    """Mark or unmark the record as the library's own publication."""
    if bool(row.own_publication) != own:
        row.own_publication = own
        _touch(session, row, f"own_publication={own}")
