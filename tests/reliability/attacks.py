"""The attack catalogue of issue 18 on the CLI, its input files and its output (data, not tests).

Each :class:`Attack` is one hostile or unlucky use of ``xborder-risk``: it builds its inputs in a
fresh directory, runs the real program in a subprocess (bounded in time and address space) and
says what a clean outcome is: the exit status, the words the one-line error must contain (the
field, file, row or column) and, for "safe behaviour" cases, a check of what was left on disk.
An attack that needs more than one process (signals, a full disk, two runs at once) is a
``scenario``: a callable returning ``None`` when the program behaved, or what went wrong.

``test_attack_catalogue.py`` runs every case of :data:`ATTACKS` here and of ``ATTACKS`` in
``attacks_tables.py`` (rating tables and distributions) when that module exists, and reports
the figure "attacks refused cleanly / attacks tried".
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "submissions" / "eu_egates_contractor.yaml"

#: Address-space cap of every attacked process: a parse or a run that tried to use more fails
#: instead of taking the machine down (the 14.7 MB YAML list once took 5.1 GB).
MEMORY_LIMIT_BYTES = 3 * 2**30
#: Years simulated by the quotes of the catalogue: enough for a full report, quick to run.
YEARS = "2000"


@dataclass(frozen=True)
class Result:
    """What one run of the program did."""

    status: int
    stdout: str
    stderr: str
    seconds: float


@dataclass(frozen=True)
class Attack:
    """One case of the catalogue.

    Attributes
    ----------
    name : str
        Short identifier (the test id).
    argv : callable
        ``argv(tmp)`` writes the inputs under the directory ``tmp`` and returns the CLI's
        arguments (without the program name).  Unused by a scenario.
    status : int
        Expected exit status: 2 for a refused input, 0 for an input handled safely.
    message : tuple of str
        Substrings the error output must contain (the field, file or rule it names).
    check : callable, optional
        ``check(tmp, result)`` returns ``None`` if what the run left is safe, else a reason.
    env : mapping
        Extra environment variables.
    stdout : {"pipe", "closed", "broken_pipe"}
        Standard output of the program: a pipe read to the end, closed before start
        (``>&-``), or a pipe whose reader has gone (as in ``| head``: the program then exits
        with status 1 and, like other filters, says nothing).
    timeout : float
        Seconds after which the run counts as a hang.
    scenario : callable, optional
        ``scenario(tmp)`` runs a multi-process attack itself and returns ``None`` if the
        program behaved, else a reason; it raises :class:`AttackSkipped` when the machine
        cannot stage it (a tmpfs needs root).
    """

    name: str
    argv: Callable[[Path], Sequence[str]] = lambda tmp: ()
    status: int = 2
    message: tuple[str, ...] = ()
    check: Callable[[Path, Result], str | None] | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    stdout: Literal["pipe", "closed", "broken_pipe"] = "pipe"
    timeout: float = 120.0
    scenario: Callable[[Path], str | None] | None = None


class AttackSkipped(Exception):
    """The machine cannot stage this attack (the reason is the message)."""


# --------------------------------------------------------------------------------------------
# running


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))


def _environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.pop("XBORDER_RISK_DEBUG", None)
    env.pop("COLUMNS", None)
    env.update(extra or {})
    return env


def command(argv: Sequence[str]) -> list[str]:
    """The command line running ``xborder-risk argv`` with this checkout's package."""
    return [sys.executable, "-m", "xborder_risk.cli", *map(str, argv)]


