"""Digital objects and their files: register scans against EK records, import many, list, verify."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pymarc import Record
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import dates, i18n
from ..catalog import records
from ..catalog.models import CatalogRecord, Collection, DigitalFile, DigitalObject, utcnow
from ..catalog.store import Catalog, CatalogError
from ..marc.flavour import IRBIS, MARC21
from . import TYPES
from . import collections as colls
from . import filestore, pages

i18n.register({
    "digitize.no_files": {
        "en": "no files given: name the scans (PDF, TIFF, JPEG, PNG, DjVu) to register",
        "ru": "не указаны файлы: назовите сканы (PDF, TIFF, JPEG, PNG, DjVu)",
        "kk": "файлдар көрсетілмеген: скандарды атаңыз (PDF, TIFF, JPEG, PNG, DjVu)",
    },
    "digitize.duplicate": {
        "en": "{file} is already registered for record {record} (digital object {obj}, stored as {path})",
        "ru": "{file} уже зарегистрирован для записи {record} (цифровой объект {obj}, файл {path})",
        "kk": "{file} {record} жазбасы үшін тіркелген (цифрлық нысан {obj}, файл {path})",
    },
    "digitize.same_twice": {
        "en": "{file} and {other} are the same file (SHA-256 {sha})",
        "ru": "{file} и {other} — один и тот же файл (SHA-256 {sha})",
        "kk": "{file} мен {other} бір файл (SHA-256 {sha})",
    },
    "digitize.bad_type": {
        "en": "unknown document type {value!r}; expected one of {known}",
        "ru": "неизвестный тип документа {value!r}; допустимы: {known}",
        "kk": "құжат түрі {value!r} белгісіз; рұқсат етілгендер: {known}",
    },
    "digitize.bad_lang": {
        "en": "language {value!r} is not a three-letter code such as kaz, rus, eng",
        "ru": "язык {value!r} — не трёхбуквенный код вида kaz, rus, eng",
        "kk": "{value!r} тілі kaz, rus, eng сияқты үш әріпті код емес",
    },
    "digitize.deleted_record": {
        "en": "record {record} is deleted: digitized files cannot be linked to it",
        "ru": "запись {record} удалена: к ней нельзя привязать файлы",
        "kk": "{record} жазбасы жойылған: оған файл байланыстыруға болмайды",
    },
    "digitize.bad_pages": {
        "en": "page count must be a positive number, not {value!r}",
        "ru": "число страниц должно быть положительным, а не {value!r}",
        "kk": "бет саны оң сан болуы керек, {value!r} емес",
    },
    "digitize.missing_file": {
        "en": "{file}: no such file",
        "ru": "{file}: файл не найден",
        "kk": "{file}: файл табылмады",
    },
    "digitize.no_pages": {
        "en": "{file}: no pages found; give the page count with --pages",
        "ru": "{file}: страницы не найдены; укажите их число (--pages)",
        "kk": "{file}: беттер табылмады; санын --pages арқылы беріңіз",
    },
    "digitize.store_failed": {
        "en": "could not put the files into the file store ({reason}); nothing was registered",
        "ru": "не удалось поместить файлы в хранилище ({reason}); ничего не зарегистрировано",
        "kk": "файлдарды қоймаға салу мүмкін болмады ({reason}); ештеңе тіркелмеді",
    },
    "digitize.csv_columns": {
        "en": "{file}: the CSV needs the columns record and file (has: {columns})",
        "ru": "{file}: в CSV нужны столбцы record и file (есть: {columns})",
        "kk": "{file}: CSV-де record және file бағандары керек (бары: {columns})",
    },
    "digitize.not_csv": {
        "en": "{file}: not a CSV file (binary data, or text neither UTF-8 nor Windows-1251)",
        "ru": "{file}: не файл CSV (двоичные данные или текст не в UTF-8 и не в Windows-1251)",
        "kk": "{file}: CSV файлы емес (екілік деректер немесе UTF-8 те, Windows-1251 де емес мәтін)",
    },
    "digitize.changed": {
        "en": "{file}: {size} bytes, SHA-256 {sha}, expected {expected} bytes, {expected_sha}",
        "ru": "{file}: {size} байт, SHA-256 {sha}, ожидалось {expected} байт, {expected_sha}",
        "kk": "{file}: {size} байт, SHA-256 {sha}, күтілгені {expected} байт, {expected_sha}",
    },
    "digitize.not_found_in_folder": {
        "en": "{name}: the name is neither a catalogue id nor a control number of a record",
        "ru": "{name}: имя не является ни номером записи в каталоге, ни её шифром",
        "kk": "{name}: атауы жазбаның каталогтағы нөмірі де, шифры да емес",
    },
})

LANG_ALIASES = {"kk": "kaz", "ru": "rus", "en": "eng", "kz": "kaz", "qaz": "kaz"}
NEWSPAPER_WORDS = re.compile(r"газет|газ\.|newspaper|gazet", re.IGNORECASE)
#: A day and month in an issue designation ("№ 14 (17 янв.)", "5 қаңтар") marks a newspaper issue.
DAY_MONTH = re.compile(
    r"\b\d{1,2}\s*(янв|фев|мар|апр|ма[йя]|июн|июл|авг|сен|окт|ноя|дек|қаң|ақп|нау|сәу|мам|мау|шіл|там|қыр|қаз|қар|жел"
    r"|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)",
    re.IGNORECASE,
)
ISBN_LIKE = re.compile(r"(97[89][\d\- ]{10,14})|(\b\d[\d\- ]{8,11}[\dXx]\b)")


@dataclass
class FileInfo:
    """A scan file on disk, inspected before registration."""

    path: Path
    mime: str
    sha256: str
    size: int
    pages: int


def normalize_lang(value: str | None, lang: str | None = None) -> str | None:
    """A three-letter language code (kk/ru/en accepted as kaz/rus/eng); None stays None."""
    if value is None or not value.strip():
        return None
    v = value.strip().lower()
    v = LANG_ALIASES.get(v, v)
    if len(v) != 3 or not v.isalpha():
        raise CatalogError(i18n.t("digitize.bad_lang", lang, value=value))
    return v


def check_type(value: str, lang: str | None = None) -> str:
    """The document type if it is one of TYPES, else a CatalogError listing them."""
    v = value.strip().lower()
    if v not in TYPES:
        raise CatalogError(i18n.t("digitize.bad_type", lang, value=value, known=", ".join(TYPES)))
    return v


def parse_date(value: str | None, lang: str | None = None) -> dt.date | None:
    """A date written YYYY-MM-DD or DD.MM.YYYY; empty means None."""
    if value is None or not str(value).strip():
        return None
    try:
        return dates.parse_date(str(value), lang)
    except dates.DateError as exc:
        raise CatalogError(str(exc)) from None


def _source_texts(record: Record, flavour: str) -> list[tuple[str, dict[str, str]]]:
    """(tag, {code: text}) of the fields that name an article's source (463 / 773, IRBIS 963)."""
    tags = ("773",) if flavour == MARC21 else ("463", "963") if flavour == IRBIS else ("463", "773")
    out = []
    for tag in tags:
        for f in record.get_fields(tag):
            if not f.is_control_field():
                out.append((tag, {sf.code: sf.value for sf in f.subfields}))
    return out


