"""Output files of the CLI: checked before the work, never emptied by a command that then refuses."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples"


def test_import_with_unwritable_report_path_imports_nothing(run_cli):
    assert run_cli("init").exit_code == 0
    res = run_cli("import", str(SAMPLES / "broken-records.txt"), "--report-json", "/nonexist/r.json")
    assert res.exit_code == 1
    assert res.output.strip() == "libcat: error: /nonexist/r.json: No such file or directory"
    assert run_cli("batches").output.strip() == ""


def test_export_that_refuses_leaves_the_existing_file_alone(run_cli, tmp_path):
    assert run_cli("init").exit_code == 0
    target = tmp_path / "out.mrc"
    target.write_bytes(b"previous export")
    res = run_cli("export", "--subcat", "no-such-subcat", "-o", str(target))
    assert res.exit_code == 1 and "no-such-subcat" in res.output
    assert target.read_bytes() == b"previous export"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.mrc")] == []
    res = run_cli("export", "-o", "/nonexist/out.mrc")
    assert res.exit_code == 1 and res.output.strip() == "libcat: error: /nonexist/out.mrc: No such file or directory"


def test_quarantine_export_that_refuses_leaves_the_existing_file_alone(run_cli, tmp_path):
    assert run_cli("init").exit_code == 0
    assert run_cli("import", str(SAMPLES / "broken-records.txt")).exit_code == 1
    broken = tmp_path / "broken.mrc"
    broken.write_bytes(b"00026nam  2200025   4500\x1e\x1dnot iso")
    assert run_cli("import", "--format", "iso2709", str(broken)).exit_code == 1
    target = tmp_path / "q.txt"
    target.write_bytes(b"keep me")
    res = run_cli("quarantine", "export", "-o", str(target))
    assert res.exit_code == 1 and "several formats" in res.output
    assert target.read_bytes() == b"keep me"
    res = run_cli("quarantine", "export", "--format", "irbis", "-o", str(target))
    assert res.exit_code == 0 and b"*****" in target.read_bytes()


def test_export_into_a_named_pipe_writes_through_it_and_leaves_the_pipe(run_cli, tmp_path):
    """`-o /dev/null` or a pipe must not be renamed over (that once turned /dev/null into a plain file)."""
    import os
    import stat
    import threading

    assert run_cli("init").exit_code == 0
    assert run_cli("import", str(SAMPLES / "kazakh-books-and-articles.txt")).exit_code == 0
    fifo = tmp_path / "export.pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    res = run_cli("export", "--format", "marcxml", "-o", str(fifo))
    reader.join(timeout=30)
    assert res.exit_code == 0, res.output
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert received and "Қамшы".encode() in received[0] and received[0].rstrip().endswith(b"</collection>")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".export.pipe")] == []
