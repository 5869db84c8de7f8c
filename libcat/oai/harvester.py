"""Harvest any OAI-PMH repository into the catalogue, through the import pipeline (Sickle for HTTP and parsing).

- Incremental: a source remembers the server's responseDate at which its last successful run began;
  the next run asks for ``from`` = that moment (never the newest datestamp seen: clocks and
  transactions make that lose records).
- Resumable: the resumption token is saved once the records before it are committed; an
  interrupted run goes on from there (and starts the list again if the server refuses the token).
- Network errors and 503/429 are retried with back-off (honouring Retry-After), bounded in count
  and total waiting time; a malformed page is an error naming the URL and the page.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlparse

import requests
from lxml import etree
from pymarc import Field, Indicators, Leader, Record, Subfield
from sickle import Sickle
from sqlalchemy import select

from .. import i18n
from ..catalog.importer import ImportOptions, ImportReport, import_items
from ..catalog.models import HarvestSource
from ..catalog.store import Catalog, CatalogError
from ..marc import iso2709, marcxml
from ..marc.flavour import MARC21, UNIMARC, set_flavour
from ..marc.items import ReadItem

log = logging.getLogger(__name__)

OAI = "{http://www.openarchives.org/OAI/2.0/}"
DC = "{http://purl.org/dc/elements/1.1/}"
PREFIXES = ("marc21", "oai_dc", "rusmarc")
CHUNK = 500
RETRY_STATUS = (429, 500, 502, 503, 504)

i18n.register({
    "harvest.page": {"en": "{url}: page {page}", "ru": "{url}: страница {page}", "kk": "{url}: {page}-бет"},
    "harvest.bad_prefix": {
        "en": "--prefix must be one of {known}, not {prefix!r}",
        "ru": "недопустимый --prefix {prefix!r}; допустимы: {known}",
        "kk": "--prefix {prefix!r} болуы мүмкін емес; рұқсат етілгендер: {known}",
    },
    "harvest.network_error": {
        "en": "network error: {error}", "ru": "сетевая ошибка: {error}", "kk": "желі қатесі: {error}",
    },
    "harvest.retrying": {
        "en": "{where}: {why}; retrying in {seconds} s",
        "ru": "{where}: {why}; повтор через {seconds} с",
        "kk": "{where}: {why}; {seconds} с кейін қайталанады",
    },
    "harvest.giving_up": {
        "en": "{where}: giving up after {waited} s of retries ({why})",
        "ru": "{where}: попытки прекращены, повторы уже заняли {waited} с ({why})",
        "kk": "{where}: қайталау тоқтатылды, оған {waited} с кетті ({why})",
    },
    "harvest.http": {
        "en": "{where}: HTTP {status} ({reason})",
        "ru": "{where}: сервер ответил HTTP {status} ({reason})",
        "kk": "{where}: сервер HTTP {status} деп жауап берді ({reason})",
    },
    "harvest.network": {
        "en": "{where}: network error after {retries} retries: {reason}",
        "ru": "{where}: сетевая ошибка после повторных попыток ({retries}): {reason}",
        "kk": "{where}: {retries} рет қайталағаннан кейін желі қатесі: {reason}",
    },
    "harvest.not_xml": {
        "en": "{where}: malformed response (not well-formed XML: {reason})",
        "ru": "{where}: некорректный ответ (XML с ошибками: {reason})",
        "kk": "{where}: жауап дұрыс емес (XML қате құрылған: {reason})",
    },
    "harvest.not_oai": {
        "en": "{where}: malformed response (root element is {tag}, not OAI-PMH 2.0)",
        "ru": "{where}: некорректный ответ (корневой элемент {tag}, а не OAI-PMH 2.0)",
        "kk": "{where}: жауап дұрыс емес (түбір элементі {tag}, OAI-PMH 2.0 емес)",
    },
    "harvest.no_list": {
        "en": "{where}: malformed response (no ListRecords element)",
        "ru": "{where}: некорректный ответ (нет элемента ListRecords)",
        "kk": "{where}: жауап дұрыс емес (ListRecords элементі жоқ)",
    },
    "harvest.oai_error": {
        "en": "{where}: OAI-PMH error {code}: {message}",
        "ru": "{where}: ошибка OAI-PMH {code}: {message}",
        "kk": "{where}: OAI-PMH қатесі {code}: {message}",
    },
    "harvest.identify_error": {
        "en": "{url}: Identify answered {code}: {message}",
        "ru": "{url}: на запрос Identify сервер ответил ошибкой {code}: {message}",
        "kk": "{url}: Identify сұрауына сервер {code} қатесімен жауап берді: {message}",
    },
    "harvest.identify_no_date": {
        "en": "{url}: Identify: malformed response (no responseDate)",
        "ru": "{url}: Identify: некорректный ответ (нет responseDate)",
        "kk": "{url}: Identify: жауап дұрыс емес (responseDate жоқ)",
    },
    "harvest.token_refused": {
        "en": "the server refused the saved token ({message}); list started again",
        "ru": "сервер не принял сохранённый токен ({message}); список запрошен с начала",
        "kk": "сервер сақталған токенді қабылдамады ({message}); тізім басынан қайта сұралды",
    },
})


class HarvestError(CatalogError):
    """A harvest that cannot go on; the message names the URL and the page."""


def _page(url: str, page: int, lang: str | None) -> str:
    """Where a problem happened: the URL and the page, in ``lang``."""
    return i18n.t("harvest.page", lang, url=url, page=page)


@dataclass
class HarvestResult:
    """What one run did."""

    source: str
    url: str
    pages: int = 0
    records: int = 0
    deleted: int = 0
    resumed: bool = False
    from_: str | None = None
    started_at: str | None = None
    report: ImportReport | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """Plain data for JSON output."""
        out = {k: v for k, v in vars(self).items() if k != "report"}
        out["import"] = self.report.to_dict() if self.report is not None else None
        return out


class Fetcher:
    """One OAI-PMH request at a time through Sickle, with bounded retries and clear errors (in ``lang``)."""

    def __init__(self, url: str, *, max_retries: int = 5, max_wait: float = 300.0, timeout: float = 120.0,
                 backoff: float = 1.0, sleep: Callable[[float], None] = time.sleep, lang: str | None = None):
        self.url = url
        self.lang = lang
        self.client = Sickle(url, max_retries=0, timeout=timeout)
        self.max_retries = max_retries
        self.max_wait = max_wait
        self.backoff = backoff
        self.sleep = sleep
        self.waited = 0.0

    def _where(self, page: int) -> str:
        return _page(self.url, page, self.lang)

    def _wait(self, seconds: float, why: str, page: int) -> None:
        seconds = max(0.0, min(seconds, 3600.0))
        if self.waited + seconds > self.max_wait:
            raise HarvestError(i18n.t("harvest.giving_up", self.lang, where=self._where(page),
                                      waited=f"{self.waited:.0f}", why=why))
        log.warning("%s", i18n.t("harvest.retrying", self.lang, where=self._where(page), why=why,
                                 seconds=f"{seconds:.1f}"))
        self.sleep(seconds)
        self.waited += seconds

    def fetch(self, page: int, **params: str) -> etree._Element:
        """The parsed <OAI-PMH> root of one response; retries, then HarvestError."""
        attempt = 0
        while True:
            delay = self.backoff * (2 ** attempt)
            try:
                resp = self.client.harvest(**params)
            except requests.HTTPError as exc:
                status = exc.response.status_code if exc.response is not None else 0
                if status in RETRY_STATUS and attempt < self.max_retries:
                    after = _retry_after(exc.response) if exc.response is not None else None
                    self._wait(after if after is not None else delay, f"HTTP {status}", page)
                    attempt += 1
                    continue
                raise HarvestError(i18n.t("harvest.http", self.lang, where=self._where(page), status=status,
                                          reason=exc)) from None
            except (requests.ConnectionError, requests.Timeout) as exc:
                if attempt < self.max_retries:
                    why = i18n.t("harvest.network_error", self.lang, error=type(exc).__name__)
                    self._wait(delay, why, page)
                    attempt += 1
                    continue
                raise HarvestError(i18n.t("harvest.network", self.lang, where=self._where(page), retries=attempt,
                                          reason=exc)) from None
            except requests.RequestException as exc:
                raise HarvestError(f"{self._where(page)}: {exc}") from None
            try:
                root = etree.fromstring(resp.http_response.content, etree.XMLParser(
                    resolve_entities=False, no_network=True, huge_tree=True, recover=False))
            except (etree.XMLSyntaxError, ValueError) as exc:
                raise HarvestError(i18n.t("harvest.not_xml", self.lang, where=self._where(page),
                                          reason=exc)) from None
            if root.tag != f"{OAI}OAI-PMH":
                raise HarvestError(i18n.t("harvest.not_oai", self.lang, where=self._where(page), tag=root.tag))
            return root


def _retry_after(resp) -> float | None:
    value = resp.headers.get("Retry-After")
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - dt.datetime.now(dt.timezone.utc)).total_seconds())


def _oai_error(root: etree._Element) -> tuple[str, str] | None:
    err = root.find(f"{OAI}error")
    if err is None:
        return None
    return err.get("code") or "unknown", (err.text or "").strip()


def dc_to_marc(dc: etree._Element) -> Record:
    """A small MARC 21 record from an oai_dc element (title 245, creators 100/700, dates 260, ...)."""
    rec = Record(force_utf8=True)
    rec.leader = Leader("00000nam a2200000 i 4500")
    values: dict[str, list[str]] = {}
    for el in dc:
        if isinstance(el.tag, str) and el.tag.startswith(DC) and (el.text or "").strip():
            values.setdefault(el.tag[len(DC):], []).append(el.text.strip())

    def add(tag: str, code: str, value: str, ind: tuple[str, str] = (" ", " ")) -> None:
        rec.add_field(Field(tag=tag, indicators=Indicators(*ind), subfields=[Subfield(code, value)]))

    for i, v in enumerate(values.get("creator", [])):
        add("100" if i == 0 else "700", "a", v, ("1", " "))
    titles = values.get("title") or ["[без названия]"]
    add("245", "a", titles[0], ("0", "0"))
    for v in titles[1:]:
        add("246", "a", v)
    pub = values.get("publisher", [])
    dates = values.get("date", [])
    if pub or dates:
        subs = [Subfield("b", v) for v in pub[:1]] + [Subfield("c", v) for v in dates[:1]]
        rec.add_field(Field(tag="260", indicators=Indicators(" ", " "), subfields=subs))
    for v in values.get("description", []):
        add("520", "a", v)
    for v in values.get("subject", []):
        add("653", "a", v)
    for v in values.get("contributor", []):
        add("720", "a", v)
    for v in values.get("language", []):
        add("546", "a", v)
    for v in values.get("type", []):
        add("655", "a", v, (" ", "4"))
    for v in values.get("identifier", []):
        if v.startswith(("http://", "https://")):
            add("856", "u", v, ("4", "0"))
        else:
            add("024", "a", v, ("8", " "))
    for v in values.get("rights", []):
        add("540", "a", v)
    return set_flavour(rec, MARC21)


def _item(rec_el: etree._Element, prefix: str, position: int, page: int) -> ReadItem:
    header = rec_el.find(f"{OAI}header")
    ident = header.findtext(f"{OAI}identifier", "").strip() if header is not None else ""
    deleted = header is not None and header.get("status") == "deleted"
    if deleted:
        return ReadItem(position=position, offset=page, raw=b"", deleted=True, external_id=ident,
                        offset_unit="page")
    meta = rec_el.find(f"{OAI}metadata")
    payload = next((c for c in meta if isinstance(c.tag, str)), None) if meta is not None else None
    raw = etree.tostring(payload, encoding="utf-8") if payload is not None else b""
    item = ReadItem(position=position, offset=page, raw=raw, external_id=ident, offset_unit="page")
    if payload is None:
        item.error = f"{ident}: record without metadata"
        return item
    try:
        if prefix == "oai_dc":
            item.record = dc_to_marc(payload)
            item.flavour = MARC21
        else:
            leader, fields, warnings = marcxml.parse_record(payload)
            flavour = UNIMARC if prefix == "rusmarc" else MARC21
            item.record = set_flavour(iso2709.fields_to_record(leader, fields), flavour)
            item.flavour = flavour
            item.warnings.extend(warnings)
    except Exception as exc:  # one unreadable record goes to the quarantine, the harvest goes on
        item.record = None
        item.error = f"{ident}: cannot read the {prefix} metadata: {exc}"
    return item


def default_name(url: str, set_spec: str | None) -> str:
    """A source name from the URL's host (and set): ``example.org`` or ``example.org:ek:books``."""
    host = urlparse(url).netloc or url
    return f"{host}:{set_spec}" if set_spec else host