def run_cli(
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    stdout: Literal["pipe", "closed", "broken_pipe"] = "pipe",
    timeout: float = 120.0,
    cwd: Path | None = None,
) -> Result:
    """Run the CLI in a subprocess, bounded in time and address space."""
    start = time.monotonic()
    if stdout == "pipe":
        done = subprocess.run(
            command(argv),
            capture_output=True,
            text=True,
            env=_environment(env),
            timeout=timeout,
            preexec_fn=_limit_memory,
            cwd=cwd,
            check=False,
        )
        return Result(done.returncode, done.stdout, done.stderr, time.monotonic() - start)
    read_end, write_end = os.pipe()
    if stdout == "broken_pipe":
        os.close(read_end)  # the reader has gone before anything is written
    try:
        process = subprocess.Popen(
            command(argv),
            stdin=subprocess.DEVNULL,
            stdout=write_end if stdout == "broken_pipe" else subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=_environment(env),
            preexec_fn=(
                (lambda: (_limit_memory(), os.close(1))) if stdout == "closed" else _limit_memory
            ),
            cwd=cwd,
        )
    finally:
        os.close(write_end)
        if stdout == "closed":
            os.close(read_end)
    try:
        _, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise
    return Result(process.returncode, "", stderr, time.monotonic() - start)


def verdict(attack: Attack, tmp: Path) -> str | None:
    """Run one attack; ``None`` if it was refused cleanly or handled safely, else why not."""
    if attack.scenario is not None:
        return attack.scenario(tmp)
    argv = attack.argv(tmp)
    try:
        result = run_cli(argv, env=attack.env, stdout=attack.stdout, timeout=attack.timeout)
    except subprocess.TimeoutExpired:
        return f"no answer within {attack.timeout:.0f} s (hang or unbounded work)"
    return judge(attack, result, tmp)


def judge(attack: Attack, result: Result, tmp: Path) -> str | None:
    """Whether ``result`` is the clean outcome ``attack`` expects."""
    problems = []
    if result.status != attack.status:
        problems.append(f"exit status {result.status}, expected {attack.status}")
    output = result.stdout + result.stderr
    if "Traceback" in output or "internal error" in output:
        problems.append("a traceback or an internal error")
    if "\x1b" in output:
        problems.append("a raw ESC character reached the terminal")
    if attack.status != 0 and attack.stdout != "broken_pipe":  # a gone reader: quiet exit
        first = result.stderr.lstrip().splitlines()[:1]
        if not first or not (first[0].startswith("error:") or first[0].startswith("Usage:")):
            problems.append("no 'error: ...' line on standard error")
    problems += [f"error does not name {word!r}" for word in attack.message if word not in output]
    if attack.check is not None:
        reason = attack.check(tmp, result)
        if reason:
            problems.append(reason)
    if problems:
        return "; ".join(problems) + f" | stderr: {result.stderr.strip()[:400]!r}"
    return None


# --------------------------------------------------------------------------------------------
# inputs


def _example_text() -> str:
    return EXAMPLE.read_text(encoding="utf-8")


def _example_json() -> str:
    from xborder_risk.exposure import Submission

    return Submission.from_file(EXAMPLE).to_json()


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _yaml_replacing(old: str, new: str) -> str:
    text = _example_text()
    assert old in text, old
    return text.replace(old, new, 1)


def _unchanged(path_of: Callable[[Path], Path], digest_of: Callable[[], str]) -> Callable:
    def check(tmp: Path, _result: Result) -> str | None:
        return None if _sha(path_of(tmp)) == digest_of() else f"{path_of(tmp)} was overwritten"

    return check


def _argv_out_over_submission(tmp: Path) -> list[str]:
    submission = _write(tmp / "d" / "X.json", _example_json())
    return ["quote", submission, "--out", tmp / "d", "-n", YEARS]


def _argv_symlinked_submission(tmp: Path) -> list[str]:
    real = _write(tmp / "real" / "X.json", _example_json())
    (tmp / "links").mkdir()
    (tmp / "links" / "sub.json").symlink_to(real)
    return ["quote", tmp / "links" / "sub.json", "--out", tmp / "real", "--name", "X", "-n", YEARS]


def _argv_hard_linked_submission(tmp: Path) -> list[str]:
    original = _write(tmp / "sub.json", _example_json())
    (tmp / "out").mkdir()
    os.link(original, tmp / "out" / "report.json")
    return ["quote", original, "--out", tmp / "out", "--name", "report", "-n", YEARS]


def _argv_planted_symlink(tmp: Path) -> list[str]:
    victim = _write(tmp / "victim.txt", "precious\n")
    out = tmp / "out"
    out.mkdir()
    (out / "sub.json").symlink_to(victim)
    (out / "sub.html").symlink_to(tmp / "nonexistent_target.html")
    return ["quote", EXAMPLE, "--out", out, "--name", "sub", "-n", YEARS]


