"""`libcat convert`: exit statuses, stdin/stdout, messages, and the fast path giving the record path's bytes."""

from __future__ import annotations

import io
import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from libcat.cli import formats
from libcat.marc import io as mio


@pytest.fixture(scope="module")
def cli() -> click.Group:
    @click.group()
    def root() -> None:
        """A bare group holding only `convert` (it needs no catalogue)."""

    formats.register(root)
    return root


@pytest.fixture(scope="module")
def all_iso(corpus: Path, tmp_path_factory) -> Path:
    """Every corpus ISO 2709 file, one after the other, as one file."""
    marc = corpus / "marc"
    survey = json.loads((marc / "survey.json").read_text())
    out = tmp_path_factory.mktemp("conv") / "all.mrc"
    with open(out, "wb") as fh:
        for entry in survey:
            if entry["fmt"] == "ISO2709":
                fh.write((marc / entry["file"]).read_bytes())
        fh.write((corpus / "irbis" / "rusmarc_nlr_81records_cp1251.iso").read_bytes())
    return out


def _record_path_xml(path: Path) -> bytes:
    buf = io.BytesIO()
    writer = mio.open_writer(buf, "marcxml")
    for item in mio.read(path, fmt="iso2709"):
        if item.ok:
            writer.write(item.record)
    writer.close()
    return buf.getvalue()


@pytest.mark.parametrize("jobs", [1, 2])
def test_fast_path_output_is_identical_and_in_order(all_iso, jobs):
    expected = _record_path_xml(all_iso)
    out = io.BytesIO()
    with open(all_iso, "rb") as src:
        notes = list(mio.iso_to_marcxml(src, out, jobs=jobs, batch=50))
    assert out.getvalue() == expected
    slow_warned = {i.position for i in mio.read(all_iso, fmt="iso2709") if i.warnings}
    fast = {n.position: n.warnings for _, n in notes if n is not None and n.warnings}
    assert slow_warned <= set(fast)
    assert all(any("not allowed in XML" in w for w in fast[p]) for p in set(fast) - slow_warned)


def test_convert_to_marcxml_and_back(cli, corpus, tmp_path):
    src = corpus / "irbis" / "rusmarc_nlr_81records_cp1251.iso"
    xml = tmp_path / "out.xml"
    res = CliRunner().invoke(cli, ["convert", str(src), str(xml)])
    assert res.exit_code == 0, res.output
    assert "81 records read, 0 unreadable" in res.output
    assert "Вып. 13." in xml.read_text(encoding="utf-8")
    back = tmp_path / "back.mrc"
    res = CliRunner().invoke(cli, ["convert", str(xml), str(back), "--to", "iso2709"])
    assert res.exit_code == 0, res.output
    assert [i.record["001"].data for i in mio.read(back)] == [i.record["001"].data for i in mio.read(src)]


def test_stdin_to_stdout(cli, corpus):
    data = (corpus / "marc" / "edsu__pymarc" / "test" / "marc.dat").read_bytes()
    res = CliRunner().invoke(cli, ["convert", "-", "-", "--to", "mrk"], input=data)
    assert res.exit_code == 0
    assert res.stdout_bytes.count(b"=LDR  ") == 20


def test_unreadable_record_gives_status_1_with_file_record_and_offset(cli, corpus, tmp_path, monkeypatch):
    good = (corpus / "marc" / "edsu__pymarc" / "test" / "one.dat").read_bytes()
    bad = tmp_path / "bad.mrc"
    bad.write_bytes(good + b"this is not a record at all, just junk\x1d" + good)
    out = tmp_path / "bad.xml"
    res = CliRunner().invoke(cli, ["convert", str(bad), str(out)])
    assert res.exit_code == 1
    assert f"{bad}: record 2 (byte {len(good)}): unreadable record: no field terminator" in res.output
    assert out.read_bytes().count(b"<record>") == 2
    monkeypatch.setenv("LIBCAT_LANG", "ru")
    res = CliRunner().invoke(cli, ["convert", str(bad), str(tmp_path / "bad.json")])
    assert res.exit_code == 1 and "запись не прочитана" in res.output
    monkeypatch.setenv("LIBCAT_LANG", "kk")
    res = CliRunner().invoke(cli, ["convert", str(bad), str(tmp_path / "bad.mrk")])
    assert res.exit_code == 1 and "жазба оқылмады" in res.output