def default_type(record: Record, flavour: str) -> str:
    """The document type a record suggests: an article when it has a source (463/773), else a book.

    Newspaper or journal is told by the source's title words (газета, газ., газеті, newspaper), IRBIS
    963^E, or an issue dated by day and month; a source with an ISBN (and no issue) is a book.
    """
    sources = _source_texts(record, flavour)
    if not any(tag in ("463", "773") for tag, _ in sources):
        return "book"
    text = " ".join(v for _, sfs in sources for v in sfs.values())
    if NEWSPAPER_WORDS.search(text):
        return "newspaper-article"
    issue_code = "g" if flavour == MARC21 else "h"
    issue = " ".join(sfs.get(issue_code, "") for tag, sfs in sources if tag in ("463", "773"))
    if DAY_MONTH.search(issue):
        return "newspaper-article"
    isbn = " ".join(sfs.get("z", "") + " " + sfs.get("i", "") for _, sfs in sources)
    has_issue = bool(issue.strip()) or any("x" in sfs for _, sfs in sources)
    if ISBN_LIKE.search(isbn) and not has_issue:
        return "book-chapter"
    if flavour == IRBIS:
        f900 = record.get("900")
        kind = (f900.get("b") or "").strip() if f900 is not None else ""
        if kind in ("03", "04", "05", "07"):
            return "book-chapter"
    return "journal-article"


