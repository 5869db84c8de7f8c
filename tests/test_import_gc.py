"""An import runs the garbage collector less often and gives the process its collector back as it was."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from libcat.catalog import importer as imp

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def test_collector_relaxed_during_import_and_restored_after(catalog) -> None:
    before = gc.get_threshold()
    seen: list[tuple[int, int, int]] = []
    original = imp._Run.run_chunk

    def spy(run, chunk):
        seen.append(gc.get_threshold())
        return original(run, chunk)

    imp._Run.run_chunk = spy
    try:
        report = imp.import_files(catalog, [SAMPLES / "kazakh-books-and-articles.txt"], imp.ImportOptions(source="gc"))
    finally:
        imp._Run.run_chunk = original
    assert report.added > 0
    assert seen and all(t[0] == imp.GC_YOUNG_THRESHOLD for t in seen)
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_collector_restored_when_the_import_fails(catalog, monkeypatch) -> None:
    before = gc.get_threshold()

    def boom(run, chunk):
        raise RuntimeError("disk gone")

    monkeypatch.setattr(imp._Run, "run_chunk", boom)
    with pytest.raises(RuntimeError):
        imp.import_files(catalog, [SAMPLES / "kazakh-books-and-articles.txt"], imp.ImportOptions(source="gc"))
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