def test_unreadable_file_gives_status_2(cli, tmp_path):
    res = CliRunner().invoke(cli, ["convert", str(tmp_path / "missing.mrc"), str(tmp_path / "x.xml")])
    assert res.exit_code == 2 and "cannot read" in res.output and "Traceback" not in res.output
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"hello, this is no catalogue file")
    res = CliRunner().invoke(cli, ["convert", str(junk), str(tmp_path / "x.xml")])
    assert res.exit_code == 2 and "cannot tell the format" in res.output
    res = CliRunner().invoke(cli, ["convert", str(junk), str(tmp_path / "x.unknown")])
    assert res.exit_code == 2 and "--to" in res.output


def test_irbis_text_to_iso_reports_long_tags(cli, corpus, tmp_path):
    res = CliRunner().invoke(cli, ["convert", str(corpus / "irbis" / "irbis_plaintext_3records_utf8.txt"),
                                   str(tmp_path / "irbis.iso")])
    assert res.exit_code == 0
    assert "tag 1119 cannot be written to ISO 2709" in res.output
    xml = tmp_path / "irbis.xml"
    res = CliRunner().invoke(cli, ["convert", str(corpus / "irbis" / "irbis_plaintext_3records_utf8.txt"), str(xml)])
    assert res.exit_code == 0 and 'tag="1119"' in xml.read_text(encoding="utf-8")


def test_encoding_override_and_output_encoding(cli, corpus, tmp_path):
    src = corpus / "marc" / "edsu__pymarc" / "test" / "1251.dat"
    out = tmp_path / "out.mrc"
    res = CliRunner().invoke(cli, ["convert", str(src), str(out), "--encoding", "win1251", "--out-encoding", "cp1251"])
    assert res.exit_code == 0, res.output
    assert "Основы".encode("cp1251") in out.read_bytes()
    res = CliRunner().invoke(cli, ["convert", str(src), str(out), "--encoding", "nonsense"])
    assert res.exit_code == 2


_LEADER = "00000nam a2200000 a 4500"
_CLEAN = [("001", None, "id-1"), ("008", None, "850101s1985    xx            000 0 eng d"),
          ("245", "10", [("a", "Title & <more> \"quoted\""), ("c", "Автор")])]


