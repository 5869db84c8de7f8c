"""The provider's fast paths serve exactly what the plain paths serve: the slim XML writer for stored JSON,
pages built ahead while the client reads the previous one, and datestamps."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
import zlib

import pytest
from sqlalchemy import select
from test_oai_helpers import OAI, Client, build, ident, marc21

from libcat.catalog import records
from libcat.catalog.models import CatalogRecord
from libcat.oai import metadata
from libcat.oai.protocol import format_datestamp
from libcat.oai.server import make_app

LEADER = "00000nam a2200000 i 4500"


def _rec(fields: list, leader: str = LEADER) -> str:
    return json.dumps({"leader": leader, "fields": fields}, ensure_ascii=False, separators=(",", ":"))


def _df(tag: str, subs: list, i1: str = " ", i2: str = " ") -> dict:
    return {tag: {"ind1": i1, "ind2": i2, "subfields": subs}}


PLAIN = [
    _rec([{"001": "b1"}, _df("245", [{"a": "Абай жолы"}, {"c": "Әуезов, М."}], "1", "0")]),
    _rec([{"001": "b2"}, _df("245", [{"a": "Tom & Jerry <1> > 0"}]), _df("650", [{"a": "x"}, {"2": "rubbk"}], " ", "7")]),
    _rec([{"008": "210101s2021    kz            000 0 kaz d"}, _df("A10", [{"a": "local tag"}])]),
    json.dumps({"fields": [{"001": "b3"}, _df("100", [{"a": "spaced"}])], "leader": LEADER}, ensure_ascii=False),
]
ODD = [
    _rec([{"001": "b4"}, _df("245", [{"a": 'a "quoted" title'}])]),
    _rec([{"001": "b5\x0b"}, _df("245", [{"a": "control\x1a"}])]),
    _rec([{"001": "b6"}, _df("245", [{"a": "noncharacter \ufffe"}])]),
    _rec([{"001": "b7"}, _df("245", [{"a": "CR\r in text"}])]),
    _rec([{"001": "b8"}], leader="bad leader"),
    _rec([{"001": "b9"}], leader="00000nam a2200000 i 45<0"),
    _rec([{"0010": "irbis tag"}, _df("9999", [{"a": "irbis data tag"}])]),
    _rec([_df("245", [{"&": "odd code"}, {"A": "upper code"}], "A", "#")]),
    _rec([_df("245", []), _df("246", [{}]), _df("247", [{"a": "kept"}])]),
    _rec([{"245": {"subfields": [{"a": "no indicators"}]}}]),
    _rec([_df("24<", [{"a": "tag with markup"}])]),
    _rec([_df("245", [{"a": "x", "b": "two codes in one"}]), {"001": "a", "003": "b"}]),
]


@pytest.mark.parametrize("data", PLAIN + ODD)
def test_fast_slim_xml_writes_what_slim_xml_writes(data):
    cleaner = metadata.Cleaner()
    slow = metadata.slim_xml(json.loads(data), cleaner)
    fast = metadata.fast_slim_xml(data)
    if data in PLAIN:
        assert fast == slow
    else:
        assert fast is None or (fast == slow and cleaner.illegal_chars == cleaner.dropped_fields == 0)


@pytest.mark.parametrize("data", ["[1, 2]", '{"leader": 5, "fields": []}', '{"leader": "' + LEADER + '", "fields": [{"245": 7}]}',
                                  '{"leader": "' + LEADER + '", "fields": [{"245": {"ind1": " ", "ind2": " ", '
                                  '"subfields": [{"a": null}]}}]}', "not json"])
def test_fast_slim_xml_leaves_broken_json_to_the_plain_path(data):
    assert metadata.fast_slim_xml(data) is None


def test_datestamps_keep_their_form():
    assert format_datestamp(dt.datetime(2024, 5, 17, 8, 3, 9, 999_999)) == "2024-05-17T08:03:09Z"
    assert format_datestamp(dt.datetime(2024, 5, 17)) == "2024-05-17T00:00:00Z"
    aware = dt.datetime(2024, 5, 17, 8, 3, 9, tzinfo=dt.timezone.utc)
    assert format_datestamp(aware) == aware.strftime("%Y-%m-%dT%H:%M:%SZ")


def _pages(app, verb: str, **args: str) -> list[bytes]:
    """Every page of a list, with the responseDate blanked out."""
    base = "http://127.0.0.1/oai"
    out = []
    params = {"verb": [verb], **{k: [v] for k, v in args.items()}}
    while True:
        body = app.handle(params, base)
        out.append(re.sub(rb"<responseDate>[^<]*</responseDate>", b"", body))
        tok = re.search(rb"<resumptionToken[^>]*>([^<]+)</resumptionToken>", body)
        if tok is None:
            return out
        params = {"verb": [verb], "resumptionToken": [tok.group(1).decode()]}


@pytest.fixture
def old_catalog(catalog):
    """The test catalogue with every datestamp a year old (pages of quiet records are built ahead)."""
    built = build(catalog, n_marc=9)
    with catalog.session() as s:
        for row in s.scalars(select(CatalogRecord)):
            row.datestamp -= dt.timedelta(days=365)
    return catalog, built


@pytest.mark.parametrize(("verb", "prefix"), [("ListRecords", "marc21"), ("ListRecords", "oai_dc"),
                                              ("ListIdentifiers", "marc21"), ("ListRecords", "rusmarc")])
def test_pages_built_ahead_are_the_pages_built_on_request(old_catalog, schemas, verb, prefix):
    catalog, _ = old_catalog
    ahead = make_app(catalog, page_size=3)
    plain = make_app(catalog, page_size=3, build_ahead=False)
    got = _pages(ahead, verb, metadataPrefix=prefix)
    assert got == _pages(plain, verb, metadataPrefix=prefix)
    assert len(got) >= 2 and ahead.stats["ahead_served"] == len(got) - 1 and plain.stats["ahead_served"] == 0
    spec, size = ("ek:articles", 3) if prefix == "rusmarc" else ("ek:books", 12)
    recs, _ = Client(make_app(catalog, page_size=3), schemas).harvest(verb, metadataPrefix=prefix, set=spec)
    assert len(recs) == size


def test_a_change_between_pages_throws_the_page_built_ahead_away(old_catalog, schemas):
    catalog, built = old_catalog
    app = make_app(catalog, page_size=4)
    c = Client(app, schemas)
    first = c({"verb": "ListRecords", "metadataPrefix": "marc21"})
    seen = [ident(r) for r in first.iter(f"{OAI}record")]
    tok = first.find(f".//{OAI}resumptionToken").text
    c.app._ahead[("ListRecords", tok, c.base)].future.result()
    nxt = built.marc[5]
    with catalog.session() as s:
        records.update(s, s.get(CatalogRecord, nxt), marc21("kz-upd", "Жаңартылған"), "marc21")
    recs, _ = c.harvest("ListRecords", resumptionToken=tok)
    ids = seen + [ident(r) for r in recs]
    assert app.stats["ahead_stale"] == 1
    assert ids.count(f"oai:libcat.local:{nxt}") == 1 and ids[-1] == f"oai:libcat.local:{nxt}"
    assert "Жаңартылған" in "".join(recs[-1].itertext())
    assert sorted(ids) == sorted(f"oai:libcat.local:{i}" for i in built.all)


def test_recent_records_are_not_built_ahead(catalog):
    build(catalog)
    app = make_app(catalog, page_size=3)
    assert len(_pages(app, "ListRecords", metadataPrefix="marc21")) >= 2
    assert app.stats["ahead_served"] == 0


def _wsgi(app, query: str, accept: str) -> tuple[dict, bytes]:
    """GET /oai?query through the WSGI interface; the response headers and the decoded body."""
    got = {}

    def start_response(status, headers):
        got.update(headers)
        got["status"] = status

    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/oai", "QUERY_STRING": query, "HTTP_HOST": "127.0.0.1",
               "wsgi.url_scheme": "http", "HTTP_ACCEPT_ENCODING": accept}
    body = b"".join(app(environ, start_response))
    enc = got.get("Content-Encoding")
    if enc == "gzip":
        body = gzip.decompress(body)
    elif enc == "deflate":
        body = zlib.decompress(body)
    assert int(got["Content-Length"]) > 0 and got["status"] == "200 OK"
    return got, re.sub(rb"<responseDate>[^<]*</responseDate>", b"", body)


@pytest.mark.parametrize("accept", ["gzip, deflate", "deflate", "identity", ""])
def test_pages_built_ahead_are_compressed_as_asked(old_catalog, accept):
    catalog, _ = old_catalog
    ahead = make_app(catalog, page_size=3)
    plain = make_app(catalog, page_size=3, build_ahead=False)
    query = "verb=ListRecords&metadataPrefix=marc21"
    for n in range(4):
        h1, b1 = _wsgi(ahead, query, accept)
        h2, b2 = _wsgi(plain, query, accept)
        assert b1 == b2 and h1.get("Content-Encoding") == h2.get("Content-Encoding")
        tok = re.search(rb"<resumptionToken[^>]*>([^<]+)</resumptionToken>", b1)
        query = f"verb=ListRecords&resumptionToken={tok.group(1).decode()}"
    assert ahead.stats["ahead_served"] == 3
