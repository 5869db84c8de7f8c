"""A record's fields by tag, made in one pass over the record.

Everything that reads one record on import (flavour detection, validation, summary columns, match keys,
copies, sub-catalogue rules) looks fields up by tag. ``record.get_fields(tag)`` walks all fields on every
call; an index made once and handed to each of them walks them once.
"""

from __future__ import annotations

from collections.abc import Callable, ItemsView, ValuesView
from typing import Any

from pymarc import Field, Record

FieldIndex = dict[str, list[Field]]


def index(record: Record) -> FieldIndex:
    """Fields by tag, each list in record order."""
    by_tag: FieldIndex = {}
    for f in record.fields:
        got = by_tag.get(f.tag)
        if got is None:
            by_tag[f.tag] = [f]
        else:
            got.append(f)
    return by_tag


def subfield_values(f: Field, codes: tuple[str, ...]) -> list[str]:
    """The values of subfields ``codes`` (distinct codes) of data field ``f``: all of the first code, then all
    of the next, as ``[v for c in codes for v in f.get_subfields(c)]`` gives them, in one pass over the
    subfields. A code named twice in ``codes`` would give its values once, not twice."""
    found = [(code, value) for code, value in f.subfields if code in codes]
    if len(found) > 1:
        found.sort(key=lambda sf: codes.index(sf[0]))
    return [value for _, value in found]


_DICT_GET = dict.get
_DICT_ITEM = dict.__getitem__
_DICT_SET = dict.__setitem__
_DICT_SETDEFAULT = dict.setdefault


class LazyIndex(dict):
    """Fields by tag of a record read from text, each tag's list made the first time it is looked up.

    Every tag is a key from the start (``in``, ``len`` and iteration need no fields); ``get`` and ``[]`` make
    that tag's fields, ``items``, ``values`` and ``fields`` make all that are still missing. The import steps
    look up ~9 of a bench record's 21 fields, so ~60% of its Field and Subfield objects are never made.
    Made by ``lazy_index``; a tag whose fields are not made yet holds the position of its last field (an int).
    The dict methods that would hand out such a position make every field first; only ``dict(idx)`` and
    ``{**idx}``, which read the dict in C, would not (no step copies an index). The record's ``fields`` are the
    lists' objects, read when first asked for: a step must not add to or remove from a list it was given.
    """

    __slots__ = ("tags", "texts", "make", "firsts", "_all")

    def get(self, tag: str, default: Any = None) -> Any:
        """The fields tagged ``tag`` (made now if not yet), else ``default``."""
        got = _DICT_GET(self, tag)
        if got is None:
            return default
        return self._made(tag, got) if got.__class__ is int else got

    def __getitem__(self, tag: str) -> list[Field]:
        got = _DICT_ITEM(self, tag)
        return self._made(tag, got) if got.__class__ is int else got

    def items(self) -> ItemsView[str, list[Field]]:
        """``dict.items`` with every tag's fields made."""
        self._make_all()
        return dict.items(self)

    def values(self) -> ValuesView[list[Field]]:
        """``dict.values`` with every tag's fields made."""
        self._make_all()
        return dict.values(self)

    def copy(self) -> FieldIndex:
        """A plain index of the same lists, every tag's fields made."""
        self._make_all()
        return dict(dict.items(self))

    def __eq__(self, other: object) -> bool:
        self._make_all()
        return dict.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __repr__(self) -> str:
        self._make_all()
        return dict.__repr__(self)

    def __or__(self, other: Any) -> FieldIndex:
        return self.copy() | other

    def setdefault(self, tag: str, default: Any = None) -> Any:
        """``dict.setdefault``, the tag's fields made if it has them."""
        return self[tag] if tag in self else _DICT_SETDEFAULT(self, tag, default)

    def pop(self, tag: str, *default: Any) -> Any:
        """``dict.pop``, the tag's fields made first."""
        self.get(tag)
        return dict.pop(self, tag, *default)

    def popitem(self) -> tuple[str, list[Field]]:
        """``dict.popitem``, every tag's fields made first."""
        self._make_all()
        return dict.popitem(self)

    def fields(self) -> list[Field]:
        """Every field in record order, the same objects the index hands out (made on the first call)."""
        if self._all is None:
            self._make_all()
            taken = {tag: iter(fields) for tag, fields in dict.items(self)}
            self._all = [next(taken[tag]) for tag in self.tags]
        return self._all

    def _made(self, tag: str, last: int) -> list[Field]:
        """Make, keep and return the fields tagged ``tag``, the last at position ``last``. The first one's position
        is looked up in ``firsts``: a list's ``index`` and ``count`` compared strings for ~25,000 instructions a
        bench record."""
        first = self.firsts[tag]
        texts, make = self.texts, self.make
        if first == last:
            fields = [make(tag, texts[last])]
        else:
            tags = self.tags
            fields = [make(tag, texts[i]) for i in range(first, last + 1) if tags[i] == tag]
        _DICT_SET(self, tag, fields)
        return fields

    def _make_all(self) -> None:
        for tag, got in list(dict.items(self)):
            if got.__class__ is int:
                self._made(tag, got)


def lazy_index(tags: list[str], texts: list[str], make: Callable[[str, str], Field]) -> LazyIndex:
    """The lazy index of a record whose field tagged ``tags[i]`` has the text ``texts[i]``; ``make(tag, text)``
    makes a Field."""
    positions = range(len(tags))
    idx = LazyIndex(zip(tags, positions))
    idx.firsts = dict(zip(reversed(tags), reversed(positions)))
    idx.tags = tags
    idx.texts = texts
    idx.make = make
    idx._all = None
    return idx


_RECORD_FIELDS = Record.fields


class LazyRecord(Record):
    """A pymarc Record whose ``fields`` are those of its ``LazyIndex``, made when first read.

    ``flavour`` is a slot of its own: ``flavour.set_flavour`` sets it instead of changing the class (which
    would lose the lazy ``fields``).
    """

    __slots__ = ("index", "flavour")

    @property
    def fields(self) -> list[Field]:
        """All fields in record order (``LazyIndex.fields`` until assigned)."""
        try:
            return _RECORD_FIELDS.__get__(self, Record)
        except AttributeError:
            fields = self.index.fields()
            _RECORD_FIELDS.__set__(self, fields)
            return fields

    @fields.setter
    def fields(self, fields: list[Field]) -> None:
        _RECORD_FIELDS.__set__(self, fields)
