"""write_report writes a whole set or nothing, never over an input, never through a link.

Signals, a full disk and concurrent processes are exercised on the real CLI by the attack
catalogue (tests/reliability); these tests check the same guarantees in-process.
"""

from __future__ import annotations

import fcntl
import os
import signal
from pathlib import Path

import pytest

import xborder_risk.report as report
from xborder_risk import Quote
from xborder_risk.errors import ParameterError
from xborder_risk.report import (
    REPORT_FORMATS,
    refuse_overwriting_inputs,
    report_file_names,
    write_report,
)


def _state(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def test_file_names_are_known_before_writing(egates_quote: Quote, tmp_path: Path) -> None:
    written = write_report(egates_quote, tmp_path, stem="q", formats=REPORT_FORMATS)
    names = report_file_names("q", REPORT_FORMATS)
    assert [(fmt, p.name) for fmt, paths in written.items() for p in paths] == names
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(n for _, n in names)


@pytest.mark.parametrize("link", ["same", "hard", "symlinked_input"])
def test_an_input_is_never_replaced(egates_quote: Quote, tmp_path: Path, link: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    if link == "same":
        source = out / "q.json"
        source.write_text("{}")
    elif link == "hard":
        source = tmp_path / "sub.json"
        source.write_text("{}")
        os.link(source, out / "q.json")
    else:
        (out / "q.json").write_text("{}")
        source = tmp_path / "link.json"
        source.symlink_to(out / "q.json")
    with pytest.raises(ParameterError, match=r"would overwrite the input file .*q\.json"):
        write_report(egates_quote, out, stem="q", inputs=[source])
    with pytest.raises(ParameterError):
        refuse_overwriting_inputs(out, "q", "json", [source])
    assert (out / "q.json").read_text() == "{}"
    assert sorted(p.name for p in out.iterdir()) == ["q.json"]  # nothing else written either


def test_a_planted_symlink_is_replaced_not_followed(egates_quote: Quote, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    out = tmp_path / "out"
    out.mkdir()
    (out / "q.json").symlink_to(victim)
    (out / "q.md").symlink_to(tmp_path / "dangling.md")
    write_report(egates_quote, out, stem="q", formats="json,md")
    assert victim.read_text() == "precious"
    assert not (tmp_path / "dangling.md").exists()
    assert not (out / "q.json").is_symlink() and (out / "q.json").read_text().startswith("{")


@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_a_failed_write_leaves_the_previous_set(
    egates_quote: Quote, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: BaseException
) -> None:
    write_report(egates_quote, tmp_path, stem="q")
    before = _state(tmp_path)
    calls: list[Path] = []

    def fail_on_third(path: Path) -> None:
        calls.append(path)
        if len(calls) == 3:
            raise failure

    monkeypatch.setattr(report, "_after_temp_file", fail_on_third)
    with pytest.raises(type(failure)):
        write_report(egates_quote, tmp_path, stem="q")
    assert len(calls) == 3
    assert _state(tmp_path) == before  # no partial file, no temporary directory


def test_an_unwritable_file_names_the_final_path(
    egates_quote: Quote, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = os.write

    def full_disk(fd: int, data: bytes) -> int:
        if len(data) > 50_000:
            raise OSError(28, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", full_disk)
    with pytest.raises(OSError, match="No space left on device") as info:
        write_report(egates_quote, tmp_path, stem="q")
    assert info.value.filename == str(tmp_path / "q_ep_curves.png")
    assert "nothing was replaced" in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_a_run_waits_for_the_directory_lock_then_gives_up(
    egates_quote: Quote, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report, "_LOCK_WAIT_SECONDS", 0.2)
    fd = os.open(tmp_path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # another run moving its files in place
        with pytest.raises(OSError, match="another run"):
            write_report(egates_quote, tmp_path, stem="q", formats="json")
        assert list(tmp_path.iterdir()) == []
    finally:
        os.close(fd)
    write_report(egates_quote, tmp_path, stem="q", formats="json")
    assert [p.name for p in tmp_path.iterdir()] == ["q.json"]


def test_signals_wait_until_every_file_is_in_place() -> None:
    moved = []
    with pytest.raises(KeyboardInterrupt):
        with report._signals_deferred():
            signal.raise_signal(signal.SIGINT)  # arrives mid-move ...
            moved.append("all files")  # ... and the move goes on
    assert moved == ["all files"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_sigterm_unwinds_while_writing() -> None:
    with pytest.raises(SystemExit) as info:
        with report._terminating_signals_raise():
            signal.raise_signal(signal.SIGTERM)
    assert info.value.code == 128 + signal.SIGTERM
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL


def test_a_directory_in_the_way_stops_the_set_before_any_move(
    egates_quote: Quote, tmp_path: Path
) -> None:
    write_report(egates_quote, tmp_path, stem="q", formats="md,json")
    inodes = {
        name: (tmp_path / name).stat().st_ino for name in ("q.md", "q.json", "q_ep_curves.png")
    }
    (tmp_path / "q.html").mkdir()
    with pytest.raises(IsADirectoryError, match="report file"):
        write_report(egates_quote, tmp_path, stem="q", formats="md,html,json")
    # os.replace gives a moved file a new inode: the old ones show nothing was moved.
    assert {name: (tmp_path / name).stat().st_ino for name in inodes} == inodes
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "q.html",
        "q.json",
        "q.md",
        "q_ep_curves.png",
    ]
