"""Serve digitized files under /files/<stored path>: only publishable ones, with content types and HTTP Range."""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from ..catalog import oai_queries
from ..catalog.store import Catalog

CHUNK = 256 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _read(path: Path, start: int, length: int) -> Iterator[bytes]:
    with open(path, "rb") as fh:
        fh.seek(start)
        left = length
        while left > 0:
            chunk = fh.read(min(CHUNK, left))
            if not chunk:
                break
            left -= len(chunk)
            yield chunk


def parse_range(header: str | None, size: int) -> tuple[int, int] | None | str:
    """(start, end inclusive) of a single byte range; None = whole file; "unsatisfiable" for 416."""
    if not header:
        return None
    m = _RANGE.match(header.strip())
    if m is None:
        return None  # multiple or unknown ranges: RFC 9110 lets us answer with the whole file
    first, last = m.groups()
    if not first and not last:
        return None
    if not first:
        n = int(last)
        if n == 0:
            return "unsatisfiable"
        return max(0, size - n), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or (last and int(last) < start):
        return "unsatisfiable"
    return start, end


def _resolve(catalog: Catalog, rel: str) -> Path | None:
    base = catalog.file_store().resolve()
    path = (base / rel).resolve()
    if base not in path.parents:
        return None
    return path


def serve(catalog: Catalog, rel: str, environ: dict, start_response: Callable) -> Iterator[bytes] | list[bytes]:
    """Answer a GET/HEAD for the stored file ``rel``: 404 unless it exists and may be published."""
    method = environ.get("REQUEST_METHOD", "GET")
    if method not in ("GET", "HEAD"):
        start_response("405 Method Not Allowed", [("Allow", "GET, HEAD"), ("Content-Type", "text/plain")])
        return [b"method not allowed\n"]
    with catalog.Session() as s:
        f = oai_queries.publishable_file(s, rel)
        mime = f.mime if f is not None else None
        etag = f'"{f.sha256}"' if f is not None else None
    path = _resolve(catalog, rel) if f is not None else None
    if path is None or not path.is_file():
        start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
        return [b"no such published file\n"]
    size = path.stat().st_size
    ctype = mime or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    headers = [("Content-Type", ctype), ("Accept-Ranges", "bytes"), ("ETag", etag)]
    rng = parse_range(environ.get("HTTP_RANGE"), size)
    if_range = environ.get("HTTP_IF_RANGE")
    if if_range and if_range != etag:
        rng = None
    if rng == "unsatisfiable":
        start_response("416 Range Not Satisfiable", [("Content-Range", f"bytes */{size}"),
                                                      ("Content-Type", "text/plain")])
        return [b"range not satisfiable\n"]
    if rng is None:
        start, length, status = 0, size, "200 OK"
    else:
        start, end = rng
        length = end - start + 1
        status = "206 Partial Content"
        headers.append(("Content-Range", f"bytes {start}-{end}/{size}"))
    headers.append(("Content-Length", str(length)))
    start_response(status, headers)
    if method == "HEAD":
        return [b""]
    return _read(path, start, length)
