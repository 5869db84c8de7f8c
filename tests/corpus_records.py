"""The ISO 2709 files of the ../shared corpus and their clean records, for tests that walk them all."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from pymarc import Record

from libcat.marc import io as marc_io
from libcat.marc import iso2709


def iso_files(corpus: Path) -> list[Path]:
    """Every corpus file libcat reads as ISO 2709."""
    files = []
    for path in sorted(corpus.rglob("*")):
        if path.is_file() and path.suffix.lower() in (".mrc", ".dat", ".iso", ".marc"):
            with open(path, "rb") as fh:
                head = fh.read(65536)
            if head.strip() and marc_io.detect_format(head, path.name) == "iso2709":
                files.append(path)
    return files


def clean_records(corpus: Path) -> Iterator[tuple[int, Record, iso2709.Parts]]:
    """(position in its file, record, parts) of every corpus record the reader gives parts for."""
    for path in iso_files(corpus):
        with open(path, "rb") as fh:
            for position, (_, chunk) in enumerate(iso2709.iter_chunks(fh), 1):
                try:
                    record, _, _, parts = iso2709.read_record_parts(chunk)
                except iso2709.RecordError:
                    continue
                if parts is not None:
                    yield position, record, parts
