"""Undoing a batch that merged a duplicate into an existing record (`import --on-duplicate merge`, `dedupe --apply`)
puts the catalogue back as it was: records, copies, digital objects and their files, contract links and match keys
(SQLite and PostgreSQL); a merge whose survivor a later batch changed again is refused until that batch is undone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from libcat.catalog.models import CatalogRecord, ContractRecord, Copy, DigitalFile, DigitalObject, RecordKey
from test_digitize_helpers import make_pdf

# «Абай жолы» catalogued in Kazakh by the central library: one copy.
KAZAKH = """#920: PAZK
#10: ^A978-601-7312-00-8
#101: kaz
#700: ^AӘуезов^BМ.
#200: ^AАбай жолы^FМ.Әуезов
#210: ^AАлматы^CЖазушы^D2019
#903: KZ-1
#910: ^A0^B700001^C20240105^DОА
*****
"""
# The same book (same ISBN) catalogued in Russian by a branch: longer than the Kazakh record, so a merge takes its
# text; one copy of the branch's own.
RUSSIAN_LONGER = """#920: PAZK
#10: ^A978-601-7312-00-8
#101: rus
#700: ^AАуэзов^BМ.
#200: ^AПуть Абая^Eроман-эпопея^FМ.Ауэзов; пер. с казахского
#210: ^AАлматы^CЖазушы^D2019
#215: ^A560^Cил.
#606: ^AКазахская литература -- Роман
#903: RU-1
#910: ^A0^B700002^C20240106^DФ3
*****
"""
# A branch's short Russian record of it: the merge only takes its copy.
RUSSIAN_SHORTER = """#920: PAZK
#10: ^A978-601-7312-00-8
#101: rus
#200: ^AПуть Абая
#210: ^D2019
#903: RU-2
#910: ^A0^B700003^C20240107^DФ5
*****
"""
# The Kazakh record corrected at the central library (same control number, a page count added).
KAZAKH_CORRECTED = KAZAKH.replace("#903: KZ-1", "#215: ^A688\n#903: KZ-1")

# For `dedupe`: the central library's long Kazakh record «Қан мен тер» and a branch's Russian-language record of the
# same book (same title, author and year: a candidate group), which has an ISBN the Kazakh one lacks.
DEDUPE_KAZAKH = """#920: PAZK
#101: kaz
#700: ^AНұрпейісов^BӘ.
#200: ^AҚан мен тер^Eтрилогия^FӘ.Нұрпейісов
#210: ^AАлматы^CЖазушы^D2018
#215: ^A720^Cсур.
#606: ^AҚазақ әдебиеті -- Роман
#903: KZ-7
#910: ^A0^B800001^C20240105^DОА
#910: ^A0^B800002^C20240105^DОА
*****
"""
DEDUPE_RUSSIAN = """#920: PAZK
#10: ^A978-601-03-0556-4
#101: rus
#700: ^AНұрпейісов^BӘ.
#200: ^AҚан мен тер
#210: ^D2018
#903: RU-7
#910: ^A0^B800003^C20240106^DФ3
*****
"""
# Another branch's record of the Russian one (its ISBN): `--on-duplicate merge` hands its copy to that record.
DEDUPE_BRANCH = """#920: PAZK
#10: ^A978-601-03-0556-4
#101: rus
#200: ^AКровь и пот
#903: F5-7
#910: ^A0^B800004^C20240107^DФ5
*****
"""


@pytest.fixture
def cli(catalog, run_cli):
    """The `libcat` command on the initialised catalogue of the ``catalog`` fixture."""
    return run_cli


def _state(catalog) -> dict[str, Any]:
    """Everything a merge may change: the records (but their datestamps, which an undo moves on so that harvesters
    see it), copies, digital objects and files, contract links and match keys (duplicates included)."""
    with catalog.Session() as s:
        records = [{c.key: getattr(r, c.key) for c in CatalogRecord.__table__.columns if c.key != "datestamp"}
                   for r in s.scalars(select(CatalogRecord).order_by(CatalogRecord.id))]
        copies = [tuple(getattr(c, k.key) for k in Copy.__table__.columns) for c in s.scalars(select(Copy))]
        objects = [(o.id, o.record_id, o.deleted_at) for o in s.scalars(select(DigitalObject))]
        files = [(f.id, f.object_id, f.record_id, f.sha256) for f in s.scalars(select(DigitalFile))]
        links = list(s.execute(select(ContractRecord.contract_id, ContractRecord.record_id)))
        keys = list(s.execute(select(RecordKey.record_id, RecordKey.kind, RecordKey.value)))
    return {"records": records, "copies": sorted(copies), "objects": sorted(objects), "files": sorted(files),
            "links": sorted(links), "keys": sorted(keys)}


def _import(cli, tmp_path: Path, name: str, text: str, *args: str) -> int:
    """Import ``text`` as file ``name``; returns the batch id."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    out = cli("import", str(path), *args)
    assert out.exit_code == 0, out.output
    return _newest_batch(cli)


