"""Listing batches (imports, harvests, merges, undos) and telling whether a running one is still alive."""

from __future__ import annotations

import json
import os
import socket
from typing import Any

from sqlalchemy import select

from .models import Batch
from .store import Catalog


def alive(options: str | None) -> bool | None:
    """Whether the process that runs a batch is still alive (None when it ran on another host)."""
    try:
        data = json.loads(options or "{}")
    except ValueError:
        return None
    if data.get("host") != socket.gethostname() or not data.get("pid"):
        return None
    try:
        os.kill(int(data["pid"]), 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: the process exists but belongs to someone else
        return True
    return True


def list_batches(catalog: Catalog, limit: int | None = None) -> list[dict[str, Any]]:
    """Batches, newest first: id, kind, status (a dead `running` batch shows as `interrupted`), files, counts."""
    with catalog.Session() as s:
        q = select(Batch).order_by(Batch.id.desc())
        if limit:
            q = q.limit(limit)
        out = []
        for b in s.scalars(q):
            status = b.status
            if status == "running" and alive(b.options) is False:
                status = "interrupted"
            out.append({
                "batch": b.id, "kind": b.kind, "source": b.source, "status": status,
                "started_at": b.started_at.isoformat(sep=" ") if b.started_at else None,
                "finished_at": b.finished_at.isoformat(sep=" ") if b.finished_at else None,
                "undone_at": b.undone_at.isoformat(sep=" ") if b.undone_at else None,
                "files": json.loads(b.files) if b.files else [], "counts": json.loads(b.counts) if b.counts else {},
            })
        return out
