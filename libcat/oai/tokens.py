"""Stateless resumption tokens: the whole request, the keyset position, cursor and list size, signed.

Nothing is kept on the server, so tokens never expire and survive restarts; an HMAC over the
content turns a garbled token, or one edited or issued by another repository, into
badResumptionToken instead of a wrong list.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
from dataclasses import asdict, dataclass

VERSION = 1
_SIG_BYTES = 12


class TokenError(ValueError):
    """The token cannot be used: garbled, not signed by this repository, or for another verb."""


@dataclass(frozen=True)
class ListState:
    """Everything needed to serve the next page of a list."""

    verb: str
    prefix: str
    set_spec: str | None
    from_: str | None
    until: str | None
    last_datestamp: str
    last_id: int
    cursor: int
    total: int

    @property
    def after(self) -> tuple[dt.datetime, int]:
        """The keyset position: the (datestamp, id) of the last record already served."""
        return dt.datetime.fromisoformat(self.last_datestamp), self.last_id


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(key: bytes, body: str) -> str:
    return _b64(hmac.new(key, body.encode("ascii"), hashlib.sha256).digest()[:_SIG_BYTES])


def encode(state: ListState, key: bytes) -> str:
    """The token text for ``state``: base64url(JSON) "." base64url(HMAC-SHA256)."""
    payload = [VERSION, *asdict(state).values()]
    body = _b64(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    return f"{body}.{_sign(key, body)}"


def decode(token: str, key: bytes, verb: str) -> ListState:
    """The state in ``token``; TokenError when it is garbled, unsigned by ``key`` or for another verb."""
    body, dot, sig = token.partition(".")
    if not dot or not body or not body.isascii() or not sig.isascii():
        raise TokenError("the resumption token is not one this repository issued")
    if not hmac.compare_digest(sig, _sign(key, body)):
        raise TokenError("the resumption token is not valid here (garbled, edited or from another repository)")
    try:
        payload = json.loads(_unb64(body).decode("utf-8"))
        version, *values = payload
        if version != VERSION:
            raise TokenError(f"resumption token version {version} is not supported")
        state = ListState(*values)
        dt.datetime.fromisoformat(state.last_datestamp)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
        raise TokenError(f"the resumption token cannot be read: {exc}") from None
    if state.verb != verb:
        raise TokenError(f"the resumption token belongs to {state.verb}, not {verb}")
    if not isinstance(state.last_id, int) or not isinstance(state.cursor, int) or not isinstance(state.total, int):
        raise TokenError("the resumption token is damaged")
    return state