def _check_planted_symlink(tmp: Path, _result: Result) -> str | None:
    if (tmp / "victim.txt").read_text() != "precious\n":
        return "the symlink's target was overwritten"
    if (tmp / "nonexistent_target.html").exists():
        return "a file was created through a dangling symlink"
    for name in ("sub.json", "sub.html"):
        if (tmp / "out" / name).is_symlink():
            return f"{name} is still the planted symlink, not the report"
    return None


def _argv_fifo(tmp: Path) -> list[str]:
    path = tmp / "pipe.yaml"
    os.mkfifo(path)
    return ["validate", path]


def _argv_dev_zero(tmp: Path) -> list[str]:
    (tmp / "zero.yaml").symlink_to("/dev/zero")
    return ["validate", tmp / "zero.yaml"]


def _argv_directory(tmp: Path) -> list[str]:
    (tmp / "dir.yaml").mkdir()
    return ["validate", tmp / "dir.yaml"]


def _argv_oversize(tmp: Path) -> list[str]:
    path = tmp / "huge.yaml"
    with path.open("wb") as file:  # sparse: 17 MiB of holes, no disk used
        file.truncate(17 * 2**20)
    return ["validate", path]


def _argv_yaml_list(tmp: Path) -> list[str]:
    items = "".join(f"  - {{system_id: s{i}, n: {i}}}\n" for i in range(300_000))
    return ["validate", _write(tmp / "list.yaml", _example_text() + "extra_list:\n" + items)]


def _argv_json_list(tmp: Path) -> list[str]:
    data = json.loads(_example_json())
    data["notes"] = list(range(1_000_000))
    return ["validate", _write(tmp / "list.json", json.dumps(data))]


def _argv_billion_laughs(tmp: Path) -> list[str]:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    text = "\n".join(lines) + "\n" + _yaml_replacing("countries: [NO]", "countries: *a8")
    return ["validate", _write(tmp / "laughs.yaml", text)]


def _argv_long_integer(suffix: str) -> Callable[[Path], list[str]]:
    def argv(tmp: Path) -> list[str]:
        if suffix == "yaml":
            text = re.sub(r"annual_revenue: \S+", "annual_revenue: " + "9" * 5000, _example_text())
        else:
            data = json.loads(_example_json())
            data["insured"]["annual_revenue"] = "@@"
            text = json.dumps(data).replace('"@@"', "9" * 5000)
        return ["validate", _write(tmp / f"long_int.{suffix}", text)]

    return argv


def _argv_nested(tmp: Path) -> list[str]:
    return ["validate", _write(tmp / "deep.json", "[" * 100_000 + "]" * 100_000)]


def _argv_name(name: str) -> Callable[[Path], list[str]]:
    def argv(tmp: Path) -> list[str]:
        data = json.loads(_example_json())
        data["insured"]["name"] = name
        return ["validate", _write(tmp / "name.json", json.dumps(data))]

    return argv


def _argv_notes(tmp: Path) -> list[str]:
    data = json.loads(_example_json())
    data["notes"] = "fine\nthen \x1b]0;owned\x07 \x1b[2J"
    return [
        "quote",
        _write(tmp / "notes.json", json.dumps(data)),
        "--out",
        tmp / "out",
        "-n",
        YEARS,
    ]


def _argv_escape_in_file_name(tmp: Path) -> list[str]:
    return ["validate", _write(tmp / "bad\x1b[31mname.json", "{not json")]


def _argv_not_utf8(tmp: Path) -> list[str]:
    path = tmp / "latin1.yaml"
    path.write_bytes(_example_text().replace("Nordgate", "N\xf8rdgate").encode("latin-1"))
    return ["validate", path]


def _argv_python_tag(tmp: Path) -> list[str]:
    text = _example_text() + "evil: !!python/object/apply:os.system ['echo owned']\n"
    return ["validate", _write(tmp / "tag.yaml", text)]


