"""Full-text collections and electronic folders: create, find, and sum their items and megabytes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import i18n
from ..catalog.models import Collection, DigitalObject
from ..catalog.store import CatalogError

#: Bytes in a megabyte as librarians read it off Windows Explorer (1024 x 1024).
MB = 1024 * 1024

i18n.register({
    "collection.summary": {
        "en": "{count} {word}, {size} MB",
        "ru": "{count} {word}, {size} МБ",
        "kk": "{count} {word}, {size} МБ",
    },
    "collection.no_name": {
        "en": "a collection needs a name",
        "ru": "у коллекции должно быть название",
        "kk": "жинаққа атау керек",
    },
    "collection.exists": {
        "en": "collection {name!r} already exists",
        "ru": "коллекция «{name}» уже есть",
        "kk": "«{name}» жинағы бұрыннан бар",
    },
    "collection.missing": {
        "en": "no collection {name!r}; known: {known} (add it with `libcat collection add NAME`)",
        "ru": "нет коллекции «{name}»; есть: {known} (добавьте: `libcat collection add NAME`)",
        "kk": "«{name}» жинағы жоқ; бары: {known} (қосу: `libcat collection add NAME`)",
    },
})


def megabytes(size: int, digits: int = 2) -> float:
    """Bytes as megabytes, rounded to ``digits`` decimals (the number the report tables hold)."""
    return round(size / MB, digits)


def format_mb(size: int, lang: str | None = None, digits: int = 2) -> str:
    """Bytes as megabytes the way reports write them: 0.54 in English, 0,54 in Russian and Kazakh."""
    text = f"{megabytes(size, digits):.{digits}f}"
    return text.replace(".", ",") if i18n.current_lang(lang) in ("ru", "kk") else text


def materials_word(count: int, lang: str | None = None) -> str:
    """"material(s)" / «материал(а/ов)» / «материал» agreeing with ``count``."""
    lang = i18n.current_lang(lang)
    if lang == "kk":
        return "материал"
    if lang == "ru":
        if count % 10 == 1 and count % 100 != 11:
            return "материал"
        if 2 <= count % 10 <= 4 and not 12 <= count % 100 <= 14:
            return "материала"
        return "материалов"
    return "material" if count == 1 else "materials"


def summary_text(count: int, size: int, lang: str | None = None) -> str:
    """"3 materials, 0.54 MB" in the language asked for (the reports' per-folder line)."""
    return i18n.t("collection.summary", lang, count=count, word=materials_word(count, lang), size=format_mb(size, lang))


def add(session: Session, name: str, *, ru: str | None = None, kk: str | None = None,
        en: str | None = None, lang: str | None = None) -> Collection:
    """Create a collection; its name must be new."""
    name = name.strip()
    if not name:
        raise CatalogError(i18n.t("collection.no_name", lang))
    if session.scalar(select(Collection).where(Collection.name == name)) is not None:
        raise CatalogError(i18n.t("collection.exists", lang, name=name))
    coll = Collection(name=name, name_ru=ru, name_kk=kk, name_en=en)
    session.add(coll)
    session.flush()
    return coll


def get(session: Session, name: str, lang: str | None = None) -> Collection:
    """A collection by name, or a CatalogError listing the known ones."""
    coll = session.scalar(select(Collection).where(Collection.name == name.strip()))
    if coll is None:
        known = ", ".join(session.scalars(select(Collection.name).order_by(Collection.name))) or "-"
        raise CatalogError(i18n.t("collection.missing", lang, name=name, known=known))
    return coll


def display_name(coll: Collection, lang: str | None = None) -> str:
    """The collection's name in ``lang`` when it has one, else its name."""
    lang = i18n.current_lang(lang)
    return {"ru": coll.name_ru, "kk": coll.name_kk, "en": coll.name_en}.get(lang) or coll.name


@dataclass
class CollectionTotals:
    """A collection with the number of its live digital objects and their total size."""

    collection: Collection
    items: int
    bytes: int


def totals(session: Session, year: int | None = None) -> list[CollectionTotals]:
    """Every collection with its items and bytes (those digitized in ``year`` when given), by name."""
    q = (
        select(DigitalObject.collection_id, func.count(DigitalObject.id), func.coalesce(func.sum(DigitalObject.bytes), 0))
        .where(DigitalObject.deleted_at.is_(None), DigitalObject.collection_id.is_not(None))
        .group_by(DigitalObject.collection_id)
    )
    if year is not None:
        q = q.where(DigitalObject.digitized_on >= date(year, 1, 1), DigitalObject.digitized_on <= date(year, 12, 31))
    sums = {cid: (int(n), int(b)) for cid, n, b in session.execute(q)}
    out = []
    for coll in session.scalars(select(Collection).order_by(Collection.name)):
        n, b = sums.get(coll.id, (0, 0))
        out.append(CollectionTotals(coll, n, b))
    return out
