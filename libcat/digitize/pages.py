"""What a scan file is (by its first bytes) and how many pages it holds: PDF, TIFF, JPEG, PNG, DjVu."""

from __future__ import annotations

import struct
from pathlib import Path

from ..catalog.store import CatalogError

#: MIME type -> file extension used in the file store.
EXTENSIONS = {
    "application/pdf": "pdf",
    "image/tiff": "tif",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/vnd.djvu": "djvu",
}


def sniff(path: Path) -> str:
    """The MIME type of a scan file from its magic bytes; CatalogError for anything else."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        raise CatalogError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"AT&TFORM"):
        return "image/vnd.djvu"
    raise CatalogError(f"{path}: not a PDF, TIFF, JPEG, PNG or DjVu file")


def _pdf_pages(path: Path) -> int:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        return len(PdfReader(str(path)).pages)
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise CatalogError(f"{path}: cannot read the PDF: {exc}") from None


def _image_pages(path: Path) -> int:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            return int(getattr(img, "n_frames", 1) or 1)
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise CatalogError(f"{path}: cannot read the image: {exc}") from None


def djvu_pages(data: bytes) -> int:
    """Pages of a DjVu file: 1 for FORM:DJVU, the FORM:DJVU components of a bundled FORM:DJVM.

    An indirect multi-page document (its pages in other files) cannot be counted from this file alone.
    """
    if not data.startswith(b"AT&TFORM") or len(data) < 16:
        raise ValueError("not a DjVu file (no AT&T FORM header)")
    size = struct.unpack(">I", data[8:12])[0]
    kind = data[12:16]
    if kind == b"DJVU":
        return 1
    if kind != b"DJVM":
        raise ValueError(f"unknown DjVu form {kind.decode('latin-1')!r}")
    end = min(len(data), 12 + size)
    pos, pages, bundled = 16, 0, None
    while pos + 8 <= end:
        cid = data[pos:pos + 4]
        csize = struct.unpack(">I", data[pos + 4:pos + 8])[0]
        body = pos + 8
        if cid == b"DIRM":
            if body >= len(data):
                raise ValueError("truncated DIRM chunk")
            bundled = bool(data[body] & 0x80)
            if not bundled:
                raise ValueError("an indirect DjVu document (pages in separate files): give the page count")
        elif cid == b"FORM" and data[body:body + 4] == b"DJVU":
            pages += 1
        pos = body + csize + (csize & 1)
    if bundled is None:
        raise ValueError("DJVM without a DIRM directory")
    return pages


def count_pages(path: Path, mime: str | None = None) -> int:
    """Pages of one scan file: PDF pages, image frames (multi-page TIFF), DjVu pages."""
    mime = mime or sniff(path)
    if mime == "application/pdf":
        return _pdf_pages(path)
    if mime == "image/vnd.djvu":
        try:
            return djvu_pages(path.read_bytes())
        except (ValueError, struct.error) as exc:
            raise CatalogError(f"{path}: cannot count DjVu pages: {exc}") from None
    return _image_pages(path)