def inspect_file(path: Path, *, count: bool = True, lang: str | None = None) -> FileInfo:
    """Type, SHA-256, size and pages of one scan file (CatalogError when it is unusable)."""
    if not path.is_file():
        raise CatalogError(i18n.t("digitize.missing_file", lang, file=path))
    mime = pages.sniff(path, lang)
    sha, size = filestore.hash_file(path)
    n = pages.count_pages(path, mime, lang) if count else 0
    return FileInfo(path, mime, sha, size, n)


def _bump(session: Session, row: CatalogRecord, detail: str) -> None:
    """Mark the record changed for harvesters (its 856/951 links change) and leave an event."""
    row.datestamp = utcnow()
    records.add_event(session, row, "digitized", source="digitize", detail=detail)


def add_object(
    catalog: Catalog,
    record: str | int,
    files: Iterable[str | Path],
    *,
    type: str | None = None,
    pages: int | None = None,
    language: str | None = None,
    date: dt.date | None = None,
    collection: str | None = None,
    note: str | None = None,
    lang: str | None = None,
) -> DigitalObject:
    """Register one digital object of ``record`` with its files, all or nothing.

    Files are inspected and copied to temporary names in the store, the rows are inserted and
    committed, and only then are the files renamed into place; any failure removes what was done.
    """
    paths = [Path(f) for f in files]
    if not paths:
        raise CatalogError(i18n.t("digitize.no_files", lang))
    if pages is not None and pages <= 0:
        raise CatalogError(i18n.t("digitize.bad_pages", lang, value=pages))
    kind = check_type(type, lang) if type else None
    language = normalize_lang(language, lang)
    infos: list[FileInfo] = []
    for p in paths:
        info = _inspect_lenient(p, lang) if pages is not None else inspect_file(p, lang=lang)
        if pages is None and info.pages <= 0:
            raise CatalogError(i18n.t("digitize.no_pages", lang, file=p))
        for other in infos:
            if other.sha256 == info.sha256:
                raise CatalogError(i18n.t("digitize.same_twice", lang, file=p, other=other.path, sha=info.sha256[:16]))
        infos.append(info)
    staging = filestore.Staging(filestore.root(catalog), lang)
    try:
        with catalog.session() as s:
            obj = _insert(s, staging, record, infos, kind, pages, language, date, collection, note, lang)
    except IntegrityError:
        staging.discard()
        with catalog.Session() as s:
            _refuse_duplicates(s, record, infos, lang)
        raise
    except BaseException:
        staging.discard()
        raise
    staging.commit_or_forget(lambda: _forget(catalog, obj.id),
                             lambda reason: i18n.t("digitize.store_failed", lang, reason=reason))
    return obj


def _inspect_lenient(path: Path, lang: str | None) -> FileInfo:
    """Inspect a file whose page count was given by hand: a file pages cannot be counted in is still fine."""
    info = inspect_file(path, count=False, lang=lang)
    try:
        info.pages = pages.count_pages(path, info.mime, lang)
    except CatalogError:
        info.pages = 0
    return info


def _refuse_duplicates(session: Session, record: str | int, infos: list[FileInfo], lang: str | None) -> None:
    """Raise the clear "already registered" error when one of ``infos`` is already stored for the record."""
    row = records.find(session, record, lang)
    shas = [i.sha256 for i in infos]
    existing = session.scalars(
        select(DigitalFile).where(DigitalFile.record_id == row.id, DigitalFile.sha256.in_(shas))
    ).first()
    if existing is not None:
        info = next(i for i in infos if i.sha256 == existing.sha256)
        raise CatalogError(i18n.t(
            "digitize.duplicate", lang, file=info.path, record=row.id, obj=existing.object_id, path=existing.path,
        ))


