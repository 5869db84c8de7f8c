"""The provider over real HTTP (waitress), harvested by independent clients that must all agree."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import threading
import zlib

import pytest
import requests

from libcat.oai.server import make_app
from test_oai_helpers import OAI, serving, shared_catalog  # noqa: F401

PAGE = 4


@pytest.fixture(scope="module")
def live(shared_catalog):
    cat, built = shared_catalog
    with serving(make_app(cat, page_size=PAGE, max_concurrency=4)) as url:
        yield url, built


def _expected(built):
    ids = {f"oai:libcat.local:{i}" for i in built.all}
    dead = {f"oai:libcat.local:{i}" for i in (built.deleted, built.merged)}
    arts = {f"oai:libcat.local:{i}" for i in built.unimarc}
    return ids, dead, arts


def test_sickle(live):
    from sickle import Sickle

    url, built = live
    ids, dead, arts = _expected(built)
    s = Sickle(url)
    recs = list(s.ListRecords(metadataPrefix="marc21", ignore_deleted=False))
    assert {r.header.identifier for r in recs} == ids and len(recs) == len(ids)
    assert {r.header.identifier for r in recs if r.header.deleted} == dead
    got = {h.identifier for h in s.ListIdentifiers(metadataPrefix="oai_dc", set="ek:articles")}
    assert got == arts
    assert {x.setSpec for x in s.ListSets()} >= {"ek:books", "ek:articles"}
    rec = s.GetRecord(identifier=f"oai:libcat.local:{built.unimarc[0]}", metadataPrefix="oai_dc")
    assert rec.metadata["title"] == ["Путь Абая, том 1"]


def test_oaipmh_scythe(live):
    scythe = pytest.importorskip("oaipmh_scythe", reason="pip install oaipmh-scythe")
    url, built = live
    ids, dead, arts = _expected(built)
    with scythe.Scythe(url) as sc:
        recs = list(sc.list_records(metadata_prefix="oai_dc", ignore_deleted=False))
        assert {r.header.identifier for r in recs} == ids
        assert {r.header.identifier for r in recs if r.header.deleted} == dead
        got = {h.identifier for h in sc.list_identifiers(metadata_prefix="oai_dc", set_="ek:articles")}
        assert got == arts


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (Debian: libcatmandu-oai-perl / libhttp-oai-perl; scripts/test installs them)")
    return path


def test_catmandu(live):
    exe = _tool("catmandu")
    url, built = live
    ids, dead, arts = _expected(built)

    def run(*extra: str) -> list[dict]:
        out = subprocess.run([exe, "convert", "OAI", "--url", url, "--metadataPrefix", "oai_dc", *extra,
                              "to", "JSON", "--line_delimited", "1"], capture_output=True, timeout=60, check=True)
        return [json.loads(line) for line in out.stdout.splitlines() if line.strip()]

    heads = run("--listIdentifiers", "1")
    assert {h["_id"] for h in heads} == ids
    assert {h["_id"] for h in heads if h.get("_status") == "deleted"} == dead
    assert {r["_id"] for r in run("--set", "ek:articles")} == arts
    marc = subprocess.run([exe, "convert", "OAI", "--url", url, "--metadataPrefix", "marc21", "--handler", "marcxml",
                           "--set", "ek:books", "to", "JSON", "--line_delimited", "1"],
                          capture_output=True, timeout=60, check=True)
    assert len([ln for ln in marc.stdout.splitlines() if ln.strip()]) == len(built.marc)


def test_http_oai_perl(live):
    exe = _tool("oai_pmh")
    url, built = live
    ids, dead, arts = _expected(built)

    def blocks(*args: str) -> list[dict]:
        out = subprocess.run([exe, *args, url], capture_output=True, timeout=60, check=True).stdout.decode("utf-8")
        found = []
        for chunk in out.split("identifier: ")[1:]:
            lines = chunk.splitlines()
            status = next((ln.split(":", 1)[1].strip() for ln in lines if ln.startswith("status:")), "")
            sets = [ln.split(":", 1)[1].strip() for ln in lines if ln.startswith("setSpec:")]
            found.append({"id": lines[0].strip(), "status": status, "sets": sets})
        return found

    heads = blocks("-X", "ListIdentifiers", "--metadataPrefix", "oai_dc")
    assert {h["id"] for h in heads} == ids and len(heads) == len(ids)
    assert {h["id"] for h in heads if h["status"] == "deleted"} == dead
    assert {h["id"] for h in heads if "ek:articles" in h["sets"]} == arts
    assert {h["id"] for h in blocks("--metadataPrefix", "oai_dc", "--set", "ek:articles")} == arts


def test_http_details(live):
    url, _ = live
    r = requests.get(url, params={"verb": "Identify"}, headers={"Accept-Encoding": "gzip"})
    assert r.headers["Content-Encoding"] == "gzip" and r.headers["Content-Type"].startswith("text/xml")
    assert b'<?xml-stylesheet type="text/xsl" href="/oai.xsl"?>' in r.content
    raw = requests.get(url, params={"verb": "Identify"}, headers={"Accept-Encoding": "deflate"}, stream=True)
    assert raw.headers["Content-Encoding"] == "deflate"
    assert b"<Identify>" in zlib.decompress(raw.raw.read())
    plain = requests.get(url, params={"verb": "Identify"}, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers and plain.content.startswith(b"<?xml")
    post = requests.post(url, data={"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"})
    assert b"<ListIdentifiers>" in post.content
    xsl = requests.get(url.replace("/oai", "/oai.xsl"))
    assert xsl.status_code == 200 and b"xsl:stylesheet" in xsl.content
    from lxml import etree

    page = etree.XSLT(etree.fromstring(xsl.content))(etree.fromstring(plain.content))
    assert "libcat.local" in str(page)
    assert requests.get(url.replace("/oai", "/nothing")).status_code == 404
    assert gzip.decompress(gzip.compress(b"x")) == b"x"


def test_concurrency_limit_answers_503(shared_catalog):
    cat, _ = shared_catalog
    app = make_app(cat, max_concurrency=1, retry_after=7)
    gate, entered = threading.Event(), threading.Event()
    inner = app._oai

    def slow(environ, start_response):
        entered.set()
        gate.wait(10)
        return inner(environ, start_response)

    app._oai = slow
    with serving(app) as url:
        t = threading.Thread(target=requests.get, args=(url,), kwargs={"params": {"verb": "Identify"}})
        t.start()
        try:
            assert entered.wait(10)
            busy = requests.get(url, params={"verb": "Identify"}, timeout=5)
            assert busy.status_code == 503 and busy.headers["Retry-After"] == "7"
            assert app.stats["busy"] == 1
        finally:
            gate.set()
            t.join(10)
        assert requests.get(url, params={"verb": "Identify"}, timeout=10).status_code == 200