def _argv_out_is_file(tmp: Path) -> list[str]:
    return ["quote", EXAMPLE, "--out", _write(tmp / "taken", "x"), "-n", YEARS]


def _check_readable(tmp: Path, result: Result) -> str | None:
    if "OK:" not in result.stdout or len(result.stdout.strip()) < 40:
        return f"unreadable output {result.stdout[:200]!r}"
    if any(len(line) > 1000 for line in result.stdout.splitlines()):
        return "a line longer than 1,000 columns"
    return None


def _check_quote_table(tmp: Path, result: Result) -> str | None:
    if "Total" not in result.stdout or "Expected" not in result.stdout:
        return f"no premium table printed: {result.stdout[:300]!r}"
    return None


# --------------------------------------------------------------------------------------------
# multi-process scenarios: signals, a full disk, two runs at once

_SLOW_WRITER = """
import sys, time
import xborder_risk.report as report
def hook(path):
    print("TEMP-WRITTEN", path.name, file=sys.stderr, flush=True)
    time.sleep(60)
report._after_temp_file = hook
from xborder_risk.cli import main
main(sys.argv[1:])
"""


def _report_state(out: Path) -> dict[str, str]:
    return {p.name: _sha(p) for p in sorted(out.iterdir()) if p.is_file()}


def _leftovers(out: Path) -> list[str]:
    return [p.name for p in out.iterdir() if p.name.startswith(".xborder-risk-tmp-")]


