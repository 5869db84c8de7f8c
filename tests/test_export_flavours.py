"""Every export format with every flavour, re-imported into an empty catalogue (SQLite and PostgreSQL).

A catalogue of MARC 21, RUSMARC and IRBIS records goes out through each (format, flavour) pair and
comes back: each record keeps its title, control number, entry date, language, sub-catalogue and
copies, or the export names what did not survive. IRBIS plain text holds IRBIS records only.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pymarc import Field, Indicators, Subfield
from sqlalchemy import select

from libcat import i18n
from libcat.catalog import export as ex
from libcat.catalog import importer as imp
from libcat.catalog.models import CatalogRecord, Copy, Subcatalog
from libcat.catalog.store import Catalog, CatalogError
from test_export_holdings import KEPT, empty_target  # noqa: F401 (fixture)
from test_import_helpers import isbn, items, marc, write_iso

REPO = Path(__file__).resolve().parent.parent
SAMPLES = [REPO / "samples" / "kazakh-books-and-articles.txt", REPO / "samples" / "rusmarc-sample.iso"]
PAIRS = [(fmt, flavour) for fmt in ex.FORMATS for flavour in ex.FLAVOURS
         if fmt != "irbis" or flavour in ("keep", "irbis")]
COLUMNS = ("control_number", "entry_date", "language", "subcat")


def _main_title(title: str | None) -> str:
    """The title proper: MARC 21 keeps the subtitle (245 $b) in the title column, RUSMARC and IRBIS do not."""
    return re.split(r" [:/=] ", title or "")[0].rstrip(" .:;/,")


def _records(catalog: Catalog) -> list[dict]:
    """Each live record's columns, title proper and copies, in id order (the export and import order)."""
    with catalog.Session() as s:
        copies: dict[int, list] = {}
        for c in s.execute(select(Copy.record_id, *KEPT)):
            copies.setdefault(c[0], []).append(tuple(c[1:]))
        q = (select(CatalogRecord, Subcatalog.code).join(Subcatalog, isouter=True)
             .where(CatalogRecord.deleted_at.is_(None)).order_by(CatalogRecord.id))
        return [{"id": r.id, "title": _main_title(r.title), "control_number": r.control_number,
                 "entry_date": r.entry_date, "language": r.language, "subcat": code,
                 "copies": sorted(copies.get(r.id, []), key=repr)} for r, code in s.execute(q)]


def _fill(catalog: Catalog, *files: Path) -> None:
    """IRBIS and RUSMARC samples, and MARC 21 records with copies (an article among them)."""
    recs = [marc(f"m{i}", f"Кітап {i}", isbn=isbn(700 + i), copies=[(f"M{i}", "ЦБ")], entered=f"2{i}0304")
            for i in range(3)] + [marc("m-art", "Мақала", leader7="a")]
    imp.import_items(catalog, items(recs), imp.ImportOptions(source="A"))
    report = imp.import_files(catalog, [*SAMPLES, *files], imp.ImportOptions(source="A"))
    assert report.rejected == 0, report.problems


def _round_trip(catalog: Catalog, target: Catalog, tmp_path: Path, fmt: str, flavour: str
                ) -> tuple[list[dict], list[dict], ex.ExportReport]:
    buf = io.BytesIO()
    report = ex.export(catalog, buf, ex.ExportOptions(fmt=fmt, flavour=flavour))
    path = tmp_path / f"out-{fmt}-{flavour}"
    path.write_bytes(buf.getvalue())
    back = imp.import_files(target, [path], imp.ImportOptions(source="A", fmt=fmt))
    assert back.rejected == 0 and back.added == report.written, back.problems
    return _records(catalog), _records(target), report


@pytest.mark.parametrize("fmt,flavour", PAIRS)
def test_every_pair_gives_the_same_records_back(catalog, empty_target, tmp_path, fmt, flavour):
    _fill(catalog)
    before, after, report = _round_trip(catalog, empty_target, tmp_path, fmt, flavour)
    assert len(after) == len(before) >= 30
    assert not [p for p in report.problems if p["severity"] == "error"]
    for old, new in zip(before, after):
        assert (new["title"], new["copies"]) == (old["title"], old["copies"]), (fmt, flavour, old, new)
        lost = [name for name in COLUMNS if new[name] != old[name]]
        told = " ".join(p["message"] for p in report.problems if p["record"] == old["id"])
        for name in lost:
            assert f"{i18n.t('export.what.' + name)} {old[name]} is not carried" in told, (fmt, flavour, old, new)
        if flavour == "keep" or fmt == "irbis":
            assert not lost, (fmt, flavour, old, new)
    assert (report.irbis_layout > 0) == (fmt != "irbis" and flavour in ("keep", "irbis"))


