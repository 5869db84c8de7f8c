"""The OAI-PMH 2.0 provider: a WSGI application serving /oai, /oai.xsl and /files/...

Run it with ``libcat oai serve`` (waitress), or load it into any WSGI server:
``waitress-serve --call libcat.oai.server:app_from_env`` with LIBCAT_DB (and LIBCAT_OAI_BASE_URL).
"""

from __future__ import annotations

import datetime as dt
import gzip
import logging
import os
import secrets
import threading
import time
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from importlib import resources
from urllib.parse import parse_qs, urljoin, urlparse

from ..catalog import oai_queries as q
from ..catalog.models import utcnow
from ..catalog.store import Catalog, open_catalog
from ..marc.flavour import FLAVOURS
from . import files, metadata, tokens
from .protocol import GRANULARITY, OAI_NS, OAIError, Request, date_range, format_datestamp, parse, parse_identifier

log = logging.getLogger(__name__)

XSI = "http://www.w3.org/2001/XMLSchema-instance"
OAI_XSD = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
ID_NS = "http://www.openarchives.org/OAI/2.0/oai-identifier"
ID_XSD = "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd"

DEFAULT_REPOSITORY_ID = "libcat.local"
DEFAULT_PAGE_SIZE = 500
SETTING_ID = "oai.repository_id"
SETTING_NAME = "oai.repository_name"
SETTING_EMAIL = "oai.admin_email"
SETTING_KEY = "oai.token_key"

_XML_TYPE = "text/xml; charset=utf-8"
_LIST_VERBS = ("ListRecords", "ListIdentifiers")
#: a page is built ahead only when its records have not changed for this long
AHEAD_QUIET = dt.timedelta(minutes=10)
#: a page built ahead is served only this long after it was built
AHEAD_MAX_AGE = 60.0
AHEAD_SLOTS = 8


@dataclass
class _Built:
    """One list page: its inner XML, the token of the next page, and the keys it was built from."""

    inner: str
    next_token: str | None
    keys: list[tuple[dt.datetime, int]] | None


@dataclass
class _Ready:
    """A response built ahead: the document, its compressed form, and what it was built from."""

    body: bytes
    encoding: str | None
    encoded: bytes | None
    built: _Built
    cleaner: metadata.Cleaner


@dataclass
class _Ahead:
    """A page being built (or built) ahead for a resumption token, and when that started."""

    future: Future
    started: float


def _xsl_bytes() -> bytes:
    return resources.files(__package__).joinpath("oai.xsl").read_bytes()


def token_key(catalog: Catalog) -> bytes:
    """The catalogue's secret for signing resumption tokens (created once, kept in settings)."""
    key = catalog.setting(SETTING_KEY)
    if not key:
        catalog.set_setting(SETTING_KEY, secrets.token_hex(32))
        key = catalog.setting(SETTING_KEY)
    return bytes.fromhex(key)