def list_sources(catalog: Catalog) -> list[HarvestSource]:
    """Every harvest source with where it stopped."""
    with catalog.Session() as s:
        return list(s.scalars(select(HarvestSource).order_by(HarvestSource.name)))


def _as_granularity(stamp: str, granularity: str) -> str:
    return stamp[:10] if granularity == "YYYY-MM-DD" else stamp


class _Pages:
    """Iterate the items of a list, saving the resumption token once the importer committed what precedes it."""

    def __init__(self, catalog: Catalog, fetcher: Fetcher, source_id: int, prefix: str, params: dict[str, str],
                 result: HarvestResult, chunk: int, progress: bool, resume_token: str | None, lang: str | None):
        self.catalog = catalog
        self.fetcher = fetcher
        self.source_id = source_id
        self.prefix = prefix
        self.params = params
        self.result = result
        self.chunk = chunk
        self.progress = progress
        self.resume_token = resume_token
        self.lang = lang
        self.pending: list[tuple[int, str]] = []
        self.restarted = False

    def _save_token(self, token: str | None) -> None:
        with self.catalog.session() as s:
            src = s.get(HarvestSource, self.source_id)
            src.resume_token = token

    def _committed(self, count: int) -> None:
        best = None
        while self.pending and self.pending[0][0] <= count:
            best = self.pending.pop(0)[1]
        if best is not None:
            self._save_token(best)

    def __iter__(self) -> Iterator[ReadItem]:
        bar = None
        if self.progress:
            from tqdm import tqdm

            bar = tqdm(unit=" rec", desc="harvest", mininterval=0.5, leave=False)
        try:
            yield from self._items(bar)
        finally:
            if bar is not None:
                bar.close()

    def _first_request(self) -> dict[str, str]:
        if self.resume_token:
            return {"verb": "ListRecords", "resumptionToken": self.resume_token}
        return {"verb": "ListRecords", **self.params}

    def _items(self, bar) -> Iterator[ReadItem]:
        request = self._first_request()
        position = 0
        page = 0
        while True:
            page += 1
            root = self.fetcher.fetch(page, **request)
            self.result.pages = page
            err = _oai_error(root)
            where = _page(self.fetcher.url, page, self.lang)
            if err is not None:
                code, message = err
                if code == "noRecordsMatch":
                    return
                if code == "badResumptionToken" and "resumptionToken" in request and position == 0 \
                        and not self.restarted and self.resume_token:
                    self.result.notes.append(i18n.t("harvest.token_refused", self.lang, message=message))
                    self.restarted = True
                    self.resume_token = None
                    request = self._first_request()
                    continue
                raise HarvestError(i18n.t("harvest.oai_error", self.lang, where=where, code=code, message=message))
            body = root.find(f"{OAI}ListRecords")
            if body is None:
                raise HarvestError(i18n.t("harvest.no_list", self.lang, where=where))
            token_el = body.find(f"{OAI}resumptionToken")
            if bar is not None and token_el is not None and token_el.get("completeListSize", "").isdigit():
                bar.total = int(token_el.get("completeListSize"))
            for rec_el in body.iterfind(f"{OAI}record"):
                if position and position % self.chunk == 0:
                    self._committed(position)
                position += 1
                item = _item(rec_el, self.prefix, position, page)
                self.result.records += 1
                self.result.deleted += int(item.deleted)
                if bar is not None:
                    bar.update(1)
                yield item
            token = (token_el.text or "").strip() if token_el is not None else ""
            if not token:
                return
            self.pending.append((position, token))
            request = {"verb": "ListRecords", "resumptionToken": token}