def _newest_batch(cli) -> int:
    return int(cli("batches").output.splitlines()[0].split("\t")[0])


def _record_id(catalog, cn: str) -> int:
    with catalog.Session() as s:
        return s.scalar(select(CatalogRecord.id).where(CatalogRecord.control_number == cn))


def _contract(cli, holder: str, *refs: str) -> None:
    args = [a for ref in refs for a in ("--record", ref)]
    out = cli("contract", "add", "--holder", holder, "--signed", "2024-02-01", *args)
    assert out.exit_code == 0, out.output


@pytest.mark.parametrize("duplicate", [RUSSIAN_LONGER, RUSSIAN_SHORTER], ids=["replaces-text", "copies-only"])
def test_undo_of_an_import_merge_puts_the_catalogue_back(catalog, cli, tmp_path: Path, duplicate: str) -> None:
    _import(cli, tmp_path, "kz.txt", KAZAKH, "--branch", "ЦБ")
    _contract(cli, "Әуезов М.", "KZ-1")
    assert cli("digitize", "add", "--record", "KZ-1", str(make_pdf(tmp_path / "abai.pdf", 2))).exit_code == 0
    rid = _record_id(catalog, "KZ-1")
    before = _state(catalog)
    batch = _import(cli, tmp_path, "ru.txt", duplicate, "--branch", "Ф3", "--on-duplicate", "merge")
    merged = _state(catalog)
    assert len(merged["copies"]) == 2 and {c[1] for c in merged["copies"]} == {rid}
    assert merged["links"] == before["links"] == [(1, rid)]
    out = cli("undo", str(batch))
    assert out.exit_code == 0, out.output
    assert out.output.startswith(f"batch {batch} undone: 0 added record(s) removed, 1 record(s) restored")
    assert _state(catalog) == before


# A branch's record of it that brings nothing: shorter, and its one copy is the central library's own.
RUSSIAN_NOTHING_NEW = """#920: PAZK
#10: ^A978-601-7312-00-8
#101: rus
#200: ^AПуть Абая
#903: RU-3
#910: ^A0^B700001^C20240105^DОА
*****
"""

@pytest.mark.parametrize("earlier", [None, RUSSIAN_SHORTER], ids=["nothing-new", "keys-of-an-earlier-merge"])
def test_undo_of_an_import_merge_gives_back_exactly_the_applied_keys(catalog, cli, tmp_path: Path,
                                                                     earlier: str | None) -> None:
    _import(cli, tmp_path, "kz.txt", KAZAKH, "--branch", "ЦБ")
    if earlier is not None:
        _import(cli, tmp_path, "f5.txt", earlier, "--branch", "Ф5", "--on-duplicate", "merge")
    before = _state(catalog)
    batch = _import(cli, tmp_path, "ru.txt", RUSSIAN_NOTHING_NEW, "--branch", "Ф3", "--on-duplicate", "merge")
    assert _state(catalog)["keys"] != before["keys"]
    assert cli("undo", str(batch)).exit_code == 0
    assert _state(catalog) == before


