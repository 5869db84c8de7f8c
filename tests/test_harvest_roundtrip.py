"""libcat's harvester against libcat's provider: round trip, incremental runs, resuming, retries, errors, CLI."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from libcat.catalog import records
from libcat.catalog.models import CatalogRecord, HarvestSource
from libcat.catalog.store import open_catalog
from libcat.marc.marcjson import record_to_json
from libcat.oai import harvester
from libcat.oai.server import make_app
from test_oai_helpers import build, serving


@pytest.fixture
def target(tmp_path):
    cat = open_catalog(f"sqlite:///{tmp_path / 'target.db'}", must_exist=False)
    cat.init()
    yield cat
    cat.engine.dispose()


def _by_ext(cat) -> dict[str, CatalogRecord]:
    with cat.Session() as s:
        return {r.external_id: r for r in s.scalars(select(CatalogRecord))}


def _json(cat, rid: int) -> str:
    with cat.Session() as s:
        return record_to_json(records.load(s.get(CatalogRecord, rid)))


def test_round_trip_identical_and_deletes(catalog, target):
    built = build(catalog)
    with catalog.session() as s:
        s.execute(update(CatalogRecord).values(datestamp=CatalogRecord.datestamp - dt.timedelta(hours=1))
                  if catalog.dialect == "postgresql" else
                  update(CatalogRecord).values(datestamp=dt.datetime(2024, 1, 1, 12, 0, 0)))
    with serving(make_app(catalog, page_size=3)) as url:
        res = harvester.harvest(target, url, prefix="marc21", set_spec="ek:books", into="books", name="src")
        live_marc = [i for i in built.marc if i not in (built.deleted, built.merged)]
        assert res.records == len(built.marc) and res.deleted == 2 and res.pages >= 3
        got = _by_ext(target)
        assert len(got) == len(live_marc)
        for rid in live_marc:
            row = got[f"oai:libcat.local:{rid}"]
            if rid != built.control:
                assert _json(target, row.id) == _json(catalog, rid)
        uni = harvester.harvest(target, url, prefix="rusmarc", set_spec="ek:articles", name="src-rus")
        assert uni.records == 3
        got = _by_ext(target)
        for rid in built.unimarc:
            assert _json(target, got[f"oai:libcat.local:{rid}"].id) == _json(catalog, rid)
        with catalog.session() as s:
            records.delete(s, s.get(CatalogRecord, live_marc[0]), reason="withdrawn")
            s.execute(update(CatalogRecord).where(CatalogRecord.id == live_marc[0])
                      .values(datestamp=dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) + dt.timedelta(seconds=3)))
        again = harvester.harvest(target, url, prefix="marc21", set_spec="ek:books", name="src")
        assert again.from_ == res.started_at and again.records == 1 and again.deleted == 1
        row = _by_ext(target)[f"oai:libcat.local:{live_marc[0]}"]
        assert row.deleted_at is not None
    with target.Session() as s:
        src = s.scalar(select(HarvestSource).where(HarvestSource.name == "src"))
        assert src.last_success_from == again.started_at and src.resume_token is None


class _Flaky(harvester.Fetcher):
    """A fetcher that breaks once after ``fail_at`` list pages (an interrupted run)."""

    def __init__(self, url: str, fail_at: int):
        super().__init__(url, sleep=lambda s: None)
        self.fail_at = fail_at
        self.calls = 0

    def fetch(self, page, **params):
        if params.get("verb") == "ListRecords":
            self.calls += 1
            if self.calls == self.fail_at:
                raise harvester.HarvestError(f"{self.url}: page {page}: simulated outage")
        return super().fetch(page, **params)


def test_interrupted_run_resumes_from_saved_token(tmp_path, target):
    src = open_catalog(f"sqlite:///{tmp_path / 'src.db'}", must_exist=False)
    src.init()
    from test_oai_helpers import marc21

    with src.session() as s:
        for i in range(25):
            records.create(s, marc21(f"r{i}", f"Кітап {i}"), "marc21")
    with serving(make_app(src, page_size=2)) as url:
        with pytest.raises(harvester.HarvestError, match="simulated outage"):
            harvester.harvest(target, url, name="big", fetcher=_Flaky(url, 9), chunk=4)
        with target.Session() as s:
            saved = s.scalar(select(HarvestSource).where(HarvestSource.name == "big"))
            assert saved.resume_token and saved.resume_started_at
        committed = len(_by_ext(target))
        assert 8 <= committed <= 16
        res = harvester.harvest(target, url, name="big", chunk=4)
        assert res.resumed and res.records < 25
        assert len(_by_ext(target)) == 25
        assert {r.external_id for r in _by_ext(target).values()} == {f"oai:libcat.local:{i}" for i in range(1, 26)}


def _app_of(responses):
    """A WSGI app answering ``responses`` (status, headers, body) in turn."""
    calls = []

    def app(environ, start_response):
        status, headers, body = responses[min(len(calls), len(responses) - 1)]
        calls.append(environ.get("QUERY_STRING"))
        start_response(status, headers)
        return [body]

    return app, calls


IDENTIFY = (b'<?xml version="1.0"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>'
            b"2024-01-01T00:00:00Z</responseDate><request>x</request><Identify><granularity>YYYY-MM-DD"
            b"</granularity></Identify></OAI-PMH>")


def test_retries_503_with_retry_after_then_gives_up(target):
    ok = ("200 OK", [("Content-Type", "text/xml")], IDENTIFY)
    busy = ("503 Service Unavailable", [("Retry-After", "2")], b"busy")
    app, calls = _app_of([busy, ok])
    slept = []
    with serving(app) as url:
        f = harvester.Fetcher(url, sleep=slept.append)
        root = f.fetch(1, verb="Identify")
        assert root.findtext("{http://www.openarchives.org/OAI/2.0/}responseDate") == "2024-01-01T00:00:00Z"
        assert slept == [2.0] and len(calls) == 2
    app, calls = _app_of([busy])
    with serving(app) as url:
        f = harvester.Fetcher(url, sleep=slept.append, max_retries=3)
        with pytest.raises(harvester.HarvestError, match="HTTP 503"):
            f.fetch(5, verb="Identify")
        assert len(calls) == 4
        f = harvester.Fetcher(url, sleep=lambda s: None, max_retries=50, max_wait=5)
        with pytest.raises(harvester.HarvestError, match="giving up"):
            f.fetch(5, verb="Identify")


def test_network_error_is_retried_and_bounded(target):
    slept = []
    f = harvester.Fetcher("http://127.0.0.1:9/oai", sleep=slept.append, max_retries=2, backoff=0.5)
    with pytest.raises(harvester.HarvestError, match="network error after 2 retries"):
        f.fetch(1, verb="Identify")
    assert slept == [0.5, 1.0]


def test_malformed_page_names_url_and_page(target):
    bad = ("200 OK", [("Content-Type", "text/xml")], b"<OAI-PMH><broken")
    app, _ = _app_of([("200 OK", [("Content-Type", "text/xml")], IDENTIFY), bad])
    with serving(app) as url:
        with pytest.raises(harvester.HarvestError) as err:
            harvester.harvest(target, url, name="bad")
        assert url in str(err.value) and "page 1" in str(err.value) and "malformed" in str(err.value)


def test_cli_harvest_and_list_sources(catalog, run_cli, schemas):
    built = build(catalog)
    with serving(make_app(catalog, page_size=5)) as url:
        res = run_cli("harvest", url, "--prefix", "oai_dc", "--set", "ek:articles", "--into", "articles",
                      "--name", "kaz")
        assert res.exit_code == 0, res.output
        assert f"harvested {len(built.unimarc)} records" in res.output
        again = run_cli("harvest", url, "--prefix", "oai_dc", "--set", "ek:articles", "--name", "kaz")
        assert again.exit_code == 0 and "from 20" in again.output
    listed = run_cli("harvest", "--list-sources")
    assert listed.exit_code == 0 and "kaz" in listed.output and "ek:articles" in listed.output
    assert run_cli("oai", "serve", "--help").exit_code == 0
    bad = run_cli("harvest", "http://127.0.0.1:9/oai", "--name", "nowhere", "--retries", "0")
    assert bad.exit_code == 1 and "network error" in bad.output