class OAIApp:
    """The WSGI application. One instance serves one catalogue; it keeps no per-harvest state."""

    def __init__(
        self, catalog: Catalog, base_url: str | None = None, page_size: int = DEFAULT_PAGE_SIZE,
        max_concurrency: int = 8, retry_after: int = 10, *, repository_id: str | None = None,
        repository_name: str | None = None, admin_email: str | None = None, sets: bool = True,
        compress_level: int = 3, build_ahead: bool = True,
    ):
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        self.catalog = catalog
        self.base_url = base_url.rstrip("/") if base_url else None
        self.page_size = page_size
        self.retry_after = retry_after
        self.sets = sets
        self.compress_level = compress_level
        self.repository_id = repository_id or catalog.setting(SETTING_ID) or DEFAULT_REPOSITORY_ID
        self.repository_name = (
            repository_name or catalog.setting(SETTING_NAME) or catalog.setting("repository_name")
            or "libcat electronic catalogue"
        )
        self.admin_email = admin_email or catalog.setting(SETTING_EMAIL) or f"admin@{self.repository_id}"
        self.key = token_key(catalog)
        self.slots = threading.BoundedSemaphore(max_concurrency) if max_concurrency > 0 else None
        self.stats = {"illegal_chars": 0, "bad_utf8": 0, "dropped_fields": 0, "busy": 0, "ahead_served": 0,
                      "ahead_stale": 0}
        self._stats_lock = threading.Lock()
        self._xsl = _xsl_bytes()
        self.build_ahead = build_ahead
        self._id_prefix = f"oai:{self.repository_id}:"
        self._set_xml: dict[tuple[str, ...], str] = {}
        self._ahead: OrderedDict[tuple[str, str, str], _Ahead] = OrderedDict()
        self._ahead_lock = threading.Lock()
        self._ahead_pool: ThreadPoolExecutor | None = None

    # -- WSGI ---------------------------------------------------------------------------------

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        """Route a request; beyond ``max_concurrency`` requests at once answer 503 with Retry-After."""
        path = environ.get("PATH_INFO") or "/"
        if path == "/oai.xsl":
            return self._respond(environ, start_response, "200 OK", "text/xsl; charset=utf-8", self._xsl,
                                 [("Cache-Control", "max-age=86400")])
        if path in ("/", ""):
            start_response("302 Found", [("Location", self._script(environ) + "/oai?verb=Identify"),
                                         ("Content-Type", "text/plain")])
            return [b"see /oai?verb=Identify\n"]
        if path != "/oai" and not path.startswith("/files/"):
            start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"not found: the OAI-PMH endpoint is /oai\n"]
        if self.slots is not None and not self.slots.acquire(blocking=False):
            with self._stats_lock:
                self.stats["busy"] += 1
            start_response("503 Service Unavailable", [
                ("Retry-After", str(self.retry_after)), ("Content-Type", "text/plain; charset=utf-8"),
            ])
            return [b"too many requests at once; retry after the number of seconds in Retry-After\n"]
        try:
            if path.startswith("/files/"):
                rel = path[len("/files/"):].encode("latin-1", errors="replace").decode("utf-8", errors="replace")
                return files.serve(self.catalog, rel, environ, start_response)
            return self._oai(environ, start_response)
        finally:
            if self.slots is not None:
                self.slots.release()

    def _script(self, environ: dict) -> str:
        return environ.get("SCRIPT_NAME", "").rstrip("/")

    def endpoint(self, environ: dict) -> str:
        """The baseURL: --base-url, else what the request says (scheme, Host, script name) + /oai."""
        if self.base_url:
            return self.base_url
        host = environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME', 'localhost')}:{environ.get('SERVER_PORT', '80')}"
        return f"{environ.get('wsgi.url_scheme', 'http')}://{host}{self._script(environ)}/oai"

    def _respond(self, environ, start_response, status: str, ctype: str, body: bytes,
                 extra: list[tuple[str, str]] | None = None, encoded: bytes | None = None) -> list[bytes]:
        headers = [("Content-Type", ctype), ("Vary", "Accept-Encoding")] + (extra or [])
        enc = _pick_encoding(environ.get("HTTP_ACCEPT_ENCODING", ""))
        if encoded is not None:
            body = encoded
        elif enc:
            body = self._compress(body, enc)
        if enc:
            headers.append(("Content-Encoding", enc))
        headers.append(("Content-Length", str(len(body))))
        start_response(status, headers)
        return [b"" if environ.get("REQUEST_METHOD") == "HEAD" else body]

    def _oai(self, environ, start_response) -> list[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        if method == "POST":
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            raw = environ["wsgi.input"].read(length) if length > 0 else b""
            query = raw.decode("utf-8", errors="replace")
        elif method in ("GET", "HEAD"):
            query = environ.get("QUERY_STRING", "")
        else:
            start_response("405 Method Not Allowed", [("Allow", "GET, POST, HEAD"), ("Content-Type", "text/plain")])
            return [b"OAI-PMH takes GET or POST\n"]
        params = parse_qs(query, keep_blank_values=True)
        enc = _pick_encoding(environ.get("HTTP_ACCEPT_ENCODING", ""))
        body, encoded = self._answer(params, self.endpoint(environ), enc)
        return self._respond(environ, start_response, "200 OK", _XML_TYPE, body, encoded=encoded)

    # -- OAI-PMH ------------------------------------------------------------------------------

    def handle(self, params: dict[str, list[str]], base_url: str) -> bytes:
        """The complete XML response to one request (errors included) as UTF-8 bytes."""
        return self._answer(params, base_url, None)[0]

    def _answer(self, params: dict[str, list[str]], base_url: str,
                encoding: str | None) -> tuple[bytes, bytes | None]:
        """The response document and, when it was built ahead, its form compressed with ``encoding``."""
        cleaner = metadata.Cleaner()
        now = format_datestamp(utcnow())
        req: Request | None = None
        try:
            req = parse(params)
            if req.verb in _LIST_VERBS:
                ready = self._take_ahead(req, base_url) if "resumptionToken" in req.args else None
                if ready is not None:
                    self._account(ready.cleaner)
                    if ready.built.next_token is not None:
                        self._build_ahead(req.verb, ready.built.next_token, base_url, encoding)
                    return ready.body, ready.encoded if ready.encoding == encoding else None
                built = self._list(req, cleaner, base_url, records=req.verb == "ListRecords")
                if built.next_token is not None:
                    self._build_ahead(req.verb, built.next_token, base_url, encoding)
                inner = built.inner
            else:
                inner = getattr(self, "_" + req.verb)(req, cleaner, base_url)
        except OAIError as err:
            echo = req if req is not None and err.code not in ("badVerb", "badArgument") else None
            inner = f'<error code="{err.code}">{cleaner.text(err.message)}</error>'
            req = echo
        self._account(cleaner)
        return self._envelope(now, base_url, req, inner, cleaner), None

    # -- pages built ahead --------------------------------------------------------------------

    def _build_ahead(self, verb: str, token: str, base_url: str, encoding: str | None) -> None:
        """Start building the page for ``token`` in the background while the client reads this one."""
        if not self.build_ahead:
            return
        key = (verb, token, base_url)
        with self._ahead_lock:
            if key in self._ahead:
                return
            if self._ahead_pool is None:
                self._ahead_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="oai-ahead")
            while len(self._ahead) >= AHEAD_SLOTS:
                _, old = self._ahead.popitem(last=False)
                old.future.cancel()
            self._ahead[key] = _Ahead(self._ahead_pool.submit(self._ahead_job, verb, token, base_url, encoding),
                                      time.monotonic())

    def _ahead_job(self, verb: str, token: str, base_url: str, encoding: str | None) -> _Ready | None:
        """The response for ``token`` if its records have been quiet for AHEAD_QUIET, else None."""
        try:
            state = tokens.decode(token, self.key, verb)
            now = utcnow()
            quiet_before = now - AHEAD_QUIET
            if state.after[0] >= quiet_before:
                return None
            cleaner = metadata.Cleaner()
            req = parse({"verb": [verb], "resumptionToken": [token]})
            built = self._list(req, cleaner, base_url, records=verb == "ListRecords")
            if built.keys is None or not built.keys or built.keys[-1][0] >= quiet_before:
                return None
            body = self._envelope(format_datestamp(now), base_url, req, built.inner, cleaner)
        except Exception as exc:  # the request itself will build the page (and report any error)
            log.debug("page for %s not built ahead: %s", token, exc)
            return None
        return _Ready(body, encoding, self._compress(body, encoding) if encoding else None, built, cleaner)

    def _take_ahead(self, req: Request, base_url: str) -> _Ready | None:
        """The page built ahead for this request, when the records it was built from are unchanged."""
        with self._ahead_lock:
            ahead = self._ahead.pop((req.verb, req.args["resumptionToken"], base_url), None)
        if ahead is None:
            return None
        ready = ahead.future.result() if not ahead.future.cancelled() else None
        if ready is None or time.monotonic() - ahead.started > AHEAD_MAX_AGE:
            return None
        try:
            st = tokens.decode(req.args["resumptionToken"], self.key, req.verb)
            with self.catalog.Session() as s:
                flt = self._filter(s, st.prefix, st.set_spec, st.from_, st.until, True)
                rows = q.page(s, flt, st.after, self.page_size + 1, with_data=False)
        except (tokens.TokenError, OAIError):
            return None
        if [(r.datestamp, r.id) for r in rows] != ready.built.keys:
            with self._stats_lock:
                self.stats["ahead_stale"] += 1
            return None
        with self._stats_lock:
            self.stats["ahead_served"] += 1
        return ready

    def _envelope(self, now: str, base_url: str, req: Request | None, inner: str, cleaner: metadata.Cleaner) -> bytes:
        attrs = ""
        if req is not None:
            attrs = f' verb="{req.verb}"' + "".join(
                f' {k}="{cleaner.attr(v)}"' for k, v in sorted(req.args.items())
            )
        xsl = urlparse(urljoin(base_url, "oai.xsl")).path or "/oai.xsl"
        head = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<?xml-stylesheet type="text/xsl" href="{cleaner.attr(xsl)}"?>\n'
            f'<OAI-PMH xmlns="{OAI_NS}" xmlns:xsi="{XSI}" xsi:schemaLocation="{OAI_NS} {OAI_XSD}">'
            f"<responseDate>{now}</responseDate><request{attrs}>{cleaner.text(base_url)}</request>"
        )
        return (head + inner + "</OAI-PMH>\n").encode("utf-8")

    def _account(self, cleaner: metadata.Cleaner) -> None:
        """Log and count what the cleaner stripped for one served response."""
        if cleaner.illegal_chars or cleaner.dropped_fields:
            log.warning("stripped %d XML-illegal characters and dropped %d unfit fields in records %s",
                        cleaner.illegal_chars, cleaner.dropped_fields, sorted(cleaner.bad_records)[:20])
            with self._stats_lock:
                self.stats["illegal_chars"] += cleaner.illegal_chars
                self.stats["dropped_fields"] += cleaner.dropped_fields
        if cleaner.bad_utf8:
            with self._stats_lock:
                self.stats["bad_utf8"] += cleaner.bad_utf8

    def _compress(self, body: bytes, encoding: str) -> bytes:
        """``body`` compressed with gzip or deflate."""
        if encoding == "gzip":
            return gzip.compress(body, self.compress_level, mtime=0)
        return zlib.compress(body, self.compress_level)

    def identifier(self, record_id: int) -> str:
        """The OAI identifier of a catalogue record."""
        return f"{self._id_prefix}{record_id}"

    def _Identify(self, req: Request, cleaner: metadata.Cleaner, base_url: str) -> str:
        with self.catalog.Session() as s:
            earliest = q.earliest_datestamp(s) or utcnow()
        e = cleaner.text
        return (
            "<Identify>"
            f"<repositoryName>{e(self.repository_name)}</repositoryName>"
            f"<baseURL>{e(base_url)}</baseURL>"
            "<protocolVersion>2.0</protocolVersion>"
            f"<adminEmail>{e(self.admin_email)}</adminEmail>"
            f"<earliestDatestamp>{format_datestamp(earliest)}</earliestDatestamp>"
            "<deletedRecord>persistent</deletedRecord>"
            f"<granularity>{GRANULARITY}</granularity>"
            "<compression>gzip</compression><compression>deflate</compression>"
            f'<description><oai-identifier xmlns="{ID_NS}" xmlns:xsi="{XSI}" '
            f'xsi:schemaLocation="{ID_NS} {ID_XSD}">'
            f"<scheme>oai</scheme><repositoryIdentifier>{e(self.repository_id)}</repositoryIdentifier>"
            f"<delimiter>:</delimiter><sampleIdentifier>{e(self.identifier(1))}</sampleIdentifier>"
            "</oai-identifier></description>"
            "</Identify>"
        )

    def _ListMetadataFormats(self, req: Request, cleaner: metadata.Cleaner, base_url: str) -> str:
        with self.catalog.Session() as s:
            if "identifier" in req.args:
                row = self._lookup(s, req.args["identifier"])
                prefixes = metadata.formats_for(row.flavour)
            else:
                rus = metadata.FORMATS["rusmarc"][2]
                prefixes = [p for p in metadata.FORMATS if p != "rusmarc" or q.has_flavours(s, rus)]
        if not prefixes:
            raise OAIError("noMetadataFormats", "there are no metadata formats for this item")
        out = ["<ListMetadataFormats>"]
        for p in prefixes:
            schema, ns, _ = metadata.FORMATS[p]
            out.append(f"<metadataFormat><metadataPrefix>{p}</metadataPrefix><schema>{schema}</schema>"
                       f"<metadataNamespace>{ns}</metadataNamespace></metadataFormat>")
        out.append("</ListMetadataFormats>")
        return "".join(out)

    def _ListSets(self, req: Request, cleaner: metadata.Cleaner, base_url: str) -> str:
        if not self.sets:
            raise OAIError("noSetHierarchy", "this repository does not support sets")
        if "resumptionToken" in req.args:
            raise OAIError("badResumptionToken", "ListSets is answered in one response; there are no tokens")
        with self.catalog.Session() as s:
            sets = q.list_sets(s)
        out = ["<ListSets>"]
        for st in sets:
            out.append(f"<set><setSpec>{cleaner.text(st.spec)}</setSpec><setName>{cleaner.text(st.name)}</setName>")
            if st.description:
                out.append(
                    f'<setDescription><oai_dc:dc xmlns:oai_dc="{metadata.OAI_DC_NS}" xmlns:dc="{metadata.DC_NS}" '
                    f'xsi:schemaLocation="{metadata.OAI_DC_NS} {metadata.OAI_DC_XSD}">'
                    f"<dc:description>{cleaner.text(st.description)}</dc:description></oai_dc:dc></setDescription>"
                )
            out.append("</set>")
        out.append("</ListSets>")
        return "".join(out)

    def _lookup(self, s, identifier: str) -> q.RecordRow:
        rid = parse_identifier(identifier, self.repository_id)
        row = q.get(s, rid, with_data=False) if rid is not None else None
        if row is None:
            raise OAIError("idDoesNotExist", f"{identifier!r} is not an identifier in this repository")
        return row

    def _check_prefix(self, prefix: str) -> None:
        if prefix not in metadata.FORMATS:
            raise OAIError("cannotDisseminateFormat",
                           f"{prefix!r} is not supported; use one of {', '.join(metadata.FORMATS)}")

    def _header(self, row: q.RecordRow, specs: list[str]) -> str:
        sets = self._set_xml.get(tuple(specs))
        if sets is None:
            sets = "".join(f"<setSpec>{sp}</setSpec>" for sp in specs)
            if len(self._set_xml) < 10_000:
                self._set_xml[tuple(specs)] = sets
        status = ' status="deleted"' if row.deleted else ""
        return (f"<header{status}><identifier>{self._id_prefix}{row.id}"
                f"</identifier><datestamp>{format_datestamp(row.datestamp)}</datestamp>{sets}</header>")

    def _disseminator(self, s, cleaner: metadata.Cleaner, base_url: str) -> metadata.Disseminator:
        files_url = files_root(base_url)
        return metadata.Disseminator(
            cleaner=cleaner,
            links=lambda rid, flavour: q.link_fields(s, rid, flavour, files_url),
            link_urls=metadata.urls_of,
        )

    def _GetRecord(self, req: Request, cleaner: metadata.Cleaner, base_url: str) -> str:
        prefix = req.args["metadataPrefix"]
        self._check_prefix(prefix)
        with self.catalog.Session() as s:
            head = self._lookup(s, req.args["identifier"])
            if prefix not in metadata.formats_for(head.flavour):
                raise OAIError("cannotDisseminateFormat",
                               f"record {head.id} ({head.flavour}) cannot be disseminated as {prefix}")
            row = q.get(s, head.id, with_data=True)
            cleaner.bad_utf8 += row.bad_utf8
            specs = q.memberships(s, [row])[row.id]
            body = ""
            if not row.deleted:
                with_links = bool(q.record_objects(s, [row.id]))
                try:
                    body = "<metadata>" + self._disseminator(s, cleaner, base_url).render(
                        prefix, row.id, row.flavour, row.data, with_links) + "</metadata>"
                except metadata.CannotDisseminate as exc:
                    raise OAIError("cannotDisseminateFormat", str(exc)) from None
        return f"<GetRecord><record>{self._header(row, specs)}{body}</record></GetRecord>"

    def _filter(self, s, prefix: str, set_spec: str | None, from_: str | None, until: str | None,
                from_token: bool) -> q.ListFilter:
        self._check_prefix(prefix)
        start, end = date_range(from_, until)
        cond = None
        if set_spec is not None:
            if not self.sets:
                raise OAIError("noSetHierarchy", "this repository does not support sets")
            cond = q.resolve_set(s, set_spec)
            if cond is None:
                if from_token:
                    raise OAIError("badResumptionToken", f"the set {set_spec!r} of this list no longer exists")
                raise OAIError("noRecordsMatch", f"there is no set {set_spec!r} (see ListSets)")
        flavours = metadata.FORMATS[prefix][2]
        return q.ListFilter(start, end, cond, None if set(flavours) >= set(FLAVOURS) else flavours)

    def _list(self, req: Request, cleaner: metadata.Cleaner, base_url: str, *, records: bool) -> _Built:
        verb = req.verb
        with self.catalog.Session() as s:
            if "resumptionToken" in req.args:
                try:
                    st = tokens.decode(req.args["resumptionToken"], self.key, verb)
                except tokens.TokenError as exc:
                    raise OAIError("badResumptionToken", str(exc)) from None
                prefix, set_spec, from_, until = st.prefix, st.set_spec, st.from_, st.until
                try:
                    flt = self._filter(s, prefix, set_spec, from_, until, True)
                except OAIError as exc:
                    raise OAIError("badResumptionToken", f"the token's arguments are not valid: {exc.message}") from None
                after, cursor, total = st.after, st.cursor, st.total
            else:
                prefix = req.args["metadataPrefix"]
                set_spec, from_, until = req.args.get("set"), req.args.get("from"), req.args.get("until")
                flt = self._filter(s, prefix, set_spec, from_, until, False)
                after, cursor, total = None, 0, -1
            out: list[str] = []
            served = 0
            more = False
            last: q.RecordRow | None = None
            diss = self._disseminator(s, cleaner, base_url) if records else None
            keys: list[tuple[dt.datetime, int]] | None = None
            queries = 0
            while True:
                rows = q.page(s, flt, after, self.page_size + 1 - served, with_data=records)
                queries += 1
                keys = [(r.datestamp, r.id) for r in rows] if queries == 1 else None
                more = len(rows) > self.page_size - served
                rows = rows[: self.page_size - served]
                if total < 0:
                    total = len(rows) if not more else q.count(s, flt)
                if not rows:
                    break
                cleaner.bad_utf8 += sum(r.bad_utf8 for r in rows)
                objs = q.live_objects(s, [r.id for r in rows])
                specs = q.memberships(s, rows, objects=objs)
                linked = {rid for rid, _ in objs}
                for r in rows:
                    header = self._header(r, specs[r.id])
                    if not records:
                        out.append(header)
                    elif r.deleted:
                        out.append(f"<record>{header}</record>")
                    else:
                        try:
                            body = diss.render(prefix, r.id, r.flavour, r.data, r.id in linked)
                        except metadata.CannotDisseminate:
                            continue
                        out.append(f"<record>{header}<metadata>{body}</metadata></record>")
                    served += 1
                last = rows[-1]
                after = (last.datestamp, last.id)
                if served >= self.page_size or not more:
                    break
        if not out:
            if "resumptionToken" in req.args:
                raise OAIError("badResumptionToken", "the rest of this list is gone (records left the set)")
            raise OAIError("noRecordsMatch", "no records match the arguments")
        tag = "ListRecords" if records else "ListIdentifiers"
        tok = ""
        next_token = None
        if more and last is not None:
            state = tokens.ListState(
                verb=verb, prefix=prefix, set_spec=set_spec, from_=from_, until=until,
                last_datestamp=last.datestamp.isoformat(), last_id=last.id, cursor=cursor + served,
                total=max(total, cursor + served + 1),
            )
            next_token = tokens.encode(state, self.key)
            tok = (f'<resumptionToken completeListSize="{state.total}" cursor="{cursor}">'
                   f"{next_token}</resumptionToken>")
        elif "resumptionToken" in req.args:
            tok = f'<resumptionToken completeListSize="{max(total, cursor + served)}" cursor="{cursor}"/>'
        return _Built(f"<{tag}>{''.join(out)}{tok}</{tag}>", next_token, keys)