def test_undo_of_a_dedupe_merge_takes_back_contract_links_objects_copies_and_keys(catalog, cli, tmp_path: Path) -> None:
    _import(cli, tmp_path, "kz.txt", DEDUPE_KAZAKH, "--branch", "ЦБ")
    _import(cli, tmp_path, "ru.txt", DEDUPE_RUSSIAN, "--branch", "Ф3")
    _import(cli, tmp_path, "f5.txt", DEDUPE_BRANCH, "--branch", "Ф5", "--on-duplicate", "merge")
    kz, ru = _record_id(catalog, "KZ-7"), _record_id(catalog, "RU-7")
    _contract(cli, "Нұрпейісов Ә.", "RU-7")
    _contract(cli, "Нурпеисова Д.", "RU-7", "KZ-7")
    assert cli("digitize", "add", "--record", "RU-7", str(make_pdf(tmp_path / "kan.pdf", 3))).exit_code == 0
    before = _state(catalog)
    assert any(k[0] == ru and k[1] == "applied" for k in before["keys"])
    out = cli("dedupe", "--apply", "--include-candidates")
    assert out.exit_code == 0, out.output
    batch = _newest_batch(cli)
    merged = _state(catalog)
    assert merged["links"] == sorted([(1, ru), (1, kz), (2, ru), (2, kz)])
    assert {o[1] for o in merged["objects"]} == {kz} and {c[1] for c in merged["copies"]} == {kz}
    assert not any(k[0] == ru for k in merged["keys"])
    out = cli("undo", str(batch))
    assert out.exit_code == 0, out.output
    assert _state(catalog) == before


UNDO_REFUSED = {
    "en": "libcat: error: records of batch {batch} were changed later or have digitized objects (ids {id});",
    "ru": "libcat: ошибка: записи пакета {batch} изменены позже или имеют оцифрованные объекты (номера {id});",
    "kk": "libcat: қате: {batch} топтамасының жазбалары кейін өзгертілген немесе цифрланған нысандары бар ({id} нөмірлері);",
}


@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
def test_a_merge_whose_record_a_later_import_changed_is_undone_only_after_that_import(
        catalog, cli, tmp_path: Path, lang: str) -> None:
    _import(cli, tmp_path, "kz.txt", KAZAKH, "--branch", "ЦБ")
    _contract(cli, "Әуезов М.", "KZ-1")
    rid = _record_id(catalog, "KZ-1")
    before = _state(catalog)
    merge = _import(cli, tmp_path, "ru.txt", RUSSIAN_SHORTER, "--branch", "Ф3", "--on-duplicate", "merge")
    later = _import(cli, tmp_path, "kz2.txt", KAZAKH_CORRECTED, "--branch", "ЦБ")
    refused = cli("--lang", lang, "undo", str(merge))
    assert refused.exit_code == 1
    assert refused.output.startswith(UNDO_REFUSED[lang].format(batch=merge, id=rid))
    assert cli("undo", str(later)).exit_code == 0
    assert cli("undo", str(merge)).exit_code == 0
    assert _state(catalog) == before


def test_a_dedupe_whose_survivor_a_later_import_changed_is_refused(catalog, cli, tmp_path: Path) -> None:
    _import(cli, tmp_path, "kz.txt", DEDUPE_KAZAKH, "--branch", "ЦБ")
    _import(cli, tmp_path, "ru.txt", DEDUPE_RUSSIAN, "--branch", "Ф3")
    _contract(cli, "Нұрпейісов Ә.", "RU-7")
    kz = _record_id(catalog, "KZ-7")
    before = _state(catalog)
    assert cli("dedupe", "--apply", "--include-candidates").exit_code == 0
    dedupe = _newest_batch(cli)
    later = _import(cli, tmp_path, "kz2.txt", DEDUPE_KAZAKH.replace("#215: ^A720", "#215: ^A724"), "--branch", "ЦБ")
    refused = cli("undo", str(dedupe))
    assert refused.exit_code == 1
    assert refused.output.startswith(UNDO_REFUSED["en"].format(batch=dedupe, id=kz))
    assert cli("undo", str(later)).exit_code == 0
    assert cli("undo", str(dedupe)).exit_code == 0
    assert _state(catalog) == before
