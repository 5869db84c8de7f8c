"""OAI-PMH 2.0 protocol rules: verbs and their arguments, datestamps, and the error conditions."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"

#: verb -> (required arguments, optional arguments); resumptionToken is exclusive where allowed.
VERBS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "Identify": (frozenset(), frozenset()),
    "ListMetadataFormats": (frozenset(), frozenset({"identifier"})),
    "ListSets": (frozenset(), frozenset({"resumptionToken"})),
    "GetRecord": (frozenset({"identifier", "metadataPrefix"}), frozenset()),
    "ListIdentifiers": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set", "resumptionToken"})),
    "ListRecords": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set", "resumptionToken"})),
}

ERROR_CODES = (
    "badArgument", "badResumptionToken", "badVerb", "cannotDisseminateFormat", "idDoesNotExist",
    "noRecordsMatch", "noMetadataFormats", "noSetHierarchy",
)

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SECOND = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
_SETSPEC = re.compile(r"^[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*$")


class OAIError(Exception):
    """An OAI-PMH error condition: ``code`` is one of ERROR_CODES, the message is for people."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Request:
    """A parsed, valid request: the verb and its arguments (one value each)."""

    verb: str
    args: dict[str, str] = field(default_factory=dict)


def parse(params: dict[str, list[str]]) -> Request:
    """Check verb and arguments against the specification; raises OAIError(badVerb|badArgument)."""
    verbs = params.get("verb") or []
    if not verbs:
        raise OAIError("badVerb", "the verb argument is missing")
    if len(verbs) > 1:
        raise OAIError("badVerb", "the verb argument is repeated")
    verb = verbs[0]
    if verb not in VERBS:
        raise OAIError("badVerb", f"{verb!r} is not an OAI-PMH verb; expected one of {', '.join(VERBS)}")
    required, optional = VERBS[verb]
    args: dict[str, str] = {}
    for name, values in params.items():
        if name == "verb":
            continue
        if name not in required and name not in optional:
            raise OAIError("badArgument", f"{verb} does not take the argument {name!r}")
        if len(values) != 1:
            raise OAIError("badArgument", f"the argument {name!r} is repeated")
        args[name] = values[0]
    if "resumptionToken" in args:
        if len(args) > 1:
            others = ", ".join(sorted(a for a in args if a != "resumptionToken"))
            raise OAIError("badArgument", f"resumptionToken is exclusive; it cannot come with {others}")
        return Request(verb, args)
    missing = sorted(required - set(args))
    if missing:
        raise OAIError("badArgument", f"{verb} needs the argument(s) {', '.join(missing)}")
    if "set" in args and not _SETSPEC.match(args["set"]):
        raise OAIError("badArgument", f"{args['set']!r} is not a valid setSpec")
    return Request(verb, args)


def parse_datestamp(value: str, name: str) -> tuple[dt.datetime, str]:
    """A from/until value as naive UTC and its granularity ('day' or 'second'); badArgument otherwise."""
    try:
        if _DAY.match(value):
            return dt.datetime.strptime(value, "%Y-%m-%d"), "day"
        if _SECOND.match(value):
            return dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ"), "second"
    except ValueError:
        pass
    raise OAIError("badArgument", f"{name}={value!r} is not a date of the form YYYY-MM-DD or {GRANULARITY}")


def date_range(from_: str | None, until: str | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The inclusive from/until as [start, end) bounds at second granularity; badArgument on mixed forms."""
    start = end = None
    gf = gu = None
    if from_ is not None:
        start, gf = parse_datestamp(from_, "from")
    if until is not None:
        u, gu = parse_datestamp(until, "until")
        end = u + (dt.timedelta(days=1) if gu == "day" else dt.timedelta(seconds=1))
    if gf and gu and gf != gu:
        raise OAIError("badArgument", "from and until have different granularities")
    if start is not None and end is not None and start >= end:
        raise OAIError("badArgument", f"from={from_} is later than until={until}")
    return start, end


def format_datestamp(value: dt.datetime) -> str:
    """A datestamp at the repository's granularity (seconds, UTC, no fractions)."""
    text = value.isoformat(timespec="seconds")
    if len(text) == 19 and value.tzinfo is None:
        return text + "Z"
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_identifier(identifier: str, repository_id: str) -> int | None:
    """The catalogue id in ``oai:<repository_id>:<id>``, or None when it is not one of ours."""
    prefix = f"oai:{repository_id}:"
    if not identifier.startswith(prefix):
        return None
    rest = identifier[len(prefix):]
    if not rest.isascii() or not rest.isdigit() or len(rest) > 18:
        return None
    return int(rest)
