"""What every reader yields: one ReadItem per record in the file, readable or not."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from pymarc import Record


@dataclass
class ReadItem:
    """One record of an input file.

    ``record`` is None when the record could not be read; then ``error`` says why and ``raw``
    keeps its original bytes for the quarantine. ``position`` is 1-based in the file; ``offset``
    is the byte offset (binary formats) or the line number (text formats, see ``offset_unit``).
    """

    position: int
    offset: int | None
    raw: bytes
    record: Record | None = None
    error: str | None = None
    flavour: str | None = None
    deleted: bool = False
    warnings: list[str] = field(default_factory=list)
    control_number: str | None = None
    mfn: int | None = None
    #: Identifier in the source system when it is not the control number (OAI identifier, "mfn:12").
    external_id: str | None = None
    offset_unit: str = "byte"

    @property
    def ok(self) -> bool:
        return self.record is not None

    def where(self, file: str = "") -> str:
        """Human-readable location: ``file.iso: record 3 (byte 1234)``."""
        loc = f"record {self.position}"
        if self.offset is not None:
            loc += f" ({self.offset_unit} {self.offset})"
        return f"{file}: {loc}" if file else loc


class Writer(Protocol):
    """A record writer: ``write`` returns the problems it met (what the format could not hold)."""

    def write(self, record: Record) -> list[str]: ...

    def close(self) -> None: ...