def _insert(
    s: Session, staging: filestore.Staging, record: str | int, infos: list[FileInfo], kind: str | None,
    pages: int | None, language: str | None, date: dt.date | None, collection: str | None,
    note: str | None, lang: str | None,
) -> DigitalObject:
    """Insert the object and file rows and stage the copies (inside the caller's transaction)."""
    row = records.find(s, record, lang)
    if row.deleted_at is not None:
        raise CatalogError(i18n.t("digitize.deleted_record", lang, record=row.id))
    _refuse_duplicates(s, row.id, infos, lang)
    coll: Collection | None = colls.get(s, collection, lang) if collection else None
    rec = None
    if kind is None or language is None:
        rec = records.load(row)
    obj = DigitalObject(
        record_id=row.id,
        type=kind or default_type(rec, row.flavour),
        language=language or row.language,
        digitized_on=date or dt.date.today(),
        collection_id=coll.id if coll else None,
        pages=pages if pages is not None else sum(i.pages for i in infos),
        bytes=sum(i.size for i in infos),
        created_at=utcnow(),
        note=note,
    )
    s.add(obj)
    s.flush()
    for i, info in enumerate(infos):
        rel = filestore.stored_name(row.id, info.sha256, pages_ext(info.mime))
        staging.add(info.path, rel)
        file_pages = info.pages if info.pages else (pages if len(infos) == 1 and pages else 0)
        s.add(DigitalFile(
            object_id=obj.id, record_id=row.id, path=rel, original_name=info.path.name[:500],
            mime=info.mime, bytes=info.size, sha256=info.sha256, pages=file_pages,
        ))
    s.flush()
    _bump(s, row, f"digital object {obj.id}: {len(infos)} file(s), {obj.pages} page(s)")
    return obj


def pages_ext(mime: str) -> str:
    """The store's file extension for a MIME type."""
    return pages.EXTENSIONS[mime]


def _forget(catalog: Catalog, object_id: int) -> None:
    """Remove an object's rows again (its files could not be put in place after the commit)."""
    with catalog.session() as s:
        s.execute(delete(DigitalFile).where(DigitalFile.object_id == object_id))
        s.execute(delete(DigitalObject).where(DigitalObject.id == object_id))


# --- import -------------------------------------------------------------------------------------

@dataclass
class ImportResult:
    """What a bulk registration did: objects added and the rows (or names) that failed, with reasons."""

    added: list[DigitalObject] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    collections_created: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed


def ensure_collection(catalog: Catalog, name: str | None, result: ImportResult) -> None:
    """Create the collection ``name`` when a bulk import names one that does not exist yet."""
    if not name or not name.strip():
        return
    with catalog.session() as s:
        if s.scalar(select(Collection.id).where(Collection.name == name.strip())) is None:
            colls.add(s, name)
            result.collections_created.append(name.strip())


def _read_csv_text(path: Path, lang: str | None = None) -> str:
    """The CSV's text: UTF-8 (with or without BOM), else Windows-1251 as Excel saves it here."""
    data = path.read_bytes()
    if b"\0" in data:
        raise CatalogError(i18n.t("digitize.not_csv", lang, file=path))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1251")
    except UnicodeDecodeError:
        raise CatalogError(i18n.t("digitize.not_csv", lang, file=path)) from None


