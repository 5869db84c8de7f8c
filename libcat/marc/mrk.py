"""MarcBreaker / MarcMaker mnemonic text (``.mrk``): ``=245  10$aTitle``."""

from __future__ import annotations

from pymarc import Record


def _escape(text: str) -> str:
    return text.replace("$", "{dollar}")


def record_to_mrk(record: Record) -> str:
    """One record as mnemonic lines, blank indicators as ``\\``, ending with an empty line."""
    lines = [f"=LDR  {str(record.leader)}"]
    for f in record.fields:
        if f.is_control_field():
            lines.append(f"={f.tag}  {_escape(f.data or '').replace(' ', chr(92))}")
        else:
            ind = "".join((c if c != " " else "\\") for c in (f.indicators or ["", ""])).ljust(2, "\\")
            subs = "".join(f"${sf.code}{_escape(sf.value)}" for sf in f.subfields)
            lines.append(f"={f.tag}  {ind}{subs}")
    return "\n".join(lines) + "\n\n"
