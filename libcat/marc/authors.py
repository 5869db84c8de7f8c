"""Authors of a record and their death years, read from the name fields of any flavour.

The rights rules (public domain from 1 January of the 71st year after the last author's death) and the
report counts both need them, so they live with the formats, not with either user.
"""

from __future__ import annotations

import re

from pymarc import Record

from .flavour import IRBIS, MARC21

#: Years a work stays protected after its last author's death (Kazakhstan: 70, counted from 1 January after;
#: Law of the RK on copyright, art. 28).
PROTECTION_YEARS = 70

_RANGE = re.compile(r"(\d{3,4})\s*(?:г\.|гг\.|ж\.)?\s*[-–—]\s*(\d{3,4})")
_DIED = re.compile(r"(?:\bd\.|\bdied|\bум\.|\bумер\w*|\bқ\.|қайтыс\s+бол\w*)\s*(\d{3,4})", re.IGNORECASE)


def death_year_from_text(text: str | None) -> int | None:
    """The death year in a dates subfield: "1900-1955" -> 1955, "d. 1955" / "ум. 1955" -> 1955, "1950-" -> None."""
    if not text:
        return None
    m = _RANGE.search(text)
    if m:
        return int(m.group(2))
    m = _DIED.search(text)
    return int(m.group(1)) if m else None


def _is_author(field) -> bool:
    """True for a person who is an author of the work (not an editor, translator, illustrator)."""
    relator = " ".join(field.get_subfields("4", "e")).lower()
    if not relator.strip():
        return True
    return any(w in relator for w in ("070", "aut", "автор", "author"))


def author_dates(record: Record, flavour: str) -> list[tuple[str, str, int | None]]:
    """(field tag, person, death year or None) of every author of the record."""
    if flavour == MARC21:
        tags, name, dates = ("100", "700"), "a", "d"
    else:
        tags, name, dates = ("700", "701"), "a", "f"
    out = []
    for tag in tags:
        for f in record.get_fields(tag):
            if f.is_control_field() or not _is_author(f):
                continue
            person = " ".join(v for v in f.get_subfields(name, "b", "g") if v).strip()
            out.append((tag, person, death_year_from_text(" ".join(f.get_subfields(dates)))))
    return out


def record_death_year(record: Record, flavour: str) -> tuple[int | None, str | None]:
    """(death year of the last author to die, field it came from); None when any author's is unknown."""
    people = author_dates(record, flavour)
    if not people or any(year is None for _, _, year in people):
        return None, None
    tag, _, year = max(people, key=lambda p: p[2])
    code = "d" if flavour == MARC21 else "f"
    sep = "^" if flavour == IRBIS else "$"
    return year, f"{tag}{sep}{code.upper() if flavour == IRBIS else code}"
