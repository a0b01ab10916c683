"""docs/cli.md's exit-status table matches what the CLI does: every example in it is run."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "cli.md"
PROGRAM = f"{sys.executable} -m xborder_risk.cli"


def _exit_status_rows() -> list[tuple[int, list[str]]]:
    """(status, example commands) of each row of the table under '## Exit status'."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Exit status", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        if len(cells) == 4 and cells[0].isdigit():
            examples = re.findall(r"`(xborder-risk [^`]*)`", cells[2])
            rows.append((int(cells[0]), [e.replace("\\|", "|") for e in examples]))
    return rows


ROWS = _exit_status_rows()
EXAMPLES = [(status, example) for status, examples in ROWS for example in examples]


def test_table_lists_every_status_the_cli_uses() -> None:
    from xborder_risk import cli

    statuses = [status for status, _ in ROWS]
    assert statuses == sorted(set(statuses))
    assert {cli.EXIT_OK, cli.EXIT_ERROR, cli.EXIT_INVALID_INPUT} <= set(statuses)
    assert {128 + signal.SIGINT, 128 + signal.SIGTERM} <= set(statuses)
    assert all(examples for status, examples in ROWS if status < 128), "an example per status"


@pytest.mark.parametrize(("status", "example"), EXAMPLES, ids=[e for _, e in EXAMPLES])
def test_documented_example_exits_with_its_status(status: int, example: str) -> None:
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])
    )
    env.pop("XBORDER_RISK_DEBUG", None)
    command = example.replace("xborder-risk", PROGRAM, 1)
    done = subprocess.run(
        ["bash", "-c", command],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == status, (example, done.stderr)
    assert "Traceback" not in done.stderr
    if status:
        assert done.stderr.startswith(("error:", "Usage:")), done.stderr


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_signal_status_while_writing(tmp_path: Path, signum: int) -> None:
    # The 128 + signal rows: a quote interrupted while writing its report (the attack
    # catalogue's scenario, which also checks that the previous report survives).
    sys.path.insert(0, str(REPO / "tests" / "reliability"))
    try:
        import attacks
    finally:
        sys.path.pop(0)
    assert attacks.killed_mid_write(signum)(tmp_path) is None