def files_root(base_url: str) -> str:
    """Where /files/ lives for an endpoint URL: http://host/oai -> http://host/files."""
    root = base_url[: -len("/oai")] if base_url.endswith("/oai") else base_url.rsplit("/", 1)[0]
    return root + "/files"


def _pick_encoding(accept: str) -> str | None:
    """gzip or deflate when the client accepts it (q > 0), gzip first; None for identity."""
    if not accept:
        return None
    allowed = {}
    for part in accept.split(","):
        name, _, params = part.strip().partition(";")
        qv = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                qv = float(params[2:])
            except ValueError:
                qv = 0.0
        allowed[name.strip().lower()] = qv
    for enc in ("gzip", "deflate"):
        if allowed.get(enc, allowed.get("*", 0.0)) > 0:
            return enc
    return None


def make_app(
    catalog: Catalog, base_url: str | None = None, page_size: int = DEFAULT_PAGE_SIZE,
    max_concurrency: int = 8, **options,
) -> OAIApp:
    """The WSGI application for ``catalog`` (see OAIApp for the options)."""
    return OAIApp(catalog, base_url, page_size, max_concurrency, **options)


def app_from_env() -> OAIApp:
    """Build the application from the environment: LIBCAT_DB, LIBCAT_OAI_BASE_URL, LIBCAT_OAI_PAGE_SIZE, ..."""
    return make_app(
        open_catalog(os.environ.get("LIBCAT_DB")),
        base_url=os.environ.get("LIBCAT_OAI_BASE_URL") or None,
        page_size=int(os.environ.get("LIBCAT_OAI_PAGE_SIZE") or DEFAULT_PAGE_SIZE),
        max_concurrency=int(os.environ.get("LIBCAT_OAI_MAX_CONCURRENCY") or 8),
        build_ahead=os.environ.get("LIBCAT_OAI_BUILD_AHEAD", "1") not in ("0", "no", "false", ""),
    )


_app: OAIApp | None = None
_app_lock = threading.Lock()


def application(environ: dict, start_response: Callable) -> Iterable[bytes]:
    """Module-level WSGI entry (``libcat.oai.server:application``): builds the app from the environment once."""
    global _app
    if _app is None:
        with _app_lock:
            if _app is None:
                _app = app_from_env()
    return _app(environ, start_response)