def test_irbis_text_crosswalks_the_real_corpus(catalog, empty_target, corpus, tmp_path):
    """The reviewer's case: MARC 21 and UNIMARC corpus records in IRBIS text with the default --flavour keep."""
    marc_dir = corpus / "marc"
    _fill(catalog, marc_dir / "edsu__pymarc" / "test" / "marc.dat", corpus / "irbis" / "rusmarc_nlr_81records_cp1251.iso",
          marc_dir / "ndlrf-rnd__neb-catalog" / "src" / "formats" / "__tests__" / "data" / "7_rusmarc.mrc")
    before, after, report = _round_trip(catalog, empty_target, tmp_path, "irbis", "keep")
    assert len(after) == len(before) > 100
    for old, new in zip(before, after):
        assert {k: new[k] for k in ("title", *COLUMNS)} == {k: old[k] for k in ("title", *COLUMNS)}
    assert any("899$j" in p["message"] and "IRBIS 910" in p["message"] for p in report.problems)


def test_irbis_text_refuses_marc21_and_rusmarc(catalog):
    for flavour in ("marc21", "rusmarc"):
        with pytest.raises(CatalogError, match="IRBIS plain text holds IRBIS records only"):
            ex.export(catalog, io.BytesIO(), ex.ExportOptions(fmt="irbis", flavour=flavour))


@pytest.mark.parametrize("lang,expect", [
    ("en", "libcat: error: no batch 99 (see `libcat batches`)"),
    ("ru", "libcat: ошибка: пакета 99 нет (см. `libcat batches`)"),
    ("kk", "libcat: қате: 99 топтамасы жоқ (`libcat batches` қараңыз)"),
])
def test_export_of_no_batch_is_an_error(catalog, run_cli, tmp_path, lang, expect):
    out = tmp_path / "out.iso"
    res = run_cli("--lang", lang, "export", "--batch", "99", "-o", str(out))
    assert res.exit_code == 1 and expect in res.output and not out.exists()


def test_cli_irbis_flavour_error_and_notes_in_russian_and_kazakh(catalog, run_cli, tmp_path):
    _fill(catalog)
    res = run_cli("--lang", "kk", "export", "--format", "irbis", "--flavour", "rusmarc")
    assert res.exit_code == 1 and "ИРБИС мәтіні тек ИРБИС жазбаларын сақтайды, rusmarc емес" in res.output
    res = run_cli("--lang", "ru", "export", "--format", "marcxml", "-o", str(tmp_path / "out.xml"))
    assert res.exit_code == 0 and "записей ИРБИС в собственном формате ИРБИС (подполя ^, без маркера): 29" in res.output


def test_cli_crosswalk_problems_in_kazakh_and_russian(catalog, run_cli, tmp_path):
    _fill(catalog)
    res = run_cli("--lang", "kk", "export", "--format", "iso2709", "--flavour", "marc21", "-o", str(tmp_path / "o.mrc"))
    assert res.exit_code == 0
    assert "908: тек ИРБИС өрісі, RUSMARC-та сәйкестігі жоқ, шығарылмады" in res.output
    assert "ішкі каталог local-lore" not in res.output, "the local-lore mark travels to MARC 21 (886) and back"
    res = run_cli("--lang", "ru", "export", "--format", "irbis", "-o", str(tmp_path / "o.txt"))
    assert res.exit_code == 0 and "нет места в IRBIS 910" not in res.output
    assert "выгружено записей: 36" in res.output
    res = run_cli("--lang", "ru", "convert", "--verbose", "--to", "iso2709", "--flavour", "marc21",
                  str(SAMPLES[0]), str(tmp_path / "c.mrc"))
    assert res.exit_code == 0, res.output
    assert "908: поле только ИРБИС, в RUSMARC нет соответствия, не выгружено" in res.output
    record = marc("m9", "Кітап")
    record.add_field(Field("037", Indicators(" ", " "), [Subfield("a", "x")]))
    res = run_cli("--lang", "kk", "convert", "--verbose", "--to", "iso2709", "--flavour", "rusmarc",
                  str(write_iso(tmp_path / "m.mrc", [record])), str(tmp_path / "r.mrc"))
    assert res.exit_code == 0
    assert "MARC 21: 037 өрісі RUSMARC форматына сәйкестендірілмейді" in res.output, res.output
