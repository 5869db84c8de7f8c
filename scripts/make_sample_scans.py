"""Write the sample scans in samples/scans/ and samples/digitization.csv (deterministic: same bytes every run).

The scans are small stand-ins for the digitized books and newspaper articles of
samples/kazakh-books-and-articles.txt (linked by their 903 shelf codes); `libcat digitize import
samples/digitization.csv` registers them after the records are imported.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from PIL import Image, ImageDraw
from pypdf import PdfReader, PdfWriter

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "samples" / "scans"
CSV = ROOT / "samples" / "digitization.csv"


def page_image(label: str, page: int, size: tuple[int, int] = (240, 340)) -> Image.Image:
    """A greyscale "scanned page": a frame, a few text lines and the page number."""
    img = Image.new("L", size, color=236)
    d = ImageDraw.Draw(img)
    d.rectangle([8, 8, size[0] - 9, size[1] - 9], outline=90)
    d.text((20, 22), label, fill=20)
    for i in range(12):
        y = 60 + i * 20
        d.line([(20, y), (size[0] - 20 - (i * 13) % 60, y)], fill=120, width=2)
    d.text((size[0] // 2 - 6, size[1] - 30), str(page), fill=20)
    return img


def pdf(name: str, label: str, title: str, pages: int) -> Path:
    """A PDF of ``pages`` page images (JPEG inside), titled ``title``."""
    writer = PdfWriter()
    for n in range(1, pages + 1):
        buf = io.BytesIO()
        page_image(label, n).save(buf, format="PDF")
        buf.seek(0)
        writer.add_page(PdfReader(buf).pages[0])
    writer.add_metadata({"/Title": title, "/Producer": "libcat sample scans"})
    path = OUT / name
    with open(path, "wb") as fh:
        writer.write(fh)
    return path


def image(name: str, label: str, fmt: str, pages: int = 1) -> Path:
    """A JPEG, PNG or (multi-page) TIFF scan."""
    frames = [page_image(label, n) for n in range(1, pages + 1)]
    path = OUT / name
    kwargs = {"quality": 70} if fmt == "JPEG" else {"compression": "tiff_deflate"} if fmt == "TIFF" else {}
    if pages > 1:
        frames[0].save(path, format=fmt, save_all=True, append_images=frames[1:], **kwargs)
    else:
        frames[0].save(path, format=fmt, **kwargs)
    return path


#: (903 shelf code, type, lang, date digitized, collection, file maker)
ROWS = [
    ("84(5Каз)-4/К 23-000101", "book", "kaz", "2023-03-14", "Қарағанды жазушылары",
     lambda: pdf("karim-kamshy.pdf", "Karim N. Qamshy", "Кәрім, Н. Қамшы", 6)),
    ("63.3(5Каз)/Т 93-000104", "book", "kaz", "2023-05-22", "Қарағанды жазушылары",
     lambda: pdf("tynyshbaev-esimde.pdf", "Tynyshbaev Q. Esimde", "Тынышбаев, Қ. «Есімде қалған аралым»", 4)),
    ("63.3(5Каз)/Т 93-000105", "book", "rus", "2024-02-09", "",
     lambda: image("tynyshbaev-ostrov.tif", "Tynyshbaev K. Ostrov", "TIFF", pages=3)),
    ("С2018/001", "newspaper-article", "kaz", "2023-01-16", "Балқаш өңірі",
     lambda: image("balkash-oniri-2018-01-05.jpg", "Balqash onir 2018 No1-2", "JPEG")),
    ("С2018/004", "newspaper-article", "rus", "2023-01-17", "",
     lambda: image("sev-pribalkhashye-2018-01.tif", "Severnoe Pribalkhashye 2018", "TIFF", pages=2)),
    ("С2018/006", "newspaper-article", "kaz", "2024-03-01", "Балқаш өңірі",
     lambda: image("balkash-oniri-2018-01-26.png", "Balqash onir 2018 No10-11", "PNG")),
    ("С2018/011", "newspaper-article", "rus", "2024-03-04", "",
     lambda: pdf("spasibo-kazakhstan.pdf", "Spasibo tebe, Kazakhstan!", "Спасибо тебе, Казахстан!", 1)),
]


def main() -> None:
    """Write the scans and the CSV that links them to the sample records."""
    OUT.mkdir(parents=True, exist_ok=True)
    lines = []
    for shelf, kind, lang, date, coll, make in ROWS:
        path = make()
        lines.append([shelf, kind, "", lang, date, coll, f"scans/{path.name}"])
    with open(CSV, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["record", "type", "pages", "lang", "date", "collection", "file"])
        w.writerows(lines)
    print(f"wrote {len(lines)} scans to {OUT} and {CSV}")


if __name__ == "__main__":
    main()
