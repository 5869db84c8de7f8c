"""Shared pieces of the OAI tests: a test catalogue built from pymarc records, a live server, the validator."""

from __future__ import annotations

import contextlib
import importlib.util
import threading
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from lxml import etree
from pymarc import Field, Indicators, Leader, Record, Subfield

from libcat.catalog import records
from libcat.catalog.models import CatalogRecord

OAI = "{http://www.openarchives.org/OAI/2.0/}"
MARC_LEADER = "00000nam a2200000 i 4500"


def marc21(cn: str, title: str, author: str = "Абай Құнанбайұлы", year: str = "2021") -> Record:
    """A small MARC 21 record with a Kazakh or Russian title."""
    r = Record(force_utf8=True)
    r.leader = Leader(MARC_LEADER)
    r.add_field(Field(tag="001", data=cn))
    r.add_field(Field(tag="008", data=f"210101s{year}    kz            000 0 kaz d"))
    r.add_field(Field(tag="100", indicators=Indicators("1", " "), subfields=[Subfield("a", author)]))
    r.add_field(Field(tag="245", indicators=Indicators("1", "0"), subfields=[Subfield("a", title)]))
    r.add_field(Field(tag="260", indicators=Indicators(" ", " "),
                      subfields=[Subfield("a", "Алматы"), Subfield("b", "Жазушы"), Subfield("c", year)]))
    return r


def rusmarc(cn: str, title: str) -> Record:
    """A small RUSMARC (UNIMARC) record."""
    r = Record(force_utf8=True)
    r.leader = Leader("00000nam  2200000   4500")
    r.add_field(Field(tag="001", data=cn))
    r.add_field(Field(tag="100", indicators=Indicators(" ", " "), subfields=[Subfield("a", "20200101d2020    k  y0rusy0189    ca")]))
    r.add_field(Field(tag="101", indicators=Indicators("0", " "), subfields=[Subfield("a", "rus")]))
    r.add_field(Field(tag="200", indicators=Indicators("1", " "), subfields=[Subfield("a", title), Subfield("f", "Ауэзов М.")]))
    r.add_field(Field(tag="210", indicators=Indicators(" ", " "), subfields=[Subfield("a", "Алматы"), Subfield("d", "2020")]))
    r.add_field(Field(tag="700", indicators=Indicators(" ", "1"), subfields=[Subfield("a", "Ауэзов"), Subfield("b", "М.")]))
    return r


def irbis(title: str) -> Record:
    """A small IRBIS-flavoured record (worksheet PAZK)."""
    r = Record(force_utf8=True)
    r.add_field(Field(tag="101", indicators=Indicators(" ", " "), subfields=[Subfield("*", "kaz")]))
    r.add_field(Field(tag="200", indicators=Indicators(" ", " "), subfields=[Subfield("a", title)]))
    r.add_field(Field(tag="210", indicators=Indicators(" ", " "), subfields=[Subfield("c", "Астана"), Subfield("d", "2019")]))
    r.add_field(Field(tag="700", indicators=Indicators(" ", " "), subfields=[Subfield("a", "Жұмабаев"), Subfield("b", "М.")]))
    r.add_field(Field(tag="920", indicators=Indicators(" ", " "), subfields=[Subfield("*", "PAZK")]))
    return r


class Built:
    """Ids of the interesting records of the test catalogue."""

    def __init__(self):
        self.marc: list[int] = []
        self.unimarc: list[int] = []
        self.irbis: list[int] = []
        self.deleted: int = 0
        self.merged: int = 0
        self.control: int = 0

    @property
    def all(self) -> list[int]:
        return self.marc + self.unimarc + self.irbis


def build(catalog, n_marc: int = 6) -> Built:
    """The test catalogue: MARC 21 books, RUSMARC articles, IRBIS local lore, a deleted and a merged record,
    one record with control characters."""
    b = Built()
    with catalog.session() as s:
        books = records.subcatalog(s, "books")
        arts = records.subcatalog(s, "articles")
        lore = records.subcatalog(s, "local-lore")
        titles = ["Қазақ әдебиеті", "Абай жолы", "История Казахстана", "Көшпенділер", "Степь и город", "Алматы"]
        for i in range(n_marc):
            row = records.create(s, marc21(f"kz{i:04d}", f"{titles[i % len(titles)]} {i}"), "marc21", subcat=books)
            b.marc.append(row.id)
        for i in range(3):
            b.unimarc.append(records.create(s, rusmarc(f"ru{i}", f"Путь Абая, том {i + 1}"), "unimarc", subcat=arts).id)
        for i in range(2):
            b.irbis.append(records.create(s, irbis(f"Өлкетану {i}"), "irbis", subcat=lore).id)
        ctl = records.create(s, marc21("ctl1", "Бақылау\x0b таңбасы\x1a және \ufffe"), "marc21", subcat=books)
        b.control = ctl.id
        b.marc.append(ctl.id)
        gone = records.create(s, marc21("gone1", "Жойылған кітап"), "marc21", subcat=books)
        records.delete(s, gone, reason="test")
        b.deleted = gone.id
        b.marc.append(gone.id)
        merged = records.create(s, marc21("dup1", "Абай жолы (дублет)"), "marc21", subcat=books)
        records.delete(s, merged, reason="duplicate", merged_into=s.get(CatalogRecord, b.marc[1]))
        b.merged = merged.id
        b.marc.append(merged.id)
    return b