def harvest(
    catalog: Catalog, url: str, *, prefix: str = "marc21", set_spec: str | None = None, from_: str | None = None,
    until: str | None = None, into: str | None = None, name: str | None = None, progress: bool = False,
    fetcher: Fetcher | None = None, chunk: int = CHUNK, max_retries: int = 5, lang: str | None = None,
) -> HarvestResult:
    """Harvest ``url`` into the catalogue as source ``name``; returns what was done (errors and notes in ``lang``)."""
    if prefix not in PREFIXES:
        raise HarvestError(i18n.t("harvest.bad_prefix", lang, known=", ".join(PREFIXES), prefix=prefix))
    name = name or default_name(url, set_spec)
    fetcher = fetcher or Fetcher(url, max_retries=max_retries, lang=lang)
    with catalog.session() as s:
        src = s.scalar(select(HarvestSource).where(HarvestSource.name == name))
        if src is None:
            src = HarvestSource(name=name, url=url, prefix=prefix, set_spec=set_spec, subcat_code=into,
                                records_seen=0)
            s.add(src)
            s.flush()
        same_list = src.url == url and src.prefix == prefix and src.set_spec == set_spec
        src.url, src.prefix, src.set_spec = url, prefix, set_spec
        if into is not None:
            src.subcat_code = into
        into = into or src.subcat_code
        source_id = src.id
        resume = src.resume_token if (same_list and from_ is None and until is None) else None
        resume_started = src.resume_started_at
        last_from = src.last_success_from if same_list else None
    identify = fetcher.fetch(0, verb="Identify")
    err = _oai_error(identify)
    if err is not None:
        raise HarvestError(i18n.t("harvest.identify_error", lang, url=url, code=err[0], message=err[1]))
    server_now = identify.findtext(f"{OAI}responseDate", "").strip()
    granularity = identify.findtext(f"{OAI}Identify/{OAI}granularity", "YYYY-MM-DD").strip()
    if not server_now:
        raise HarvestError(i18n.t("harvest.identify_no_date", lang, url=url))
    result = HarvestResult(source=name, url=url)
    if resume and resume_started:
        started = resume_started
        result.resumed = True
    else:
        resume = None
        started = server_now
    effective_from = from_ if from_ is not None else (
        _as_granularity(last_from, granularity) if last_from else None)
    result.from_, result.started_at = effective_from, started
    params = {"metadataPrefix": prefix}
    if set_spec:
        params["set"] = set_spec
    if effective_from:
        params["from"] = effective_from
    if until:
        params["until"] = until
    with catalog.session() as s:
        src = s.get(HarvestSource, source_id)
        src.last_started_at = server_now
        src.resume_started_at = started
    pages = _Pages(catalog, fetcher, source_id, prefix, params, result, chunk, progress, resume, lang)
    options = ImportOptions(source=name, into=into, on_duplicate="update", chunk_size=chunk, lang=lang)
    result.report = import_items(catalog, pages, options, kind="harvest", label=url)
    with catalog.session() as s:
        src = s.get(HarvestSource, source_id)
        if until is None and (from_ is None or last_from is None or from_ <= last_from):
            src.last_success_from = started
        src.resume_token = None
        src.resume_started_at = None
        src.last_batch_id = result.report.batch
        src.records_seen = (src.records_seen or 0) + result.records
    return result
