"""The provider, verb by verb and error by error, on SQLite and PostgreSQL; every answer is schema-validated."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text, update

from libcat.catalog import records
from libcat.catalog.models import CatalogRecord
from libcat.oai import tokens
from libcat.oai.server import make_app
from test_oai_helpers import OAI, Client, build, ident, is_deleted, marc21, shared_catalog  # noqa: F401

PREFIXES = ("oai_dc", "marc21", "rusmarc")


@pytest.fixture
def built(catalog):
    return build(catalog)


@pytest.fixture
def client(shared_catalog, schemas):
    return Client(make_app(shared_catalog[0], page_size=4), schemas)


@pytest.fixture
def ro(shared_catalog):
    """(catalogue, built ids) shared by the read-only tests of this module."""
    return shared_catalog


def _id(n: int) -> str:
    return f"oai:libcat.local:{n}"


def test_identify(client, ro):
    catalog = ro[0]
    root = client("verb=Identify")
    idf = root.find(f"{OAI}Identify")
    assert idf.findtext(f"{OAI}deletedRecord") == "persistent"
    assert idf.findtext(f"{OAI}granularity") == "YYYY-MM-DDThh:mm:ssZ"
    assert idf.findtext(f"{OAI}baseURL") == "http://127.0.0.1/oai"
    assert idf.findtext(".//{http://www.openarchives.org/OAI/2.0/oai-identifier}repositoryIdentifier") == "libcat.local"
    with catalog.Session() as s:
        first = s.execute(text("select min(datestamp) from records")).scalar()
    first = first if isinstance(first, dt.datetime) else dt.datetime.fromisoformat(str(first))
    assert idf.findtext(f"{OAI}earliestDatestamp") == first.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert root.find(f"{OAI}request").get("verb") == "Identify"


def test_full_harvest_every_format_validates_and_agrees(client, ro):
    built = ro[1]
    for prefix in PREFIXES:
        recs, toks = client.harvest("ListRecords", metadataPrefix=prefix)
        heads, _ = client.harvest("ListIdentifiers", metadataPrefix=prefix)
        ids = [ident(r) for r in recs]
        assert ids == [ident(h) for h in heads]
        assert len(ids) == len(set(ids))
        expected = built.all if prefix != "rusmarc" else built.unimarc + built.irbis
        assert sorted(ids) == sorted(_id(i) for i in expected)
        dead = {ident(r) for r in recs if is_deleted(r)}
        if prefix != "rusmarc":
            assert dead == {_id(built.deleted), _id(built.merged)}
        for r in recs:
            assert (r.find(f"{OAI}metadata") is None) == is_deleted(r)
        if len(recs) > 4:
            assert toks[0].get("cursor") == "0" and toks[0].get("completeListSize") == str(len(expected))
            assert toks[-1].text is None and toks[-1].get("cursor") == str(4 * (len(toks) - 1))


def test_deleted_records_keep_their_sets_and_getrecord_answers_deleted(client, ro):
    built = ro[1]
    root = client(f"verb=GetRecord&metadataPrefix=marc21&identifier={_id(built.merged)}")
    header = root.find(f"{OAI}GetRecord/{OAI}record/{OAI}header")
    assert header.get("status") == "deleted"
    assert [e.text for e in header.findall(f"{OAI}setSpec")] == ["ek", "ek:books"]
    assert root.find(f".//{OAI}metadata") is None
    recs, _ = client.harvest("ListIdentifiers", metadataPrefix="oai_dc", set="ek:books")
    assert _id(built.deleted) in {ident(r) for r in recs if is_deleted(r)}


def test_sets(client, ro):
    built = ro[1]
    specs = [e.text for e in client("verb=ListSets").iter(f"{OAI}setSpec")]
    assert {"ek", "ek:books", "ek:articles", "ek:local-lore", "digitized"} <= set(specs)
    recs, _ = client.harvest("ListIdentifiers", metadataPrefix="oai_dc", set="ek:articles")
    assert sorted(ident(r) for r in recs) == sorted(_id(i) for i in built.unimarc)
    recs, _ = client.harvest("ListIdentifiers", metadataPrefix="oai_dc", set="ek")
    assert len(recs) == len(built.all)
    assert client.error("verb=ListRecords&metadataPrefix=oai_dc&set=ek:nosuch") == "noRecordsMatch"
    assert client.error("verb=ListRecords&metadataPrefix=oai_dc&set=digitized") == "noRecordsMatch"
    assert client.error("verb=ListRecords&metadataPrefix=oai_dc&set=bad%20spec") == "badArgument"


def test_formats_per_record(client, ro):
    built = ro[1]
    def prefixes(q):
        return [e.text for e in client(q).iter(f"{OAI}metadataPrefix")]

    assert prefixes("verb=ListMetadataFormats") == ["oai_dc", "marc21", "rusmarc"]
    assert prefixes(f"verb=ListMetadataFormats&identifier={_id(built.marc[0])}") == ["oai_dc", "marc21"]
    assert prefixes(f"verb=ListMetadataFormats&identifier={_id(built.irbis[0])}") == ["oai_dc", "marc21", "rusmarc"]
    assert client.error(f"verb=GetRecord&metadataPrefix=rusmarc&identifier={_id(built.marc[0])}") == "cannotDisseminateFormat"
    assert client.error("verb=ListMetadataFormats&identifier=oai:libcat.local:999999") == "idDoesNotExist"
    for prefix in PREFIXES:
        for rid in (built.unimarc[0], built.irbis[0]):
            root = client(f"verb=GetRecord&metadataPrefix={prefix}&identifier={_id(rid)}")
            assert root.find(f".//{OAI}metadata") is not None


def test_no_metadata_formats_only_via_marc21_catalogue(catalog, schemas):
    with catalog.session() as s:
        records.create(s, marc21("only1", "Жалғыз"), "marc21")
    c = Client(make_app(catalog), schemas)
    assert [e.text for e in c("verb=ListMetadataFormats").iter(f"{OAI}metadataPrefix")] == ["oai_dc", "marc21"]
    assert c.error("verb=ListRecords&metadataPrefix=rusmarc") == "noRecordsMatch"


ERRORS = [
    ("", "badVerb"),
    ("verb=Nope", "badVerb"),
    ("verb=Identify&verb=Identify", "badVerb"),
    ("verb=Identify&extra=1", "badArgument"),
    ("verb=ListRecords", "badArgument"),
    ("verb=GetRecord&identifier=oai:libcat.local:1", "badArgument"),
    ("verb=ListRecords&metadataPrefix=marc21&metadataPrefix=oai_dc", "badArgument"),
    ("verb=ListRecords&metadataPrefix=marc21&resumptionToken=x", "badArgument"),
    ("verb=ListRecords&metadataPrefix=marc21&from=2020-01-01&until=2030-01-01T00:00:00Z", "badArgument"),
    ("verb=ListRecords&metadataPrefix=marc21&from=2020-13-01", "badArgument"),
    ("verb=ListRecords&metadataPrefix=marc21&from=2020-01-01T00:00:00.5Z", "badArgument"),
    ("verb=ListRecords&metadataPrefix=marc21&from=2021-01-02&until=2021-01-01", "badArgument"),
    ("verb=ListRecords&metadataPrefix=nope", "cannotDisseminateFormat"),
    ("verb=GetRecord&metadataPrefix=nope&identifier=oai:libcat.local:1", "cannotDisseminateFormat"),
    ("verb=GetRecord&metadataPrefix=marc21&identifier=oai:other:1", "idDoesNotExist"),
    ("verb=GetRecord&metadataPrefix=marc21&identifier=oai:libcat.local:99999", "idDoesNotExist"),
    ("verb=ListRecords&metadataPrefix=marc21&until=1990-01-01", "noRecordsMatch"),
    ("verb=ListRecords&resumptionToken=garbage", "badResumptionToken"),
    ("verb=ListIdentifiers&resumptionToken=", "badResumptionToken"),
    ("verb=ListSets&resumptionToken=abc", "badResumptionToken"),

]


def test_errors(client):
    for query, code in ERRORS:
        root = client(query)
        err = root.find(f"{OAI}error")
        assert err is not None and err.get("code") == code, query
        req = root.find(f"{OAI}request")
        if code in ("badVerb", "badArgument"):
            assert req.attrib == {}, query
        else:
            assert req.get("verb"), query


def test_no_set_hierarchy(ro, schemas):
    catalog = ro[0]
    c = Client(make_app(catalog, sets=False), schemas)
    assert c.error("verb=ListSets") == "noSetHierarchy"
    assert c.error("verb=ListRecords&metadataPrefix=oai_dc&set=ek:books") == "noSetHierarchy"


def test_post_equals_get(ro):
    app = make_app(ro[0], page_size=4)
    import io

    body = b"verb=ListIdentifiers&metadataPrefix=oai_dc"
    env = {"REQUEST_METHOD": "POST", "PATH_INFO": "/oai", "CONTENT_LENGTH": str(len(body)),
           "CONTENT_TYPE": "application/x-www-form-urlencoded", "wsgi.input": io.BytesIO(body),
           "wsgi.url_scheme": "http", "HTTP_HOST": "h"}
    got = {}
    out = b"".join(app(env, lambda status, headers: got.update(status=status)))
    assert got["status"] == "200 OK" and b"<ListIdentifiers>" in out


# -- pitfalls ---------------------------------------------------------------------------------------


def test_exact_multiple_of_page_size_has_no_dangling_token(catalog, schemas):
    with catalog.session() as s:
        for i in range(8):
            records.create(s, marc21(f"m{i}", f"Кітап {i}"), "marc21")
    c = Client(make_app(catalog, page_size=4), schemas)
    recs, toks = c.harvest("ListRecords", metadataPrefix="marc21")
    assert len(recs) == 8
    assert len(toks) == 2 and toks[0].text and not toks[1].text
    assert toks[1].get("completeListSize") == "8" and toks[1].get("cursor") == "4"
    c4 = Client(make_app(catalog, page_size=8), schemas)
    recs, toks = c4.harvest("ListRecords", metadataPrefix="marc21")
    assert len(recs) == 8 and toks == []


def test_change_during_harvest_skips_nothing(catalog, built, schemas):
    c = Client(make_app(catalog, page_size=4), schemas)
    first = c({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"})
    seen = [ident(h) for h in first.iter(f"{OAI}header")]
    tok = first.find(f".//{OAI}resumptionToken").text
    late = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0) + dt.timedelta(seconds=5)
    served_one = int(seen[0].rsplit(":", 1)[1])
    later_one = built.unimarc[1]
    with catalog.session() as s:
        row = s.get(CatalogRecord, served_one)
        records.update(s, row, marc21("kz-upd", "Жаңартылған"), "marc21")
        row.datestamp = late
        gone = s.get(CatalogRecord, later_one)
        records.delete(s, gone, reason="mid-harvest")
        gone.datestamp = late
    root = c({"verb": "ListIdentifiers", "resumptionToken": tok})
    rest = []
    while True:
        rest.extend(root.iter(f"{OAI}header"))
        t = root.find(f".//{OAI}resumptionToken")
        if t is None or not t.text:
            break
        root = c({"verb": "ListIdentifiers", "resumptionToken": t.text})
    ids = seen + [ident(h) for h in rest]
    assert set(ids) == {_id(i) for i in built.all}
    assert ids[-2:] == [_id(served_one), _id(later_one)]
    assert rest[-1].get("status") == "deleted"


def test_from_equals_until_on_one_day(catalog, built, schemas):
    day = dt.datetime(2023, 5, 17, 10, 30, 0)
    with catalog.session() as s:
        s.execute(update(CatalogRecord).where(CatalogRecord.id.in_(built.unimarc)).values(datestamp=day))
        s.execute(update(CatalogRecord).where(CatalogRecord.id == built.irbis[0])
                  .values(datestamp=day + dt.timedelta(days=1)))
    c = Client(make_app(catalog), schemas)
    recs, _ = c.harvest("ListIdentifiers", metadataPrefix="oai_dc", **{"from": "2023-05-17", "until": "2023-05-17"})
    assert sorted(ident(r) for r in recs) == sorted(_id(i) for i in built.unimarc)
    recs, _ = c.harvest("ListIdentifiers", metadataPrefix="oai_dc",
                        **{"from": "2023-05-17T10:30:00Z", "until": "2023-05-17T10:30:00Z"})
    assert len(recs) == 3
    assert c.error("verb=ListIdentifiers&metadataPrefix=oai_dc&from=2023-05-17T10:30:01Z"
                   "&until=2023-05-17T23:59:59Z") == "noRecordsMatch"
    recs, _ = c.harvest("ListIdentifiers", metadataPrefix="oai_dc", **{"until": "2023-05-18"})
    assert len(recs) == 4


def test_token_from_a_different_query_or_repository(ro, schemas):
    catalog = ro[0]
    c = Client(make_app(catalog, page_size=4), schemas)
    tok = c("verb=ListRecords&metadataPrefix=marc21").find(f".//{OAI}resumptionToken").text
    assert c.error({"verb": "ListIdentifiers", "resumptionToken": tok}) == "badResumptionToken"
    body, sig = tok.split(".")
    assert c.error({"verb": "ListRecords", "resumptionToken": body[:-2] + "AA." + sig}) == "badResumptionToken"
    assert c.error({"verb": "ListRecords", "resumptionToken": tok[:-3]}) == "badResumptionToken"
    foreign = tokens.encode(tokens.decode(tok, c.app.key, "ListRecords"), b"another repository")
    assert c.error({"verb": "ListRecords", "resumptionToken": foreign}) == "badResumptionToken"
    again = Client(make_app(catalog, page_size=4), schemas)
    assert again.error({"verb": "ListRecords", "resumptionToken": tok}) is None


def test_token_carries_set_and_dates(client, ro):
    built = ro[1]
    recs, toks = client.harvest("ListRecords", metadataPrefix="oai_dc", set="ek:books",
                                **{"from": "2000-01-01", "until": "2100-01-01"})
    assert len(toks) >= 2
    assert sorted(ident(r) for r in recs) == sorted(_id(i) for i in built.marc)
    state = tokens.decode(toks[0].text, client.app.key, "ListRecords")
    assert (state.set_spec, state.from_, state.until) == ("ek:books", "2000-01-01", "2100-01-01")


def test_control_characters_never_break_a_page(client, ro):
    built = ro[1]
    root = client(f"verb=GetRecord&metadataPrefix=marc21&identifier={_id(built.control)}")
    title = root.find(".//{http://www.loc.gov/MARC21/slim}datafield[@tag='245']/{http://www.loc.gov/MARC21/slim}subfield")
    assert title.text == "Бақылау таңбасы және "
    root = client(f"verb=GetRecord&metadataPrefix=oai_dc&identifier={_id(built.control)}")
    assert "Бақылау" in root.findtext(".//{http://purl.org/dc/elements/1.1/}title")
    assert client.app.stats["illegal_chars"] >= 4


def test_invalid_utf8_in_sqlite_never_breaks_a_page(tmp_path, schemas):
    """Only SQLite can hold invalid UTF-8 (PostgreSQL refuses it on the way in)."""
    from libcat.catalog.store import open_catalog

    catalog = open_catalog(f"sqlite:///{tmp_path / 'bad.db'}", must_exist=False)
    catalog.init()
    built = build(catalog)
    with catalog.engine.begin() as conn:
        data = conn.execute(text("select data from records where id = :i"), {"i": built.marc[0]}).scalar()
        raw = data.encode("utf-8").replace("Қазақ".encode("utf-8"), b"\xff\xfe\xc3Kaz")
        conn.execute(text("update records set data = cast(:b as text) where id = :i"), {"b": raw, "i": built.marc[0]})
    app = make_app(catalog, page_size=50)
    c = Client(app, schemas)
    recs, _ = c.harvest("ListRecords", metadataPrefix="marc21")
    assert len(recs) == len(built.all)
    assert app.stats["bad_utf8"] == 1


def test_keyset_page_cost_does_not_grow(catalog):
    from libcat.catalog import oai_queries as q

    with catalog.session() as s:
        for i in range(30):
            records.create(s, marc21(f"p{i}", f"Бет {i}"), "marc21")
    with catalog.Session() as s:
        rows = q.page(s, q.ListFilter(), None, 1000, with_data=False)
        after = (rows[9].datestamp, rows[9].id)
        nxt = q.page(s, q.ListFilter(), after, 5, with_data=False)
        assert [r.id for r in nxt] == [r.id for r in rows[10:15]]
        assert q.count(s, q.ListFilter()) == 30
