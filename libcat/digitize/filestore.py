"""The catalogue's file store: files copied in under stable names, staged so nothing is half-registered."""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..catalog.store import Catalog, CatalogError

CHUNK = 1 << 20


def hash_file(path: Path) -> tuple[str, int]:
    """SHA-256 (hex) and size in bytes of a file, read in chunks."""
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def stored_name(record_id: int, sha256: str, ext: str) -> str:
    """The stable path of a file inside the store: ``<record id>/<sha256[:16]>.<ext>``."""
    return f"{record_id}/{sha256[:16]}.{ext}"


@dataclass
class Staging:
    """Files copied into the store under temporary names, renamed into place only after the commit."""

    root: Path
    _pending: list[tuple[Path, Path]] = field(default_factory=list)
    _placed: list[Path] = field(default_factory=list)

    def add(self, source: Path, rel: str) -> Path:
        """Copy ``source`` beside its final place under a temporary name; returns the final path."""
        final = self.root / rel
        tmp = final.with_name(f".tmp-{uuid.uuid4().hex}-{final.name}")
        try:
            tmp.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, tmp)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise CatalogError(f"cannot copy {source} into the file store {self.root}: {exc.strerror or exc}") from None
        self._pending.append((tmp, final))
        return final

    def commit(self) -> None:
        """Rename the staged files to their final names (call after the database commit)."""
        for tmp, final in self._pending:
            os.replace(tmp, final)
            self._placed.append(final)
        self._pending.clear()

    def commit_or_forget(self, forget: Callable[[], None], message: Callable[[str], str]) -> None:
        """Commit; when a rename fails, remove the staged and placed files, undo the database side with
        ``forget`` and raise a CatalogError with ``message(reason)``."""
        try:
            self.commit()
        except OSError as exc:
            self.discard(placed=True)
            forget()
            raise CatalogError(message(str(exc.strerror or exc))) from None

    def discard(self, *, placed: bool = False) -> None:
        """Remove staged temporary files, and with ``placed`` the files already renamed into place."""
        for tmp, _final in self._pending:
            tmp.unlink(missing_ok=True)
        self._pending.clear()
        if placed:
            for final in self._placed:
                final.unlink(missing_ok=True)
            self._placed.clear()


def root(catalog: Catalog) -> Path:
    """The file store folder of ``catalog`` (created on first use)."""
    return catalog.file_store()


def resolve(catalog: Catalog, rel: str) -> Path:
    """The absolute path of a stored file; refuses paths that would leave the store."""
    base = root(catalog).resolve()
    path = (base / rel).resolve()
    if base != path and base not in path.parents:
        raise CatalogError(f"stored path {rel!r} leaves the file store")
    return path
