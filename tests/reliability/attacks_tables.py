"""Attack catalogue, model and table side (issue 18): bad rating tables, overflowing parameters
and scale.

``CASES`` is a list of :class:`TableAttack`; each prepares its input in a temporary directory,
runs the ``xborder-risk`` command line in a subprocess (bounded in time and address space) and
expects a clean refusal -- the exit status (2 for bad input) and a one-line message naming the
file, row and column or the parameter -- or, for the scale case, a clean success within its
time limit.  ``tests/reliability/test_attack_catalogue.py`` runs them as :data:`ATTACKS`, with
the rest of the catalogue, and reports the figure "attacks refused cleanly / attacks tried".

An attack counts as refused cleanly when the process ends within its time limit with the
expected exit status, prints no Python traceback, and its error output matches the expected
pattern.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml
from attacks import Attack

from xborder_risk.rating import refresh_checksums
from xborder_risk.rating.tables import shipped_tables_location

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "submissions" / "eu_egates_contractor.yaml"
SHIPPED = Path(str(shipped_tables_location()))
#: Address-space cap of every attacked process (bytes): an unbounded parse or allocation ends
#: in a MemoryError there instead of exhausting the machine.
MEMORY_LIMIT = 3 * 2**30


@dataclass(frozen=True)
class TableAttack:
    """One hostile or unlucky input and what a clean refusal of it looks like.

    Attributes
    ----------
    name : str
        Identifier of the case.
    prepare : callable
        ``prepare(tmp_path) -> argv`` builds the input under ``tmp_path`` and returns the
        command-line arguments after ``xborder-risk``.
    exit_code : int
        Expected exit status (2: invalid input; 0 for a scale case that must succeed).
    message : str
        Regular expression the error output (or, for exit 0, the standard output) must match.
    timeout : float
        Seconds the command may take.
    """

    name: str
    prepare: Callable[[Path], list[str]]
    exit_code: int
    message: str
    timeout: float = 60.0


def _tables(tmp_path: Path) -> Path:
    target = tmp_path / "tables"
    shutil.copytree(SHIPPED, target)
    return target


def _cell(file: str, row: int, column: str, value: str) -> Callable[[Path], Path]:
    def edit(tmp_path: Path) -> Path:
        directory = _tables(tmp_path)
        path = directory / file
        lines = path.read_text().splitlines()
        header = lines[0].split(",")
        cells = lines[row].split(",")
        cells[header.index(column)] = value
        lines[row] = ",".join(cells)
        path.write_text("\n".join(lines) + "\n")
        refresh_checksums(directory)
        return directory

    return edit


def _manifest(edit: Callable[[str], str]) -> Callable[[Path], Path]:
    def build(tmp_path: Path) -> Path:
        directory = _tables(tmp_path)
        path = directory / "manifest.yaml"
        path.write_text(edit(path.read_text()))
        return directory

    return build


def _manifest_data(mutate: Callable[[dict], object]) -> Callable[[Path], Path]:
    def edit(text: str) -> str:
        data = yaml.safe_load(text)
        mutate(data)
        return yaml.safe_dump(data, sort_keys=False)

    return _manifest(edit)


def _duplicate_row(file: str) -> Callable[[Path], Path]:
    def edit(tmp_path: Path) -> Path:
        directory = _tables(tmp_path)
        path = directory / file
        lines = path.read_text().splitlines()
        path.write_text("\n".join([*lines, lines[1]]) + "\n")
        refresh_checksums(directory)
        return directory

    return edit


BILLION_LAUGHS = (
    "".join(
        f"{name}: &{name} [{', '.join([f'*{prev}'] * 9) if prev else ', '.join(['lol'] * 9)}]\n"
        for prev, name in zip([None, *"abcdefgh"], "abcdefghi", strict=True)
    )
    + "manifest_version: 1\nbase_currency: USD\ntables: *i\n"
)


def _check(build: Callable[[Path], Path]) -> Callable[[Path], list[str]]:
    return lambda tmp_path: ["tables", "check", str(build(tmp_path))]


def _quote(build: Callable[[Path], Path]) -> Callable[[Path], list[str]]:
    def argv(tmp_path: Path) -> list[str]:
        directory = build(tmp_path)
        out = tmp_path / "out"
        return ["quote", str(EXAMPLE), "--tables", str(directory), "--years", "200", "-o", str(out)]

    return argv


def _many_systems(n: int) -> Callable[[Path], list[str]]:
    def argv(tmp_path: Path) -> list[str]:
        sys.path.insert(0, str(ROOT / "benchmarks"))
        try:
            from bench_many_systems import submission_data
        finally:
            sys.path.remove(str(ROOT / "benchmarks"))
        path = tmp_path / f"systems_{n}.json"
        path.write_text(json.dumps(submission_data(n)))
        out = tmp_path / "out"
        return ["quote", str(path), "--years", "1000", "-o", str(out), "--format", "json"]

    return argv


FREQUENCY_1E308 = _cell("frequency_base.csv", 1, "frequency_per_unit", "1e308")
NB_BETA_1E300 = _cell("frequency_base.csv", 1, "nb_beta", "1e300")
NAMED_FREQUENCY = r"frequency_base\.csv, row 1 \(line 2\), column '[a-z_, ]+'.*cannot price"

CASES: list[TableAttack] = [
    TableAttack("tables-check-frequency-1e308", _check(FREQUENCY_1E308), 2, NAMED_FREQUENCY),
    TableAttack("tables-check-nb-beta-1e300", _check(NB_BETA_1E300), 2, NAMED_FREQUENCY),
    TableAttack("quote-frequency-1e308", _quote(FREQUENCY_1E308), 2, NAMED_FREQUENCY),
    TableAttack("quote-nb-beta-1e300", _quote(NB_BETA_1E300), 2, NAMED_FREQUENCY),
    TableAttack(
        "tables-check-severity-sigma-overflow",
        _check(_cell("outage_duration.csv", 2, "sigma", "1e300")),
        2,
        r"outage_duration\.csv, row 2 \(line 3\), column 'median_hours, sigma'",
    ),
    TableAttack(
        "tables-check-severity-median-overflow",
        _check(_cell("severity_base.csv", 1, "median", "1e305")),
        2,
        r"severity_base\.csv, row 1 \(line 2\), column 'median, sigma'",
    ),
    TableAttack(
        "quote-relativity-factor-1e300",
        _quote(_cell("relativities.csv", 1, "frequency_factor", "1e300")),
        2,
        r"relativities\.csv, row 1 \(line 2\), column 'frequency_factor'.*cannot price",
    ),
    TableAttack(
        "tables-check-duplicate-row-key",
        _check(_duplicate_row("outage_duration.csv")),
        2,
        r"outage_duration\.csv: rows \[1, \d+\] repeat the key",
    ),
    TableAttack(
        "tables-check-duplicate-manifest-key",
        _check(_manifest(lambda t: t.replace("base_currency: USD\n", "base_currency: USD\n" * 2))),
        2,
        r"duplicate key 'base_currency'",
    ),
    TableAttack(
        "tables-check-unknown-base-currency",
        _check(_manifest_data(lambda m: m.update(base_currency="XYZ"))),
        2,
        r"field 'base_currency' 'XYZ' is not an active ISO 4217 code",
    ),
    TableAttack(
        "tables-check-unknown-top-level-field",
        _check(_manifest_data(lambda m: m.update(base_curency="USD"))),
        2,
        r"unknown field\(s\) 'base_curency'",
    ),
    TableAttack(
        "tables-check-unknown-table-field",
        _check(_manifest_data(lambda m: m["tables"]["fx"].update(sha265="0" * 64))),
        2,
        r"table 'fx': unknown field\(s\) 'sha265'",
    ),
    TableAttack(
        "tables-check-billion-laughs-manifest",
        _check(_manifest(lambda _: BILLION_LAUGHS)),
        2,
        r"alias.*not allowed",
        timeout=30.0,
    ),
    TableAttack(
        "quote-billion-laughs-manifest",
        _quote(_manifest(lambda _: BILLION_LAUGHS)),
        2,
        r"alias.*not allowed",
        timeout=30.0,
    ),
    TableAttack(
        # 5,000 tech-failure systems: the severity mixture has 5,000 components.  Before the
        # linear-time mixture this took minutes; it must now quote well within the limit.
        "scale-5000-tech-failure-systems",
        _many_systems(5_000),
        0,
        r"Quote",
        timeout=240.0,
    ),
]


def _limit_memory() -> None:  # runs in the child before exec
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_attack(case: TableAttack, tmp_path: Path) -> tuple[bool, str]:
    """Run one case; return (refused cleanly or succeeded as expected, explanation)."""
    argv = case.prepare(tmp_path)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    env.pop("XBORDER_RISK_DEBUG", None)
    command = [sys.executable, "-c", "from xborder_risk.cli import main; main()", *argv]
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=case.timeout,
            env=env,
            preexec_fn=_limit_memory,  # the parent starts no threads before this
            check=False,
        )
    except subprocess.TimeoutExpired:
        return False, f"no answer within {case.timeout:g} s"
    output = done.stdout if case.exit_code == 0 else done.stderr
    if done.returncode != case.exit_code:
        return False, f"exit {done.returncode} (expected {case.exit_code}): {done.stderr[-500:]}"
    if "Traceback" in done.stderr:
        return False, f"a traceback: {done.stderr[-500:]}"
    if not re.search(case.message, output, flags=re.DOTALL):
        return False, f"output does not match {case.message!r}: {output[-500:]}"
    return True, "ok"


def _scenario(case: TableAttack) -> Callable[[Path], str | None]:
    def scenario(tmp: Path) -> str | None:
        ok, why = run_attack(case, tmp)
        return None if ok else why

    return scenario


#: The cases in the shape of the whole catalogue (``attacks.Attack``), which
#: ``test_attack_catalogue.py`` runs and counts with the CLI and input/output attacks.
ATTACKS = [
    Attack(name=f"tables-{case.name}", scenario=_scenario(case), timeout=case.timeout)
    for case in CASES
]
