"""The catalogue's file store: files copied in under stable names, staged so nothing is half-registered."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .. import i18n
from ..catalog.store import Catalog, CatalogError

CHUNK = 1 << 20

i18n.register({
    "filestore.copy_failed": {
        "en": "cannot copy {file} into the file store {store}: {reason}",
        "ru": "не удаётся скопировать {file} в хранилище файлов {store}: {reason}",
        "kk": "{file} файлын {store} файл қоймасына көшіру мүмкін емес: {reason}",
    },
    "filestore.outside": {
        "en": "stored path {path!r} leaves the file store",
        "ru": "путь {path!r} ведёт за пределы хранилища файлов",
        "kk": "{path!r} жолы файл қоймасынан тыс жерге апарады",
    },
})


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
    lang: str | None = None
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
            with contextlib.suppress(OSError):  # the folder itself may be what failed
                tmp.unlink(missing_ok=True)
            raise CatalogError(i18n.t("filestore.copy_failed", self.lang, file=source, store=self.root,
                                      reason=exc.strerror or exc)) from None
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


def resolve(catalog: Catalog, rel: str, lang: str | None = None) -> Path:
    """The absolute path of a stored file; refuses paths that would leave the store."""
    base = root(catalog).resolve()
    path = (base / rel).resolve()
    if base != path and base not in path.parents:
        raise CatalogError(i18n.t("filestore.outside", lang, path=rel))
    return path