_VALIDATORS: dict[Path, tuple] = {}


def load_validator(schemas: Path):
    """(schema, validate) from the shared validate_offline.py recipe (loaded once per session)."""
    if schemas in _VALIDATORS:
        return _VALIDATORS[schemas]
    spec = importlib.util.spec_from_file_location("validate_offline", schemas / "validate_offline.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    _VALIDATORS[schemas] = mod.load_schema(), mod.validate
    return _VALIDATORS[schemas]


class Client:
    """Call the application in-process and check every answer against the schemas."""

    def __init__(self, app, schemas: Path | None, base: str = "http://127.0.0.1/oai"):
        self.app = app
        self.base = base
        self.schema, self._validate = load_validator(schemas) if schemas else (None, None)
        self.count = 0

    def __call__(self, query: str | dict) -> etree._Element:
        params = parse_qs(query, keep_blank_values=True) if isinstance(query, str) else {
            k: v if isinstance(v, list) else [v] for k, v in query.items()}
        body = self.app.handle(params, self.base)
        if self.schema is not None:
            ok, errors = self._validate(body, self.schema)
            assert ok, f"{query}: {errors}\n{body[:3000]!r}"
        self.count += 1
        return etree.fromstring(body)

    def error(self, query: str | dict) -> str | None:
        el = self(query).find(f"{OAI}error")
        return el.get("code") if el is not None else None

    def harvest(self, verb: str, **args: str) -> tuple[list[etree._Element], list[etree._Element]]:
        """All items of a list and every resumptionToken element seen."""
        items, tokens = [], []
        root = self({"verb": verb, **args})
        while True:
            body = root.find(f"{OAI}{verb}")
            assert body is not None, etree.tostring(root)[:500]
            items.extend(body.findall(f"{OAI}record" if verb == "ListRecords" else f"{OAI}header"))
            tok = body.find(f"{OAI}resumptionToken")
            if tok is None or not (tok.text or "").strip():
                if tok is not None:
                    tokens.append(tok)
                return items, tokens
            tokens.append(tok)
            root = self({"verb": verb, "resumptionToken": tok.text})


def ident(el: etree._Element) -> str:
    header = el if el.tag == f"{OAI}header" else el.find(f"{OAI}header")
    return header.findtext(f"{OAI}identifier")


def is_deleted(el: etree._Element) -> bool:
    header = el if el.tag == f"{OAI}header" else el.find(f"{OAI}header")
    return header.get("status") == "deleted"


@contextlib.contextmanager
def serving(app):
    """Run ``app`` under waitress on 127.0.0.1 and a free port; yields the /oai URL."""
    import waitress.server

    server = waitress.server.create_server(app, host="127.0.0.1", port=0, threads=6, ident="libcat-test")
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            server.asyncore.loop(timeout=0.05, map=server._map, count=1)
        for channel in list(server._map.values()):
            channel.close()
        server.task_dispatcher.shutdown()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}/oai"
    finally:
        stop.set()
        thread.join(10)


def test_build_makes_every_kind(catalog):
    b = build(catalog)
    with catalog.Session() as s:
        flavours = {s.get(CatalogRecord, i).flavour for i in b.all}
        assert flavours == {"marc21", "unimarc", "irbis"}
        assert s.get(CatalogRecord, b.deleted).deleted_at is not None
        assert s.get(CatalogRecord, b.merged).merged_into == b.marc[1]



@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def shared_catalog(request, tmp_path_factory):
    """One built test catalogue per module and backend, for tests that only read it."""
    from conftest import _pg_database_url, _pg_drop

    from libcat.catalog.store import open_catalog

    name = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('oai') / 'catalog.db'}"
    else:
        url, name = _pg_database_url()
    cat = open_catalog(url, must_exist=False)
    cat.init()
    built = build(cat)
    try:
        yield cat, built
    finally:
        cat.engine.dispose()
        if name:
            _pg_drop(name)