def csv_rows(path: Path, lang: str | None = None) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) of a digitization CSV; comma or semicolon separated, header required."""
    text = _read_csv_text(path, lang)
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    columns = [c.strip().lower() for c in (reader.fieldnames or [])]
    if "record" not in columns or "file" not in columns:
        raise CatalogError(i18n.t("digitize.csv_columns", lang, file=path, columns=", ".join(columns) or "-"))
    for raw in reader:
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if k is not None}
        if not any(row.values()):
            continue
        yield reader.line_num, row


def import_csv(
    catalog: Catalog, path: Path, *, type: str | None = None, collection: str | None = None,
    date: dt.date | None = None, lang: str | None = None,
) -> ImportResult:
    """Register one object per CSV row (files separated by ';', relative to the CSV); bad rows are reported.

    Collections named in the file that do not exist yet are created (and listed in the result).
    """
    result = ImportResult()
    for line, row in csv_rows(path, lang):
        try:
            ensure_collection(catalog, row.get("collection") or collection, result)
            files = [(path.parent / f.strip()) for f in re.split(r"[;|]", row.get("file", "")) if f.strip()]
            pages_text = row.get("pages", "")
            if pages_text and not pages_text.isdigit():
                raise CatalogError(i18n.t("digitize.bad_pages", lang, value=pages_text))
            obj = add_object(
                catalog, row.get("record", ""), files,
                type=row.get("type") or type,
                pages=int(pages_text) if pages_text else None,
                language=row.get("lang") or None,
                date=parse_date(row.get("date"), lang) or date,
                collection=row.get("collection") or collection,
                note=row.get("note") or None,
                lang=lang,
            )
            result.added.append(obj)
        except CatalogError as exc:
            result.failed.append((f"{path.name}:{line}", str(exc)))
    return result


def import_folder(
    catalog: Catalog, folder: Path, *, type: str | None = None, collection: str | None = None,
    date: dt.date | None = None, lang: str | None = None,
) -> ImportResult:
    """Register each scan file or sub-folder of ``folder`` named by a record's id or control number."""
    result = ImportResult()
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            ref, files = entry.name, sorted(p for p in entry.iterdir() if p.is_file() and not p.name.startswith("."))
        elif entry.suffix.lower() in (".csv",):
            continue
        else:
            ref, files = entry.stem, [entry]
        try:
            ensure_collection(catalog, collection, result)
            with catalog.Session() as s:
                try:
                    records.find(s, ref)
                except CatalogError:
                    raise CatalogError(i18n.t("digitize.not_found_in_folder", lang, name=entry.name)) from None
            result.added.append(
                add_object(catalog, ref, files, type=type, date=date, collection=collection, lang=lang)
            )
        except CatalogError as exc:
            result.failed.append((entry.name, str(exc)))
    return result


# --- list and verify ----------------------------------------------------------------------------

def list_objects(
    session: Session, *, record: str | int | None = None, collection: str | None = None,
    year: int | None = None, lang: str | None = None,
) -> list[tuple[DigitalObject, CatalogRecord, Collection | None]]:
    """Live digital objects with their record and collection, filtered, in id order."""
    q = (
        select(DigitalObject, CatalogRecord, Collection)
        .join(CatalogRecord, CatalogRecord.id == DigitalObject.record_id)
        .outerjoin(Collection, Collection.id == DigitalObject.collection_id)
        .where(DigitalObject.deleted_at.is_(None))
        .order_by(DigitalObject.id)
    )
    if record is not None:
        q = q.where(DigitalObject.record_id == records.find(session, record, lang).id)
    if collection:
        q = q.where(DigitalObject.collection_id == colls.get(session, collection, lang).id)
    if year is not None:
        q = q.where(DigitalObject.digitized_on >= dt.date(year, 1, 1), DigitalObject.digitized_on <= dt.date(year, 12, 31))
    return [tuple(r) for r in session.execute(q)]


def files_of(session: Session, object_id: int) -> list[DigitalFile]:
    """The files of one digital object in the order they were given."""
    return list(session.scalars(select(DigitalFile).where(DigitalFile.object_id == object_id).order_by(DigitalFile.id)))


@dataclass
class VerifyProblem:
    """A stored file that is missing or whose content no longer matches its checksum."""

    file: DigitalFile
    status: str
    detail: str


def verify(catalog: Catalog, lang: str | None = None) -> tuple[int, list[VerifyProblem]]:
    """Re-hash every stored file of live objects: (files checked, problems described in ``lang``)."""
    checked, problems = 0, []
    with catalog.Session() as s:
        q = (
            select(DigitalFile)
            .join(DigitalObject, DigitalObject.id == DigitalFile.object_id)
            .where(DigitalObject.deleted_at.is_(None))
            .order_by(DigitalFile.id)
        )
        for f in s.scalars(q.execution_options(yield_per=1000)):
            checked += 1
            path = filestore.resolve(catalog, f.path, lang)
            if not path.is_file():
                problems.append(VerifyProblem(f, "missing", str(path)))
                continue
            sha, size = filestore.hash_file(path)
            if sha != f.sha256:
                problems.append(VerifyProblem(f, "changed", i18n.t(
                    "digitize.changed", lang, file=path, size=size, sha=sha[:16], expected=f.bytes, expected_sha=f.sha256[:16],
                )))
    return checked, problems
