"""Digital objects in OAI: the `digitized` and collection sets, file links only when publishable, /files with Range."""

from __future__ import annotations

import pytest
import requests
from lxml import etree

from libcat.catalog import records
from libcat.catalog.models import CatalogRecord, DigitalFile
from libcat.oai.files import parse_range
from libcat.oai.server import make_app
from test_oai_helpers import OAI, Client, build, ident, serving

registry = pytest.importorskip("libcat.digitize.registry", reason="libcat.digitize is not there yet")
collections = pytest.importorskip("libcat.digitize.collections")


def test_parse_range():
    assert parse_range(None, 100) is None
    assert parse_range("bytes=0-9", 100) == (0, 9)
    assert parse_range("bytes=90-", 100) == (90, 99)
    assert parse_range("bytes=-10", 100) == (90, 99)
    assert parse_range("bytes=95-200", 100) == (95, 99)
    assert parse_range("bytes=100-", 100) == "unsatisfiable"
    assert parse_range("bytes=0-1,5-6", 100) is None


def test_digitized_set_links_and_files(catalog, schemas, tmp_path):
    built = build(catalog)
    pub, secret = built.marc[0], built.unimarc[0]
    with catalog.session() as s:
        collections.add(s, "Өлкетану қоры", ru="Краеведческий фонд")
        s.get(CatalogRecord, pub).own_publication = True
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\n%%EOF\n")
    other = tmp_path / "other.pdf"
    other.write_bytes(b"%PDF-1.4\nsecret\n%%EOF\n")
    registry.add_object(catalog, pub, [scan], pages=3, collection="Өлкетану қоры")
    registry.add_object(catalog, secret, [other], pages=1)
    with catalog.Session() as s:
        pub_path = s.query(DigitalFile).filter_by(record_id=pub).one().path
        secret_path = s.query(DigitalFile).filter_by(record_id=secret).one().path
    app = make_app(catalog, page_size=4)
    with serving(app) as url:
        c = Client(app, schemas, base=url)
        sets = [e.text for e in c("verb=ListSets").iter(f"{OAI}setSpec")]
        assert "collection:olketanu-qory" in sets
        recs, _ = c.harvest("ListIdentifiers", metadataPrefix="oai_dc", set="digitized")
        assert [ident(r) for r in recs] == [f"oai:libcat.local:{pub}"]
        recs, _ = c.harvest("ListIdentifiers", metadataPrefix="oai_dc", set="collection:olketanu-qory")
        assert [ident(r) for r in recs] == [f"oai:libcat.local:{pub}"]
        file_url = url.replace("/oai", "/files/") + pub_path
        dc = c(f"verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:libcat.local:{pub}")
        assert file_url in [e.text for e in dc.iter("{http://purl.org/dc/elements/1.1/}identifier")]
        marc = c(f"verb=GetRecord&metadataPrefix=marc21&identifier=oai:libcat.local:{pub}")
        urls = [e.text for e in marc.iter("{http://www.loc.gov/MARC21/slim}subfield") if e.get("code") == "u"]
        assert file_url in urls
        hidden = c(f"verb=GetRecord&metadataPrefix=rusmarc&identifier=oai:libcat.local:{secret}")
        assert b"/files/" not in etree.tostring(hidden)
        whole = requests.get(file_url)
        assert whole.status_code == 200 and whole.content == scan.read_bytes()
        assert whole.headers["Content-Type"] == "application/pdf" and whole.headers["Accept-Ranges"] == "bytes"
        part = requests.get(file_url, headers={"Range": "bytes=9-18"})
        assert part.status_code == 206 and part.content == scan.read_bytes()[9:19]
        assert part.headers["Content-Range"] == f"bytes 9-18/{scan.stat().st_size}"
        assert requests.get(file_url, headers={"Range": "bytes=999999-"}).status_code == 416
        assert requests.get(url.replace("/oai", "/files/") + secret_path).status_code == 404
        assert requests.get(url.replace("/oai", "/files/") + "../catalog.db").status_code == 404
        with catalog.session() as s:
            records.delete(s, s.get(CatalogRecord, pub), reason="withdrawn")
        assert requests.get(file_url).status_code == 404
        gone = c(f"verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:libcat.local:{pub}")
        specs = [e.text for e in gone.iter(f"{OAI}setSpec")]
        assert "digitized" in specs and "collection:olketanu-qory" in specs