def killed_mid_write(signum: int) -> Callable[[Path], str | None]:
    """A quote killed by ``signum`` while writing over a previous good report."""

    def scenario(tmp: Path) -> str | None:
        out = tmp / "out"
        good = run_cli(["quote", EXAMPLE, "--out", out, "--seed", "1", "-n", YEARS])
        if good.status != 0:
            return f"the first, good run failed: {good.stderr[:300]!r}"
        before = _report_state(out)
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                _SLOW_WRITER,
                "quote",
                str(EXAMPLE),
                "--out",
                str(out),
                "--seed",
                "2",
                "-n",
                YEARS,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=_environment(),
            preexec_fn=_limit_memory,
        )
        assert process.stderr is not None
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                line = process.stderr.readline()
                if not line or line.startswith("TEMP-WRITTEN"):
                    break
            if not line:
                return "the second run ended before writing"
            process.send_signal(signum)
            _, rest = process.communicate(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
        problems = []
        # SIGTERM unwinds as SystemExit(128 + 15); SIGINT as KeyboardInterrupt, which typer
        # turns into status 130 (128 + 2), as a shell reports a process killed by the signal.
        expected = 128 + signum
        if process.returncode != expected:
            problems.append(f"exit status {process.returncode}, expected {expected}")
        if "Traceback" in rest:
            problems.append("a traceback")
        if _report_state(out) != before:
            problems.append("the previous report was changed")
        if _leftovers(out):
            problems.append(f"temporary files left: {_leftovers(out)}")
        return "; ".join(problems) or None

    return scenario


def _full_disk(tmp: Path) -> str | None:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        raise AttackSkipped("mounting a small tmpfs needs root and mount(8)")
    disk = tmp / "small_disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", str(disk)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        raise AttackSkipped(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        out = disk / "out"
        # md + json fit (about 55 kB, twice while written); the full set (350 kB) does not.
        good = run_cli(["quote", EXAMPLE, "--out", out, "-f", "md,json", "-n", YEARS])
        if good.status != 0:
            return f"the first, small report did not fit: {good.stderr[:300]!r}"
        before = _report_state(out)
        full = run_cli(["quote", EXAMPLE, "--out", out, "--seed", "3", "-n", YEARS])
        problems = []
        if full.status != 1:
            problems.append(f"exit status {full.status}, expected 1 (could not write)")
        if "No space left on device" not in full.stderr or "Traceback" in full.stderr:
            problems.append(f"error does not name the full disk: {full.stderr[:300]!r}")
        if _report_state(out) != before:
            problems.append("the previous report was changed or a partial file added")
        if _leftovers(out):
            problems.append(f"temporary files left: {_leftovers(out)}")
        return "; ".join(problems) or None
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def _seed_and_creation(out: Path, stem: str) -> tuple[set[str], set[str]]:
    record = json.loads((out / f"{stem}.json").read_text(encoding="utf-8"))
    provenance = record["provenance"]
    seeds = {str(provenance["seed"])}
    created = {str(provenance["created"])}
    for name in (f"{stem}.md", f"{stem}.html"):
        text = (out / name).read_text(encoding="utf-8")
        seeds.update(re.findall(r"Seed:?(?:\*\*|</dt>)?\s*(?:<dd>)?(\d+)", text))
        created.update(re.findall(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", text))
    return seeds, created


def _two_runs_at_once(tmp: Path) -> str | None:
    references = {}
    for seed in ("11", "12"):
        ref = tmp / f"ref{seed}"
        done = run_cli(["quote", EXAMPLE, "--out", ref, "--seed", seed, "-n", YEARS])
        if done.status != 0:
            return f"reference run failed: {done.stderr[:300]!r}"
        references[seed] = _sha(ref / "eu_egates_contractor_ep_curves.png")
    out = tmp / "shared"
    for trial in range(2):  # without the lock, 1 trial in 18 mixed two runs (issue 18)
        processes = [
            subprocess.Popen(
                command(["quote", EXAMPLE, "--out", out, "--seed", seed, "-n", YEARS]),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
                env=_environment(),
                preexec_fn=_limit_memory,
            )
            for seed in ("11", "12")
        ]
        for process in processes:
            _, err = process.communicate(timeout=300)
            if process.returncode != 0:
                return f"trial {trial}: a run failed: {err[:300]!r}"
        seeds, created = _seed_and_creation(out, "eu_egates_contractor")
        png = _sha(out / "eu_egates_contractor_ep_curves.png")
        if len(seeds) != 1 or len(created) != 1 or references[seeds.pop()] != png:
            return f"trial {trial}: the report files come from different runs"
        if _leftovers(out):
            return f"trial {trial}: temporary files left: {_leftovers(out)}"
    return None


# --------------------------------------------------------------------------------------------
# the catalogue

ATTACKS: list[Attack] = [
    # output never touches the input
    Attack(
        "out_would_overwrite_submission",
        _argv_out_over_submission,
        message=("would overwrite the input file", "X.json"),
        check=_unchanged(lambda tmp: tmp / "d" / "X.json", lambda: _sha_text(_example_json())),
    ),
    Attack(
        "out_would_overwrite_symlinked_submission",
        _argv_symlinked_submission,
        message=("would overwrite the input file",),
        check=_unchanged(lambda tmp: tmp / "real" / "X.json", lambda: _sha_text(_example_json())),
    ),
    Attack(
        "out_would_overwrite_hard_link_of_submission",
        _argv_hard_linked_submission,
        message=("would overwrite the input file", "report.json"),
        check=_unchanged(lambda tmp: tmp / "sub.json", lambda: _sha_text(_example_json())),
    ),
    Attack("planted_symlinks_in_out_dir", _argv_planted_symlink, 0, check=_check_planted_symlink),
    Attack("out_is_a_file", _argv_out_is_file, message=("taken", "is a file")),
    # input files: only regular files, size checked before reading, parse cost bounded
    Attack("submission_is_a_fifo", _argv_fifo, message=("FIFO", "pipe.yaml"), timeout=30),
    Attack("submission_is_dev_zero", _argv_dev_zero, message=("device",), timeout=30),
    Attack("submission_is_a_directory", _argv_directory, message=("directory",), timeout=30),
    Attack("submission_over_size_cap", _argv_oversize, message=("exceeds",), timeout=30),
    Attack("yaml_list_of_300000_items", _argv_yaml_list, message=("10,000 items",), timeout=60),
    Attack("json_list_of_a_million_items", _argv_json_list, message=("10,000 items",), timeout=60),
    Attack("billion_laughs_yaml", _argv_billion_laughs, message=("200,000 values",), timeout=60),
    Attack(
        "integer_of_5000_digits_yaml",
        _argv_long_integer("yaml"),
        message=("insured.annual_revenue", "5,000 digits"),
    ),
    Attack(
        "integer_of_5000_digits_json",
        _argv_long_integer("json"),
        message=("insured.annual_revenue", "5,000 digits"),
    ),
    Attack("nested_100000_deep_json", _argv_nested, message=("nested too deeply",)),
    Attack("not_utf8", _argv_not_utf8, message=("UTF-8",)),
    Attack("python_object_tag", _argv_python_tag, message=("python/object",)),
    # control characters: refused in names and notes, escaped on the terminal
    Attack(
        "escape_sequence_in_insured_name",
        _argv_name("Evil \x1b[31mRed\x1b[0m \x1b]0;title\x07 Ltd"),
        message=("insured.name", "control characters", "U+001B"),
    ),
    Attack(
        "c1_control_in_insured_name",
        _argv_name("Evil \x9b31m Ltd"),
        message=("insured.name", "U+009B"),
    ),
    Attack(
        "bidi_override_in_insured_name",
        _argv_name("Evil \u202eLtd"),
        message=("insured.name", "U+202E"),
    ),
    Attack("escape_sequence_in_notes", _argv_notes, message=("notes", "U+001B")),
    Attack("escape_sequence_in_file_name", _argv_escape_in_file_name, message=("\\x1b",)),
    # command-line edge cases
    Attack(
        "schema_indent_1000000",
        lambda tmp: ["schema", "--indent", "1000000"],
        message=("--indent",),
        timeout=30,
    ),
    Attack(
        "stdout_closed",
        lambda tmp: ["schema"],
        1,
        message=("standard output is closed",),
        stdout="closed",
    ),
    Attack(
        "stdout_closed_quote",
        lambda tmp: ["quote", EXAMPLE, "--out", tmp, "-n", YEARS],
        1,
        message=("standard output is closed",),
        stdout="closed",
        check=lambda tmp, r: None if not list(tmp.iterdir()) else "a report was written",
    ),
    Attack("stdout_a_broken_pipe", lambda tmp: ["schema"], 1, stdout="broken_pipe", timeout=60),
    Attack(
        "stdout_a_broken_pipe_quote",
        lambda tmp: ["quote", EXAMPLE, "--out", tmp, "-n", YEARS],
        1,
        stdout="broken_pipe",
    ),
    *[
        Attack(
            f"columns_{label}",
            lambda tmp: ["validate", EXAMPLE],
            0,
            env={"COLUMNS": value},
            check=_check_readable,
        )
        for label, value in (("0", "0"), ("1", "1"), ("huge", "1" + "0" * 20), ("text", "abc"))
    ],
    Attack(
        "columns_0_quote",
        lambda tmp: ["quote", EXAMPLE, "--out", tmp, "-n", YEARS],
        0,
        env={"COLUMNS": "0"},
        check=_check_quote_table,
    ),
    Attack("years_zero", lambda tmp: ["quote", EXAMPLE, "--years", "0"], message=("--years",)),
    Attack("unknown_format", lambda tmp: ["quote", EXAMPLE, "-f", "pdf"], message=("pdf",)),
    Attack(
        "bad_valuation_date",
        lambda tmp: ["quote", EXAMPLE, "--valuation-date", "2026-02-30"],
        message=("2026-02-30",),
    ),
    Attack(
        "unsafe_report_name",
        lambda tmp: ["quote", EXAMPLE, "--out", tmp, "--name", "../escape", "-n", YEARS],
        message=("stem",),
    ),
    Attack("unsupported_suffix", lambda tmp: ["validate", "/etc/passwd"], message=("passwd",)),
    Attack(
        "missing_submission", lambda tmp: ["validate", tmp / "absent.yaml"], 1, message=("absent",)
    ),
    # atomic output: signals, a full disk, two runs into one directory
    Attack("sigterm_mid_write", scenario=killed_mid_write(signal.SIGTERM)),
    Attack("sigint_mid_write", scenario=killed_mid_write(signal.SIGINT)),
    Attack("full_disk", scenario=_full_disk),
    Attack("two_quotes_into_one_out", scenario=_two_runs_at_once),
]


def _sha_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
