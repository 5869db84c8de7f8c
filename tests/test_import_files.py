"""Import from files through the CLI: broken records in the middle, quarantine, classification, holdings,
the real corpus, and an import killed half-way (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from libcat.catalog import batches as bt
from libcat.catalog import importer as imp
from libcat.catalog import quarantine as qu
from libcat.catalog import undo as un
from libcat.catalog.models import Batch, CatalogRecord, Copy, Quarantine, RecordEvent, RecordKey, Subcatalog
from test_import_helpers import isbn, live_count, marc, write_iso

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples"


def test_broken_record_in_the_middle_is_quarantined_and_exit_is_1(run_cli, db_url, tmp_path):
    assert run_cli("init").exit_code == 0
    report = tmp_path / "r.json"
    res = run_cli("import", str(SAMPLES / "broken-records.txt"), "--branch", "br", "--report-json", str(report))
    assert res.exit_code == 1
    assert "added 3" in res.output and "rejected 1" in res.output
    assert "broken-records.txt: record 3" in res.output and "BR-003" not in res.output.split("rejected")[0]
    data = json.loads(report.read_text(encoding="utf-8"))
    assert {k: data[k] for k in ("read", "added", "rejected")} == {"read": 4, "added": 3, "rejected": 1}
    prob = data["problems"][0]
    assert set(prob) >= {"position", "control_number", "severity", "code", "message", "file"}
    assert (prob["position"], prob["severity"], prob["code"]) == (3, "error", "unreadable")
    listed = run_cli("quarantine", "list")
    assert listed.exit_code == 0 and "broken-records.txt\t3" in listed.output
    fixed = tmp_path / "fixed.txt"
    assert run_cli("quarantine", "export", "-o", str(fixed)).exit_code == 0
    body = fixed.read_bytes().decode("utf-8")
    assert "#2OO:" in body and body.rstrip().endswith("*****")
    fixed.write_text(body.replace("#2OO:", "#200:"), encoding="utf-8")
    again = run_cli("import", str(fixed), "--branch", "br")
    assert again.exit_code == 0 and "added 1" in again.output
    assert run_cli("quarantine", "list").output.strip() == ""
    assert "1 record(s) rejected" not in run_cli("--lang", "ru", "batches").output
    undo = run_cli("undo", "1")
    assert undo.exit_code == 0 and "3 added record(s) removed" in undo.output


def test_samples_classified_with_copies_dates_and_languages(catalog):
    r = imp.import_files(catalog, [SAMPLES / "kazakh-books-and-articles.txt", SAMPLES / "rusmarc-sample.iso"],
                         imp.ImportOptions(source="ЦБС"))
    assert r.rejected == 0 and r.added + r.duplicates == r.read == 35
    with catalog.Session() as s:
        per = dict(s.execute(select(Subcatalog.code, func.count(CatalogRecord.id))
                             .join(CatalogRecord, CatalogRecord.subcat_id == Subcatalog.id)
                             .where(CatalogRecord.deleted_at.is_(None)).group_by(Subcatalog.code)).all())
        assert sum(per.values()) == r.added and min(per["articles"], per["books"], per["local-lore"]) > 0
        langs = set(s.scalars(select(CatalogRecord.language)))
        assert {"kaz", "rus"} <= langs
        years = {d.year for d in s.scalars(select(CatalogRecord.entry_date).where(CatalogRecord.flavour == "irbis"))}
        assert years <= set(range(2019, 2025))
        assert s.scalar(select(func.count()).select_from(Copy)) > 0


def test_irbis_rules_copies_and_written_off(catalog):
    from test_import_helpers import irbis, items

    book = irbis([("920", [("*", "PAZK")]), ("200", [("a", "Кітап")]), ("903", [("*", "K-1")]),
                  ("907", [("c", "ПК"), ("a", "20150304")]),
                  ("910", [("a", "0"), ("b", "1001"), ("c", "20150304"), ("d", "ЦБ"), ("e", "350")]),
                  ("910", [("a", "6"), ("b", "1002"), ("d", "Ф3"), ("v", "Акт 12 от 15.06.2020")])])
    article = irbis([("920", [("*", "ASP")]), ("200", [("a", "Мақала")]), ("903", [("*", "A-1")])])
    lore = irbis([("920", [("*", "PAZK")]), ("200", [("a", "Өлке")]), ("903", [("*", "L-1")]),
                  ("629", [("b", "Местное изд.")])])
    ebook = irbis([("920", [("*", "PAZK")]), ("200", [("a", "E")]), ("903", [("*", "E-1")]),
                   ("951", [("a", "e.pdf"), ("i", "http://x/e.pdf")])])
    m_article = marc("ma", "Article", leader7="a")
    r = imp.import_items(catalog, items([book, article, lore, ebook, m_article]), imp.ImportOptions())
    assert r.added == 5
    with catalog.Session() as s:
        got = dict(s.execute(select(CatalogRecord.control_number, Subcatalog.code)
                             .join(Subcatalog, Subcatalog.id == CatalogRecord.subcat_id)).all())
        assert got == {"K-1": "books", "A-1": "articles", "L-1": "local-lore", "E-1": "e-books", "ma": "articles"}
        row = s.scalar(select(CatalogRecord).where(CatalogRecord.control_number == "K-1"))
        assert row.entry_date.isoformat() == "2015-03-04"
        copies = {c.inventory_number: c for c in s.scalars(select(Copy).where(Copy.record_id == row.id))}
        assert copies["1001"].status == "available" and copies["1001"].price == "350"
        assert copies["1001"].receipt_date.isoformat() == "2015-03-04" and copies["1001"].location == "ЦБ"
        assert copies["1002"].status == "written-off" and copies["1002"].written_off_at.isoformat() == "2020-06-15"
    into = imp.import_items(catalog, items([marc("zz", "Into")]), imp.ImportOptions(into="rare"))
    assert into.added == 1


def test_real_corpus_files(catalog, corpus):
    files = sorted((corpus / "irbis").glob("*.txt")) + [corpus / "irbis" / "istu.mst",
                                                         corpus / "irbis" / "rusmarc_nlr_81records_cp1251.iso"]
    marc_dir = corpus / "marc"
    files += sorted(p for p in marc_dir.rglob("*.mrc") if p.stat().st_size < 200_000)[:4]
    r = imp.import_files(catalog, files, imp.ImportOptions(source="corpus"))
    assert r.read >= 394
    assert r.read == r.added + r.unchanged + r.duplicates + r.rejected + r.updated
    with catalog.Session() as s:
        assert s.scalar(select(func.count()).select_from(Quarantine)) == r.rejected
        flavours = set(s.scalars(select(CatalogRecord.flavour).distinct()))
        assert {"irbis", "unimarc", "marc21"} <= flavours
        mst = s.scalar(select(func.count()).select_from(CatalogRecord).where(CatalogRecord.external_id.like("mfn:%")))
        assert mst > 250
    again = imp.import_files(catalog, files, imp.ImportOptions(source="corpus"))
    assert (again.added, again.updated) == (0, 0)


_KILLED_IMPORT = """
import sys
from libcat.catalog.store import open_catalog
from libcat.catalog.importer import import_files, ImportOptions
cat = open_catalog(sys.argv[1])
import_files(cat, [sys.argv[2]], ImportOptions(source="big", chunk_size=100))
"""


def test_import_killed_half_way_is_consistent_and_can_be_rerun_or_undone(catalog, db_url, tmp_path):
    big = write_iso(tmp_path / "big.mrc", [marc(f"k{i}", f"Кітап {i}", year=1950 + i % 70, isbn=isbn(5000 + i),
                                                copies=[(f"K{i}", "ЦБ")]) for i in range(3000)])
    proc = subprocess.Popen([sys.executable, "-c", _KILLED_IMPORT, db_url, str(big)], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 60
    while time.time() < deadline and live_count(catalog) < 300:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done = live_count(catalog)
    assert 300 <= done < 3000, proc.stderr.read().decode()[-2000:]
    assert done % 100 == 0
    with catalog.Session() as s:
        batch = s.scalar(select(Batch))
        assert batch.status == "running"
        for model in (RecordEvent, RecordKey, Copy):
            n = s.scalar(select(func.count(func.distinct(model.record_id))))
            assert n == done, model
    assert [b["status"] for b in bt.list_batches(catalog)] == ["interrupted"]
    rerun = imp.import_files(catalog, [big], imp.ImportOptions(source="big"))
    assert (rerun.unchanged, rerun.added) == (done, 3000 - done)
    assert un.undo_batch(catalog, batch.id)["removed"] == done
    assert live_count(catalog) == 3000 - done


def test_empty_file_or_bom_only_is_an_error_and_leaves_no_batch(run_cli, tmp_path):
    assert run_cli("init").exit_code == 0
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    bom = tmp_path / "bom.txt"
    bom.write_bytes(b"\xef\xbb\xbf\r\n")
    res = run_cli("import", str(empty))
    assert res.exit_code == 1 and res.output.strip() == f"libcat: error: {empty}: no records found"
    res = run_cli("--lang", "kk", "import", str(bom))
    assert res.exit_code == 1 and res.output.strip() == f"libcat: қате: {bom}: жазбалар табылмады"
    res = run_cli("--lang", "ru", "import", str(bom))
    assert res.exit_code == 1 and "записи не найдены" in res.output
    assert run_cli("batches").output.strip() == ""


def test_bad_encoding_or_format_leaves_no_batch_and_names_the_file_once(run_cli, tmp_path):
    assert run_cli("init").exit_code == 0
    junk = tmp_path / "junk.bin"
    junk.write_bytes(bytes(range(0x80, 0x100)) * 2)
    res = run_cli("import", "--encoding", "nope", str(SAMPLES / "broken-records.txt"))
    assert res.exit_code == 1 and "unknown encoding 'nope'" in res.output
    res = run_cli("import", "--format", "mst", str(junk))
    assert res.exit_code == 1 and res.output.count("junk.bin") == 1, res.output
    res = run_cli("import", str(junk))
    assert res.exit_code == 1 and res.output.count("junk.bin") == 1
    assert run_cli("batches").output.strip() == ""


def test_quarantine_reason_does_not_repeat_unreadable(catalog):
    report = imp.import_files(catalog, [SAMPLES / "broken-records.txt"], imp.ImportOptions(source="br"))
    [row] = qu.quarantine_rows(catalog)
    assert report.rejected == 1
    assert row.reasons.count("unreadable") == 1 and "not a field line" in row.reasons


def test_batches_and_quarantine_list_speak_russian_and_kazakh(run_cli):
    assert run_cli("init").exit_code == 0
    assert run_cli("import", str(SAMPLES / "broken-records.txt")).exit_code == 1
    ru = run_cli("--lang", "ru", "batches").output.split("\t")
    assert ru[1:3] == ["импорт", "завершён"] and "прочитано=4 добавлено=3 отклонено=1" in ru[-1]
    kk = run_cli("--lang", "kk", "batches").output.split("\t")
    assert kk[1:3] == ["импорт", "аяқталды"] and "оқылды=4 қосылды=3 қабылданбады=1" in kk[-1]
    en = run_cli("batches").output.split("\t")
    assert en[1:3] == ["import", "done"] and "read=4 added=3 rejected=1" in en[-1]
    listed = run_cli("--lang", "kk", "quarantine", "list").output
    assert "16-жол; оқылмайтын жазба: 18-жол: өріс жолы емес" in listed
    assert "строка 16; нечитаемая запись: строка 18" in run_cli("--lang", "ru", "quarantine", "list").output
    assert "line 16; unreadable record: line 18" in run_cli("quarantine", "list").output
