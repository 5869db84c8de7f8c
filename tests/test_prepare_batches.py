"""Records prepared in batches (``_Preparer.many``, ``STAGE_SIZE`` at a time, each step over the whole batch
before the next) come out exactly as each record prepared alone: in order, field by field, across batch
boundaries, inline and on worker processes, one file at a time (SQLite and PostgreSQL)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from libcat.catalog import holdings
from libcat.catalog import importer as imp
from libcat.catalog.models import CatalogRecord, Quarantine
from libcat.catalog.store import open_catalog
from libcat.kabis import classify, profiles
from libcat.marc import io as marc_io
from libcat.marc import keys as mkeys
from libcat.marc.flavour import FLAVOURS, IRBIS, detect, set_flavour
from libcat.marc.items import ReadItem
from libcat.marc.validate import validate
from test_import_helpers import irbis, isbn, items, live_count, marc
from test_import_parallel import _dump, _report
from test_oai_helpers import rusmarc

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
#: Every letter of the Kazakh alphabet that Russian lacks, in both cases.
KAZAKH = "әғқңөұүһі ӘҒҚҢӨҰҮҺІ"
STAGE = imp.STAGE_SIZE


def _preparer(lang: str | None = "kk", into: str | None = None) -> imp._Preparer:
    return imp._Preparer(lang, into, classify.load(profiles.DEFAULT_PROFILE))


def _problems(problems: list[imp.Problem]) -> list[tuple]:
    return [(p.position, p.control_number, p.severity, p.code, p.message, p.file) for p in problems]


def _norm(o: imp._Outcome | imp._Prepared) -> dict:
    """Everything an outcome carries to the writing process, as plain data (JSON decoded when it travelled
    from a worker as UTF-8 bytes)."""
    if isinstance(o, imp._Outcome):
        it = o.item
        return {"kind": o.kind, "file": o.file, "position": it.position, "offset": it.offset, "raw": it.raw,
                "external_id": it.external_id, "mfn": it.mfn, "read_warnings": _problems(o.read_warnings),
                "errors": _problems(o.errors), "cn": o.cn}
    cols = imp._row_columns(o.row)
    if isinstance(cols["data"], bytes):
        cols["data"] = cols["data"].decode("utf-8")
    return {"kind": "prepared", "file": o.file, "position": o.position, "offset": o.offset,
            "offset_unit": o.offset_unit, "flavour": o.flavour, "columns": cols, "keys": list(o.keys),
            "copies": o.copies, "subcat": o.subcat, "warnings": _problems(o.warnings)}


def _plain(prep: imp._Preparer, item: ReadItem, file: str) -> dict:
    """What the import promises for one item, by the plain per-record rules (no field index, no clean text):
    a deletion; an unreadable record (control number from the raw bytes); a record with validation errors,
    rejected with its read warnings; else its row columns, keys, sub-catalogue, copies and warnings (those
    of reading first, validation warnings taking the record's control number when the reader gave none)."""
    def outcome(kind: str, read: list = (), errors: list = (), cn: str | None = None) -> dict:
        return {"kind": kind, "file": file, "position": item.position, "offset": item.offset, "raw": item.raw,
                "external_id": item.external_id, "mfn": item.mfn, "read_warnings": list(read),
                "errors": list(errors), "cn": cn}

    if item.deleted:
        return outcome("deleted")
    if not item.ok:
        cn = item.control_number or imp.raw_control_number(item.raw)
        error = (item.position, cn, "error", "unreadable", item.error or "no record", file)
        return outcome("unreadable", errors=[error], cn=cn)
    read = [(item.position, item.control_number, "warning", "read", w, file) for w in item.warnings]
    record = item.record
    flavour = item.flavour if item.flavour in FLAVOURS else detect(record)
    set_flavour(record, flavour)
    found = []
    for f in validate(record, flavour, item.position):
        where = (f.tag or "") + (f"${f.subfield}" if f.subfield else "")
        msg = f.message(prep.lang)
        text = f"{where}: {msg}" if where else msg
        found.append((item.position, item.control_number, f.severity, f.code, text, file))
    errors = [p for p in found if p[2] == "error"]
    cols, summary = imp.columns_for(record, flavour)
    cn = cols["control_number"]
    if errors:
        return outcome("rejected", read, errors, cn or item.control_number)
    ext = item.external_id or (f"mfn:{item.mfn}" if item.mfn else None)
    cols["external_id"] = ext[:300] if ext else None
    by_hash = None if (cn or cols["external_id"]) else cols["content_hash"]
    return {"kind": "prepared", "file": file, "position": item.position, "offset": item.offset,
            "offset_unit": item.offset_unit, "flavour": flavour, "columns": cols,
            "keys": mkeys.record_keys(record, flavour, summary, by_hash), "copies": holdings.extract(record, flavour),
            "subcat": prep.into or prep.classifier.classify(record, flavour),
            "warnings": read + [(p[0], p[1] or cn, *p[2:]) for p in found]}


def _iso_bytes(record) -> bytes:
    buf = io.BytesIO()
    w = marc_io.open_writer(buf, "iso2709", "utf-8")
    w.write(record)
    w.close()
    return buf.getvalue()


def _unreadable_iso(cn: str) -> bytes:
    """An ISO 2709 record without field terminators (unreadable) whose directory still names its 001."""
    return _iso_bytes(marc(cn, f"Сынған {cn}")).replace(b"\x1e", b"\x1f")


def _mixed_items() -> list[ReadItem]:
    """Fresh items of every kind: good, warnings only, rejected, unreadable, deleted; three flavours;
    Kazakh and Russian text; identities from 001, IRBIS 903, external ids and MFNs."""
    bad_isbn = isbn(11)
    bad_isbn = bad_isbn[:-1] + str((int(bad_isbn[-1]) + 1) % 10)
    long_title = "Ұзақ " * 80
    recs = [
        marc("kz-1", f"Әліппе {KAZAKH}", author="Құнанбайұлы Абай", isbn=isbn(1), copies=[("ИНВ-1", "ОА")]),
        marc(None, "Без контрольного номера"),
        marc(None, "Без контрольного номера"),
        marc("w-1", "Қате ISBN", isbn=bad_isbn, copies=[("W1", "ЦБ"), ("W2", "Ф1")]),
        marc("r-1", ""),
        rusmarc("ru-1", "Путь Абая"),
        irbis([("920", [("*", "PAZK")]), ("101", [("*", "kaz")]), ("200", [("a", f"Қамшы {KAZAKH}")]),
               ("903", [("*", "I-1")]), ("907", [("c", "ПК"), ("a", "20200304")]),
               ("910", [("a", "0"), ("b", "77"), ("c", "20200304"), ("d", "ЦБ"), ("e", "350")]),
               ("910", [("a", "6"), ("b", "78"), ("d", "Ф3"), ("v", "Акт 5 от 01.02.2021")])]),
        irbis([("920", [("*", "ASP")]), ("200", [("a", "Мақала")]), ("903", [("*", "A-1")])]),
        irbis([("920", [("*", "PAZK")]), ("200", [("a", "Өлке")]), ("903", [("*", "L-1")]),
               ("629", [("b", "Местное изд.")])]),
        irbis([("920", [("*", "PAZK")]), ("200", [("a", "")]), ("903", [("*", "I-bad")])]),
        marc("m-long" * 50, long_title, year=1999, leader7="a", isbn=isbn(12)),
        marc("kz-1", f"Әліппе {KAZAKH}", author="Құнанбайұлы Абай", isbn=isbn(1)),
    ]
    out = items(recs)
    out[1].control_number = None
    out[4].warnings = ["leader says 99999 bytes, the record has 412"]
    out[5].flavour = None  # detected
    out[6].warnings = ["line 4: ^ without a subfield code"]
    out[6].offset, out[6].offset_unit, out[6].mfn = 31, "line", 12
    out[7].external_id = "oai:kz:" + "ұ" * 400
    out[0].control_number = "kz-1"
    out[9].control_number = "I-bad"
    out[9].warnings = ["read note"]
    n = len(out)
    out += [
        ReadItem(n + 1, 12, b"#920: PAZK\n#903: \xd0\x91\xd0\xa0-9\n#2OO: x\n", error="line 3: not a field line",
                 offset_unit="line"),
        ReadItem(n + 2, 4096, _unreadable_iso("u-1"), error="no field terminator after the directory"),
        ReadItem(n + 3, None, b"", error=None),
        ReadItem(n + 4, None, b"", deleted=True, external_id="oai:kz:deleted"),
        ReadItem(n + 5, 0, b"", record=irbis([("200", [("a", "Жойылған")]), ("903", [("*", "D-1")])]),
                 flavour=IRBIS, deleted=True, mfn=5),
        ReadItem(n + 6, 99, b"", record=marc("last", f"Соңғы {KAZAKH}", copies=[("L1", "ОА")]),
                 warnings=["base address '00000' is wrong"], control_number="last"),
    ]
    return out


def _alone(prep: imp._Preparer, file: str, batch: list[ReadItem]) -> list[dict]:
    """Each item prepared alone (``_Preparer.__call__``), checked against the plain per-record rules."""
    out = [_norm(prep(item, file)) for item in batch]
    _same(out, [_plain(prep, item, file) for item in batch])
    return out


def _together(prep: imp._Preparer, file: str, batch: list[ReadItem]) -> list[dict]:
    return [_norm(o) for o in prep.many(file, [(item, None, None) for item in batch])]


def _same(got: list[dict], want: list[dict]) -> None:
    assert len(got) == len(want)
    for i, (g, w) in enumerate(zip(got, want)):
        assert g == w, f"item {i}"


@pytest.mark.parametrize("lang,into", [("kk", None), ("ru", None), ("en", "rare")])
def test_many_on_a_mixed_batch_is_each_item_prepared_alone(lang, into):
    prep = _preparer(lang, into)
    want = _alone(prep, "mix.mrc", _mixed_items())
    got = _together(prep, "mix.mrc", _mixed_items())
    _same(got, want)
    kinds = [w["kind"] for w in want]
    assert {"prepared", "rejected", "unreadable", "deleted"} == set(kinds)
    assert {w["flavour"] for w in want if w["kind"] == "prepared"} == {"marc21", "unimarc", "irbis"}
    assert any(KAZAKH in w["columns"]["data"] for w in want if w["kind"] == "prepared")
    assert any(w["warnings"] for w in want if w["kind"] == "prepared")
    assert any(w["copies"] for w in want if w["kind"] == "prepared")
    assert {w["cn"] for w in want if w["kind"] == "unreadable"} >= {"БР-9", "u-1"}
    rejected = [w for w in want if w["kind"] == "rejected"]
    assert [w["cn"] for w in rejected] == ["r-1", "I-bad"] and all(w["errors"] for w in rejected)
    assert rejected[0]["read_warnings"][0][3] == "read"
    warned = {w["columns"]["control_number"]: w["warnings"] for w in want if w["kind"] == "prepared"}
    assert [p[1] for p in warned["w-1"]] == ["w-1"], "a validation warning takes the record's control number"
    if into:
        assert {w["subcat"] for w in want if w["kind"] == "prepared"} == {into}
    # Order is kept whatever the batch holds: the same items backwards give the same outcomes backwards.
    _same(_together(prep, "mix.mrc", _mixed_items()[::-1]), want[::-1])
    # The same items spread over batches of five change nothing either.
    mixed = _mixed_items()
    _same([o for i in range(0, len(mixed), 5) for o in _together(prep, "mix.mrc", mixed[i:i + 5])], want)


def test_many_on_the_samples_is_each_item_prepared_alone():
    prep = _preparer()
    kinds = set()
    for name in ("kazakh-books-and-articles.txt", "rusmarc-sample.iso", "broken-records.txt"):
        want = _alone(prep, name, list(marc_io.read(SAMPLES / name)))
        _same(_together(prep, name, list(marc_io.read(SAMPLES / name))), want)
        kinds |= {(w["kind"], w.get("flavour")) for w in want}
    assert kinds == {("prepared", "irbis"), ("prepared", "unimarc"), ("unreadable", None)}


def _corpus_files(corpus: Path) -> list[Path]:
    """Every corpus file libcat reads."""
    files = []
    for path in sorted(corpus.rglob("*")):
        if path.is_file():
            try:
                if next(iter(marc_io.read(path)), None) is not None:
                    files.append(path)
            except ValueError:
                continue
    return files


def test_many_on_the_corpus_is_each_item_prepared_alone(corpus):
    prep = _preparer("ru")
    files = _corpus_files(corpus)
    total = 0
    for path in files:
        want = _alone(prep, path.name, list(marc_io.read(path)))
        batch = list(marc_io.read(path))
        got = [o for i in range(0, len(batch), STAGE) for o in _together(prep, path.name, batch[i:i + STAGE])]
        _same(got, want)
        total += len(want)
    assert len(files) > 100 and total > 2000


def _worker_outcomes(monkeypatch, prep: imp._Preparer, path: Path) -> list[dict]:
    """What the worker processes send back for ``path`` (``_prepare_raw`` run in this process)."""
    monkeypatch.setattr(imp, "_WORKER", prep)
    return [_norm(imp._unpack(t)) for unit in imp._raw_units(str(path), imp.WORKER_UNIT)
            for t in imp._prepare_raw(str(path), unit, None)]


def test_worker_batches_are_what_the_reader_and_each_item_alone_give(monkeypatch, corpus, tmp_path):
    prep = _preparer()
    big = _boundary_file(tmp_path / "b.mrc", imp.WORKER_UNIT + STAGE + 1, broken={STAGE, STAGE + 1, imp.WORKER_UNIT})
    files = [big, SAMPLES / "rusmarc-sample.iso"] + [p for p in _corpus_files(corpus) if marc_io.detect_format(
        p.read_bytes()[:65536], p.name) == "iso2709"]
    for path in files:
        _same(_worker_outcomes(monkeypatch, prep, path), _alone(prep, str(path), list(marc_io.read(path))))


# -- batch boundaries in whole imports ------------------------------------------------------------------------

def _boundary_file(path: Path, n: int, broken: set[int] = frozenset(), rejected: set[int] = frozenset(),
                   warned: set[int] = frozenset()) -> Path:
    """An ISO 2709 file of ``n`` records ``b<position>``: unreadable ones at the ``broken`` positions
    (1-based), records without a title at ``rejected``, a wrong ISBN check digit at ``warned``; copies,
    records without a control number and Kazakh text among the others."""
    chunks = []
    for pos in range(1, n + 1):
        cn = f"b{pos}"
        if pos in broken:
            chunks.append(_unreadable_iso(cn))
            continue
        code = isbn(7000 + pos) if pos % 4 or pos in warned else None
        if pos in warned:
            code = code[:-1] + str((int(code[-1]) + 1) % 10)
        title = "" if pos in rejected else f"Кітап {pos} {KAZAKH[pos % 9]}"
        copies = [(f"INV{pos}", "ЦБ")] * (pos % 3 > 0)
        chunks.append(_iso_bytes(marc(None if pos % 50 == 25 else cn, title, author=f"Автор {pos % 7}",
                                      year=1950 + pos % 60, isbn=code, copies=copies)))
    path.write_bytes(b"".join(chunks))
    return path


def _quarantine(cat) -> list[tuple]:
    with cat.Session() as s:
        return [(q.position, q.control_number, Path(q.file).name, q.reasons.splitlines()[-1].split(":")[0])
                for q in s.scalars(select(Quarantine).order_by(Quarantine.position))]


@pytest.mark.parametrize("n,chunk_size", [(STAGE + 1, imp.CHUNK_SIZE), (2 * STAGE, 150)])
def test_broken_record_at_the_batch_boundary_parallel_and_inline(catalog, tmp_path, n, chunk_size):
    broken = {STAGE} if n == STAGE + 1 else {STAGE + 1, 2 * STAGE}
    rejected = {STAGE + 1} if n == STAGE + 1 else {STAGE}
    warned = {STAGE - 1, STAGE + 1, n}
    path = _boundary_file(tmp_path / "edge.mrc", n, broken, rejected, warned - broken - rejected)
    assert imp._parallel_plan(str(path), imp.ImportOptions()) is None, "a small file goes inline"
    inline = open_catalog(f"sqlite:///{tmp_path / 'inline.db'}", must_exist=False)
    inline.init()
    reports = {}
    for name, cat, jobs in (("inline", inline, None), ("parallel", catalog, 2)):
        reports[name] = imp.import_files(cat, [path], imp.ImportOptions(source="edge", jobs=jobs,
                                                                         chunk_size=chunk_size))
    r = reports["inline"]
    assert _report(reports["parallel"]) == _report(r)
    assert r.exit_code == reports["parallel"].exit_code == 1
    bad = len(broken) + len(rejected)
    assert (r.read, r.rejected, r.added) == (n, bad, n - bad)
    errors = sorted((p.position, p.control_number, p.code, Path(p.file).name)
                    for p in r.problems if p.severity == "error")
    assert errors == sorted([(b, f"b{b}", "unreadable", "edge.mrc") for b in broken]
                            + [(b, f"b{b}", "missing-title", "edge.mrc") for b in rejected])
    checks = sorted((p.position, p.control_number) for p in r.problems if p.code == "isbn-checksum")
    assert checks == sorted((w, f"b{w}") for w in warned - broken - rejected)
    for cat in (inline, catalog):
        assert _quarantine(cat) == sorted([(b, f"b{b}", "edge.mrc", "unreadable") for b in broken]
                                          + [(b, f"b{b}", "edge.mrc", "missing-title") for b in rejected])
    got, want = _dump(catalog), _dump(inline)
    for part in want:
        assert got[part] == want[part], part
    assert len(want["records"]) == n - bad and want["copies"] and want["keys"]
    inline.engine.dispose()


# -- the inline path: one file per batch ----------------------------------------------------------------------

def test_two_files_in_one_import_inline_keep_their_own_problems(catalog, tmp_path):
    first = _boundary_file(tmp_path / "first.mrc", STAGE + 3, broken={2}, rejected={STAGE + 1}, warned={STAGE})
    second = tmp_path / "second.txt"
    second.write_bytes((SAMPLES / "broken-records.txt").read_bytes())
    r = imp.import_files(catalog, [first, second], imp.ImportOptions(jobs=1, lang="kk"))
    assert r.exit_code == 1 and r.rejected == 3 and r.read == STAGE + 3 + 4
    errors = sorted((Path(p.file).name, p.position, p.code) for p in r.problems if p.severity == "error")
    assert errors == [("first.mrc", 2, "unreadable"), ("first.mrc", STAGE + 1, "missing-title"),
                      ("second.txt", 3, "unreadable")]
    checks = [(Path(p.file).name, p.position, p.control_number) for p in r.problems if p.code == "isbn-checksum"]
    assert checks == [("first.mrc", STAGE, f"b{STAGE}")]
    assert _quarantine(catalog) == [(2, "b2", "first.mrc", "unreadable"), (3, "BR-003", "second.txt", "unreadable"),
                                    (STAGE + 1, f"b{STAGE + 1}", "first.mrc", "missing-title")]
    with catalog.Session() as s:
        cns = set(s.scalars(select(CatalogRecord.control_number)))
    assert {"BR-001", "BR-002", "BR-004", "b1", f"b{STAGE + 3}"} <= cns


def _spy_many(monkeypatch) -> list[tuple[str, int]]:
    """(file name, items) of every ``_Preparer.many`` call from now on."""
    calls = []
    many = imp._Preparer.many

    def spy(self, file, batch):
        calls.append((Path(file).name, len(batch)))
        return many(self, file, batch)

    monkeypatch.setattr(imp._Preparer, "many", spy)
    return calls


def test_item_outcomes_never_prepare_items_of_two_files_together(catalog, monkeypatch):
    calls = _spy_many(monkeypatch)
    plan = [("a.mrc", STAGE + 50), ("b.txt", 3), ("a.mrc", 2), ("c.xml", 2 * STAGE), ("b.txt", 1)]
    stream = []
    for file, count in plan:
        stream += [(it, file) for it in items([marc(f"{file}-{i}", f"{file} {i} {KAZAKH}") for i in range(count)])]
    run = imp._Run(catalog, imp.ImportOptions(dry_run=True), "import", "", [])
    out = [o for batch in run.item_batches(iter(stream)) for o in batch]
    assert [(o.file, o.row[imp._CN]) for o in out] == [
        (file, it.record["001"].data) for it, file in stream]
    assert calls == [("a.mrc", STAGE), ("a.mrc", 50), ("b.txt", 3), ("a.mrc", 2), ("c.xml", STAGE),
                     ("c.xml", STAGE), ("b.txt", 1)]


def test_import_items_over_several_batches(catalog):
    recs = [marc(f"h{i}", f"Жинақ {i} {KAZAKH[i % 9]}", isbn=isbn(100 + i)) for i in range(2 * STAGE + 7)]
    recs[STAGE] = marc(f"h{STAGE}", "")
    r = imp.import_items(catalog, items(recs), imp.ImportOptions(source="oai", chunk_size=64), label="oai:kz")
    assert (r.read, r.added, r.rejected, r.exit_code) == (2 * STAGE + 7, 2 * STAGE + 6, 1, 1)
    assert [(p.position, p.control_number, p.code, p.file) for p in r.problems] == [
        (STAGE + 1, f"h{STAGE}", "missing-title", "oai:kz")]
    assert live_count(catalog) == 2 * STAGE + 6


# -- `libcat import` of an IRBIS text file in a Cyrillic code page ---------------------------------------------

def _irbis_text(titles: list[str], broken_at: int) -> str:
    out = []
    for i, title in enumerate(titles, 1):
        tag = "2OO" if i == broken_at else "200"
        out.append(f"#920: PAZK\n#101: kaz\n#{tag}: ^A{title}^FАвтор {i}\n#210: ^AАлматы^D2019\n#903: T-{i}\n"
                   f"#907: ^CПК^A20240105^BСопина Ж.\n#910: ^A0^B{500 + i}^C20240105^DОА\n*****\n")
    return "".join(out)


@pytest.mark.parametrize("encoding,word", [("cp1251", "Русская книга і"), ("kz1048", f"Қазақ кітабы {KAZAKH}")])
def test_cli_import_of_a_cyrillic_irbis_text_file_goes_inline(run_cli, db_url, tmp_path, monkeypatch, encoding, word):
    sizes = _spy_many(monkeypatch)
    n = STAGE + 5
    path = tmp_path / "katalog.txt"
    path.write_bytes(_irbis_text([f"{word} {i}" for i in range(1, n + 1)], broken_at=STAGE + 1).encode(encoding))
    assert imp._parallel_plan(str(path), imp.ImportOptions()) is None
    assert run_cli("init").exit_code == 0
    report = tmp_path / "r.json"
    res = run_cli("import", str(path), "--branch", "ЦБС", "--report-json", str(report))
    assert res.exit_code == 1, res.output
    assert sizes == [("katalog.txt", STAGE), ("katalog.txt", 5)]
    data = json.loads(report.read_text(encoding="utf-8"))
    assert (data["read"], data["added"], data["rejected"]) == (n, n - 1, 1)
    errors = [(p["position"], p["control_number"], p["code"], Path(p["file"]).name)
              for p in data["problems"] if p["severity"] == "error"]
    assert errors == [(STAGE + 1, f"T-{STAGE + 1}", "unreadable", "katalog.txt")]
    assert f"katalog.txt\t{STAGE + 1}" in run_cli("quarantine", "list").output
    cat = open_catalog(db_url)
    with cat.Session() as s:
        titles = dict(s.execute(select(CatalogRecord.control_number, CatalogRecord.title)).all())
    cat.engine.dispose()
    assert titles == {f"T-{i}": f"{word} {i}" for i in range(1, n + 1) if i != STAGE + 1}


# -- a lazy source of items (the harvester) ---------------------------------------------------------------------

@pytest.mark.parametrize("chunk,count", [(4, 12), (STAGE + 50, 2 * STAGE + 160)])
def test_a_lazy_source_is_read_only_as_far_as_the_committed_chunks(catalog, chunk, count):
    """Batches end at chunk ends (also when a chunk is not a multiple of a batch): item k is asked for only
    once the chunks before it are written."""
    committed_when_asked = []

    def source():
        for it in items([marc(f"z{i}", f"Кітап {i} {KAZAKH}") for i in range(count)]):
            committed_when_asked.append(live_count(catalog))
            yield it

    r = imp.import_items(catalog, source(), imp.ImportOptions(chunk_size=chunk))
    assert r.added == count
    assert committed_when_asked == [k // chunk * chunk for k in range(count)]
