"""Digitization: digital objects (scan sets) and their files, collections, author contracts, rights."""

from __future__ import annotations

#: Kinds of digitized documents, in the order the report tables list them.
TYPES = ("newspaper-article", "journal-article", "book-chapter", "book")
#: What a contract (or the law) may allow: digitizing, putting on the library's site, giving to the aggregator.
SCOPES = ("digitize", "publish-site", "publish-aggregator")