def _tricky_records() -> dict[str, bytes]:
    """Records that each test one decision of the fast path; ``ind=None`` writes a field's raw text."""
    from libcat.marc.iso2709 import encode

    def rec(*extra, leader=_LEADER, base=_CLEAN, encoding="utf-8") -> bytes:
        blob, problems = encode(leader, list(base) + list(extra), encoding)
        assert blob is not None and not problems
        return blob

    cases = {
        "clean": rec(),
        "marc8 flag, ascii only": rec(leader=_LEADER[:9] + " " + _LEADER[10:], base=_CLEAN[:2]),
        "quote in leader": rec(leader=_LEADER[:17] + '"' + _LEADER[18:]),
        "odd tags": rec(("00A", None, "  \x1faletter tag"), ("2\"5", None, "01\x1fxq"), ("000", None, "zero")),
        "newline code": rec(("500", None, "  \x1f\nvalue")),
        "only indicators": rec(("500", None, "  ")),
        "no indicators": rec(("500", None, "1\x1faone")),
        "text before subfields": rec(("500", None, "10x\x1fa")),
        "special indicator": rec(("500", None, "&0\x1fax")),
        "non-ascii indicator": rec(("500", None, "é0\x1fax")),
        "non-ascii code": rec(("500", None, "00\x1fжx")),
        "special code": rec(("500", None, "00\x1f<x")),
        "empty subfield": rec(("500", None, "00\x1f\x1fax")),
        "trailing delimiter": rec(("500", None, "00\x1fax\x1f")),
        "delimiter in control field": rec(("005", None, "2020\x1f01")),
        "control character": rec(("500", None, "00\x1fabell\x07")),
        "noncharacter": rec(("500", None, "00\x1fa\ufffe")),
        "unimarc": rec(base=[("001", None, "u1"), ("100", "  ", [("a", "20200101d2020    u  y0rusy50      ca")]),
                              ("200", "1 ", [("a", "Заглавие")])]),
        "unimarc declaring cp1251": rec(base=[("001", None, "u2"), ("100", None, "  \x1fa20200101d2020    u  "
                                              "y0rusy0189    ca"), ("200", "1 ", [("a", "Title")])]),
    }
    clean = cases["clean"]
    base = int(clean[12:17])
    entries = [clean[24 + i: 36 + i] for i in range(0, base - 25, 12)]
    cases["directory out of order"] = clean[:24] + b"".join([entries[1], entries[0], *entries[2:]]) + clean[base - 1:]
    cases["length off by one"] = clean[:3] + b"%02d" % (int(clean[3:5]) + 1) + clean[5:]
    cases["cp1251"] = rec(encoding="cp1251")
    cases["non-ascii tag"] = clean[:24] + "ж".encode() + clean[26:]
    return cases


_FAST = {"clean", "marc8 flag, ascii only", "quote in leader", "odd tags", "newline code", "unimarc"}


def test_fast_path_takes_clean_records_and_leaves_the_rest(tmp_path):
    from libcat.marc import iso2709, marcxml

    for name, blob in _tricky_records().items():
        text = marcxml.fast_render(blob)
        assert (text is not None) == (name in _FAST), name
        if text is not None:
            parsed = iso2709.parse(blob)
            assert not parsed.warnings, name
            assert text == marcxml.render(parsed.leader, parsed.fields)[0], name


@pytest.mark.parametrize("jobs", [1, 2])
def test_fast_path_equals_record_path_on_tricky_records(tmp_path, jobs):
    cases = _tricky_records()
    path = tmp_path / "tricky.mrc"
    # every case once on its own and once among clean records, so batches mix both paths
    path.write_bytes(b"".join(blob + cases["clean"] for blob in cases.values()))
    expected = _record_path_xml(path)
    out = io.BytesIO()
    with open(path, "rb") as src:
        notes = [n for _, n in mio.iso_to_marcxml(src, out, jobs=jobs, batch=3) if n is not None]
    assert out.getvalue() == expected
    assert expected.count(b"<record>") == 2 * len(cases)
    assert b"\x1f" not in expected and b"\x07" not in expected
    slow = {i.position: i.warnings for i in mio.read(path, fmt="iso2709") if i.warnings}
    fast = {n.position: n.warnings for n in notes}
    assert len(slow) >= 6 and slow.keys() <= fast.keys()
    assert all(fast[p][: len(w)] == w for p, w in slow.items())
    assert all("not allowed in XML" in w for p in fast.keys() - slow.keys() for w in fast[p])
    assert [n.position for n in notes] == sorted(fast)


def test_worker_errors_reach_the_caller(tmp_path, monkeypatch):
    def broken(batch, encoding):
        raise RuntimeError("worker failed")

    monkeypatch.setattr(mio, "_xml_batch", broken)
    path = tmp_path / "one.mrc"
    path.write_bytes(_tricky_records()["clean"] * 3)
    with open(path, "rb") as src, pytest.raises(RuntimeError, match="worker failed"):
        list(mio.iso_to_marcxml(src, io.BytesIO(), jobs=2, batch=1))
