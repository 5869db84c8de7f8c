"""libcat: an electronic catalogue toolkit for IRBIS-, RUSMARC- and MARC 21-based libraries."""

__version__ = "0.1.0"
