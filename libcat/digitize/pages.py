"""What a scan file is (by its first bytes) and how many pages it holds: PDF, TIFF, JPEG, PNG, DjVu."""

from __future__ import annotations

import struct
from pathlib import Path

from .. import i18n
from ..catalog.store import CatalogError

#: MIME type -> file extension used in the file store.
EXTENSIONS = {
    "application/pdf": "pdf",
    "image/tiff": "tif",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/vnd.djvu": "djvu",
}

i18n.register({
    "pages.unreadable": {
        "en": "{file}: cannot read: {reason}",
        "ru": "{file}: не удаётся прочитать: {reason}",
        "kk": "{file}: оқу мүмкін емес: {reason}",
    },
    "pages.not_a_scan": {
        "en": "{file}: not a PDF, TIFF, JPEG, PNG or DjVu file",
        "ru": "{file}: это не файл PDF, TIFF, JPEG, PNG или DjVu",
        "kk": "{file}: PDF, TIFF, JPEG, PNG немесе DjVu файлы емес",
    },
    "pages.bad_pdf": {
        "en": "{file}: cannot read the PDF: {reason}",
        "ru": "{file}: не удаётся прочитать PDF: {reason}",
        "kk": "{file}: PDF файлын оқу мүмкін емес: {reason}",
    },
    "pages.bad_image": {
        "en": "{file}: cannot read the image: {reason}",
        "ru": "{file}: не удаётся прочитать изображение: {reason}",
        "kk": "{file}: суретті оқу мүмкін емес: {reason}",
    },
    "pages.bad_djvu": {
        "en": "{file}: cannot count DjVu pages: {reason}",
        "ru": "{file}: не удаётся сосчитать страницы DjVu: {reason}",
        "kk": "{file}: DjVu беттерін санау мүмкін емес: {reason}",
    },
    "pages.djvu_header": {
        "en": "not a DjVu file (no AT&T FORM header)",
        "ru": "это не файл DjVu (нет заголовка AT&T FORM)",
        "kk": "DjVu файлы емес (AT&T FORM тақырыптамасы жоқ)",
    },
    "pages.djvu_form": {
        "en": "unknown DjVu form {form!r}",
        "ru": "неизвестная форма DjVu {form!r}",
        "kk": "{form!r} DjVu пішіні белгісіз",
    },
    "pages.djvu_truncated": {
        "en": "truncated DIRM chunk",
        "ru": "блок DIRM обрезан",
        "kk": "DIRM блогы толық емес",
    },
    "pages.djvu_indirect": {
        "en": "an indirect DjVu document (pages in separate files): give the page count",
        "ru": "непрямой (indirect) документ DjVu, страницы в отдельных файлах: укажите число страниц",
        "kk": "жанама (indirect) DjVu құжаты, беттері бөлек файлдарда: бет санын көрсетіңіз",
    },
    "pages.djvu_no_dirm": {
        "en": "DJVM without a DIRM directory",
        "ru": "в DJVM нет оглавления DIRM",
        "kk": "DJVM файлында DIRM мазмұндамасы жоқ",
    },
})


def sniff(path: Path, lang: str | None = None) -> str:
    """The MIME type of a scan file from its magic bytes; CatalogError for anything else."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        raise CatalogError(i18n.t("pages.unreadable", lang, file=path, reason=exc.strerror or exc)) from None
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
    raise CatalogError(i18n.t("pages.not_a_scan", lang, file=path))


def _pdf_pages(path: Path, lang: str | None) -> int:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        return len(PdfReader(str(path)).pages)
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise CatalogError(i18n.t("pages.bad_pdf", lang, file=path, reason=exc)) from None


def _image_pages(path: Path, lang: str | None) -> int:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            return int(getattr(img, "n_frames", 1) or 1)
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise CatalogError(i18n.t("pages.bad_image", lang, file=path, reason=exc)) from None


def djvu_pages(data: bytes, lang: str | None = None) -> int:
    """Pages of a DjVu file: 1 for FORM:DJVU, the FORM:DJVU components of a bundled FORM:DJVM.

    An indirect multi-page document (its pages in other files) cannot be counted from this file alone.
    """
    if not data.startswith(b"AT&TFORM") or len(data) < 16:
        raise ValueError(i18n.t("pages.djvu_header", lang))
    size = struct.unpack(">I", data[8:12])[0]
    kind = data[12:16]
    if kind == b"DJVU":
        return 1
    if kind != b"DJVM":
        raise ValueError(i18n.t("pages.djvu_form", lang, form=kind.decode("latin-1")))
    end = min(len(data), 12 + size)
    pos, pages, bundled = 16, 0, None
    while pos + 8 <= end:
        cid = data[pos:pos + 4]
        csize = struct.unpack(">I", data[pos + 4:pos + 8])[0]
        body = pos + 8
        if cid == b"DIRM":
            if body >= len(data):
                raise ValueError(i18n.t("pages.djvu_truncated", lang))
            bundled = bool(data[body] & 0x80)
            if not bundled:
                raise ValueError(i18n.t("pages.djvu_indirect", lang))
        elif cid == b"FORM" and data[body:body + 4] == b"DJVU":
            pages += 1
        pos = body + csize + (csize & 1)
    if bundled is None:
        raise ValueError(i18n.t("pages.djvu_no_dirm", lang))
    return pages


def count_pages(path: Path, mime: str | None = None, lang: str | None = None) -> int:
    """Pages of one scan file: PDF pages, image frames (multi-page TIFF), DjVu pages."""
    mime = mime or sniff(path, lang)
    if mime == "application/pdf":
        return _pdf_pages(path, lang)
    if mime == "image/vnd.djvu":
        try:
            return djvu_pages(path.read_bytes(), lang)
        except (ValueError, struct.error) as exc:
            raise CatalogError(i18n.t("pages.bad_djvu", lang, file=path, reason=exc)) from None
    return _image_pages(path, lang)
