"""Resource limits that hold: the claim bound and a memory guard that sees the real peak.

Issue 18 item 3: ``Poisson(lam=1e15)`` and every count at its schema maximum ran without end,
and the memory guard counted about a quarter of the real peak, so a run under a 2 GB
address-space limit ended in ``internal error (MemoryError)``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
import tracemalloc
from pathlib import Path

import pytest

from xborder_risk.distributions import Gamma, Lognormal, Poisson
from xborder_risk.engine import Layer, LossModel, simulate
from xborder_risk.engine.kernel import simulation_peak_bytes
from xborder_risk.engine.runner import (
    CLAIMS_ENV,
    MAX_CLAIMS_PER_YEAR,
    MEMORY_ENV,
    available_memory,
    cgroup_memory_headroom,
    memory_limit,
)
from xborder_risk.errors import ParameterError, SimulationSizeError
from xborder_risk.exposure import Submission
from xborder_risk.exposure._types import MAX_COUNT
from xborder_risk.portfolio import Portfolio, synthetic_book
from xborder_risk.quote import quote
from xborder_risk.rating import rate
from xborder_risk.reinsurance import occurrences_from_models

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "submissions"
FOUR_LINES = EXAMPLES / "eu_egates_contractor.yaml"
STANDARD = LossModel(
    "standard",
    Poisson(lam=3.0),
    Lognormal(mu=10.0, sigma=1.5),
    Layer(deductible=10_000, limit=1_000_000, aggregate_limit=5_000_000),
)
GiB = 1 << 30


@pytest.fixture(autouse=True)
def _no_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MEMORY_ENV, raising=False)
    monkeypatch.delenv(CLAIMS_ENV, raising=False)


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in (MEMORY_ENV, CLAIMS_ENV)}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


# -- the claim bound ----------------------------------------------------------------------------


def test_an_absurd_frequency_is_refused_at_once_naming_line_figure_and_limit():
    model = LossModel("flood", Poisson(lam=1e15), Gamma(alpha=2.0, theta=1.0))
    start = time.perf_counter()
    with pytest.raises(SimulationSizeError) as info:
        simulate([STANDARD, model], 1000, seed=1)
    assert time.perf_counter() - start < 1.0
    message = str(info.value)
    assert "'flood'" in message and "1e+15" in message and "1e+05" in message
    assert "max_claims_per_year" in message and CLAIMS_ENV in message


def test_every_count_at_its_schema_maximum_is_refused_quickly():
    data = Submission.from_file(FOUR_LINES).model_dump(mode="json")
    counts = {
        "pii_records",
        "biometric_records",
        "partner_connections",
        "headcount",
        "vehicles",
        "vessels",
        "aircraft",
        "detention_facilities",
    }
    changed = 0

    def raise_counts(node: object) -> None:
        nonlocal changed
        if isinstance(node, dict):
            for key, value in node.items():
                if key in counts and isinstance(value, int) and not isinstance(value, bool):
                    node[key] = MAX_COUNT
                    changed += 1
                else:
                    raise_counts(value)
        elif isinstance(node, list):
            for item in node:
                raise_counts(item)

    raise_counts(data)
    assert changed >= 8
    submission = Submission.model_validate_json(json.dumps(data))
    start = time.perf_counter()
    with pytest.raises(SimulationSizeError, match="claims per simulated year"):
        quote(submission, n_years=1000, seed=1)
    assert time.perf_counter() - start < 10.0


def test_the_claim_bound_is_overridden_by_argument_then_environment(monkeypatch):
    monkeypatch.setenv(CLAIMS_ENV, "2")
    with pytest.raises(SimulationSizeError, match="limit of 2"):
        simulate(STANDARD, 100, seed=1)
    # the argument wins over the environment
    assert simulate(STANDARD, 100, seed=1, max_claims_per_year=3.5).n_years == 100
    monkeypatch.setenv(CLAIMS_ENV, "many")
    with pytest.raises(ParameterError) as info:
        simulate(STANDARD, 100, seed=1)
    assert info.value.name == CLAIMS_ENV
    monkeypatch.delenv(CLAIMS_ENV)
    with pytest.raises(ParameterError) as info:
        simulate(STANDARD, 100, seed=1, max_claims_per_year=0)
    assert info.value.name == "max_claims_per_year"
    assert MAX_CLAIMS_PER_YEAR == 1e5


def test_portfolio_and_occurrence_tables_bound_the_claims_too():
    book = Portfolio(synthetic_book(2, seed=4))
    with pytest.raises(SimulationSizeError, match="claims per simulated year") as info:
        book.simulate(100, seed=1, max_claims_per_year=1e-3)
    assert book.policy_ids[0] in str(info.value)
    with pytest.raises(SimulationSizeError, match="'standard'"):
        occurrences_from_models(STANDARD, 100, 1, max_claims_per_year=2.0)


# -- the memory estimate against the real peak ------------------------------------------------


def _traced_peak(function) -> int:
    function()  # warm caches (rating tables, imports) outside the measurement
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("n_years", [1_000_000, 2_000_000])
def test_estimate_within_1_5x_of_the_traced_peak_standard_problem(n_years):
    peak = _traced_peak(lambda: simulate(STANDARD, n_years, seed=1))
    ratio = simulation_peak_bytes([STANDARD], n_years) / peak
    assert 1 / 1.5 <= ratio <= 1.5, ratio


def test_estimate_within_1_5x_of_the_traced_peak_of_a_four_line_quote():
    submission = Submission.from_file(FOUR_LINES)
    models = rate(submission).models
    assert len(models) == 4
    n_years = 300_000
    peak = _traced_peak(lambda: quote(submission, n_years=n_years, seed=1))
    ratio = simulation_peak_bytes(models, n_years, analysis_copies=5) / peak
    assert 1 / 1.5 <= ratio <= 1.5, ratio


RSS_SCRIPT = textwrap.dedent(
    """
    import json, sys
    from xborder_risk.exposure import Submission
    from xborder_risk.pricing import PricingBasis
    from xborder_risk.quote import quote

    # The simulation's peak is under test: capital on the policy's own losses, so no
    # reference book (its cached totals, or its first simulation) enters the measure.
    basis = PricingBasis(capital_method="standalone")

    def status(field):
        for line in open("/proc/self/status"):
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024

    submission = Submission.from_file(sys.argv[1])
    quote(submission, n_years=2000, seed=1, basis=basis)
    base = status("VmRSS")
    quote(submission, n_years=int(sys.argv[2]), seed=1, basis=basis)
    print(json.dumps(status("VmHWM") - base))
    """
)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_estimate_within_1_5x_of_the_resident_peak_of_a_four_line_quote():
    n_years = 400_000
    done = subprocess.run(
        [sys.executable, "-c", RSS_SCRIPT, str(FOUR_LINES), str(n_years)],
        capture_output=True,
        text=True,
        env=_environment(),
        timeout=300,
        check=True,
    )
    rss_peak = json.loads(done.stdout.strip().splitlines()[-1])
    models = rate(Submission.from_file(FOUR_LINES)).models
    estimate = simulation_peak_bytes(models, n_years, analysis_copies=5)
    ratio = estimate / rss_peak
    assert 1 / 1.5 <= ratio <= 1.5, ratio


def test_portfolio_estimate_within_1_5x_of_the_traced_peak():
    from xborder_risk.portfolio._kernel import portfolio_peak_bytes

    book = Portfolio(synthetic_book(4, seed=2))
    n_years = 150_000
    for keep in (False, True):
        peak = _traced_peak(lambda k=keep: book.simulate(n_years, seed=1, keep_occurrences=k))
        ratio = portfolio_peak_bytes(book._book, n_years, keep_occurrences=keep) / peak
        assert 1 / 1.5 <= ratio <= 1.5, (keep, ratio)


# -- the memory this process may use -----------------------------------------------------------


def test_oversize_request_is_refused_before_allocating_with_both_figures():
    start = time.perf_counter()
    with pytest.raises(SimulationSizeError) as info:
        simulate(STANDARD, 10**11, seed=1)
    assert time.perf_counter() - start < 1.0
    message = str(info.value)
    assert "GiB at its peak" in message and "limit of" in message
    assert "max_memory_bytes" in message and MEMORY_ENV in message


def test_memory_override_by_argument_then_environment(monkeypatch):
    monkeypatch.setenv(MEMORY_ENV, "1M")
    assert memory_limit("simulate", None).bytes == 1 << 20
    with pytest.raises(SimulationSizeError, match=MEMORY_ENV):
        simulate(STANDARD, 1_000_000, seed=1)
    assert simulate(STANDARD, 1000, seed=1, max_memory_bytes=10 * GiB).n_years == 1000
    monkeypatch.setenv(MEMORY_ENV, "6GiB")
    assert memory_limit("simulate", None).bytes == 6 * GiB
    monkeypatch.setenv(MEMORY_ENV, "2.5e9")
    assert memory_limit("simulate", None).bytes == 2_500_000_000
    for bad in ("lots", "0", "-5G", "1Q", "nan"):
        monkeypatch.setenv(MEMORY_ENV, bad)
        with pytest.raises(ParameterError) as info:
            memory_limit("simulate", None)
        assert info.value.name == MEMORY_ENV


def test_default_limit_is_a_share_of_what_the_process_may_use():
    headroom, source = available_memory()
    limit = memory_limit("simulate", None)
    assert 0 < limit.bytes < headroom
    assert source in limit.source


def test_cgroup_limits_v2_and_v1(tmp_path):
    v2 = tmp_path / "v2"
    v2.mkdir()
    (v2 / "memory.max").write_text("1073741824\n")
    (v2 / "memory.current").write_text("73741824\n")
    assert cgroup_memory_headroom(v2) == 1_000_000_000
    (v2 / "memory.max").write_text("max\n")
    assert cgroup_memory_headroom(v2) is None
    v1 = tmp_path / "v1"
    (v1 / "memory").mkdir(parents=True)
    (v1 / "memory" / "memory.limit_in_bytes").write_text("2147483648\n")
    (v1 / "memory" / "memory.usage_in_bytes").write_text("147483648\n")
    assert cgroup_memory_headroom(v1) == 2_000_000_000
    # cgroup v1 says "no limit" with a huge page-rounded number
    (v1 / "memory" / "memory.limit_in_bytes").write_text("9223372036854771712\n")
    assert cgroup_memory_headroom(v1) is None
    assert cgroup_memory_headroom(tmp_path / "none") is None


RLIMIT_SCRIPT = textwrap.dedent(
    """
    import resource, sys
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
    from xborder_risk.engine import simulate
    from xborder_risk.engine.runner import available_memory
    from xborder_risk.exposure import Submission
    from xborder_risk.rating import rate
    from xborder_risk.errors import SimulationSizeError

    headroom, source = available_memory()
    assert headroom < 2 << 30 and "RLIMIT_AS" in source, (headroom, source)
    models = rate(Submission.from_file(sys.argv[1])).models
    try:
        simulate(models, 50_000_000, seed=1)
    except SimulationSizeError as exc:
        print("refused:", exc)
    else:
        raise SystemExit("a 50-million-year run was not refused under a 2 GB RLIMIT_AS")
    """
)


def _under_2_gib() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (2 * GiB, 2 * GiB))


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS semantics of Linux")
def test_under_a_2_gib_address_space_limit_a_large_run_is_refused_cleanly():
    done = subprocess.run(
        [sys.executable, "-c", RLIMIT_SCRIPT, str(FOUR_LINES)],
        capture_output=True,
        text=True,
        env=_environment(),
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "refused:" in done.stdout and "RLIMIT_AS" in done.stdout


def _cli_quote_under_2_gib(
    years: int, out: Path, timeout: float, *extra: str
) -> subprocess.CompletedProcess:
    command = ["quote", str(FOUR_LINES), "--years", str(years), "--out", str(out), *extra]
    return subprocess.run(
        [sys.executable, "-m", "xborder_risk.cli", *command],
        capture_output=True,
        text=True,
        env=_environment(),
        timeout=timeout,
        preexec_fn=_under_2_gib,
    )


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS semantics of Linux")
def test_cli_quote_under_a_2_gib_limit_refuses_cleanly_not_memory_error(tmp_path):
    done = _cli_quote_under_2_gib(20_000_000, tmp_path, timeout=120)
    assert done.returncode != 0
    assert "internal error" not in done.stderr and "MemoryError" not in done.stderr
    assert "at its peak" in done.stderr and "RLIMIT_AS" in done.stderr
    assert not any(tmp_path.iterdir())


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS semantics of Linux")
def test_cli_quote_just_under_the_2_gib_limit_completes(tmp_path):
    """A quote the guard accepts close to its limit under 2 GB runs to the end (about 40
    seconds): 3.5M years of the policy need about 0.9 GiB of the about 1.25 GiB left (2 worker
    threads), and then its book's totals about 0.74 of the 0.9 left. Before the CLI put
    pyarrow on the system allocator, its 1 GiB mimalloc reservation left only 0.40 GiB and
    even the policy was refused.

    The capital is priced against a three-policy reference book (``--book``): the quote
    simulates its book for as many years, and the shipped 300-policy book's totals at 3.5M
    years (about 1 GiB at their peak) would not fit beside the policy's."""
    book = tmp_path / "book"
    book.mkdir()
    (book / "book.yaml").write_text(
        json.dumps(
            {
                "name": "small-book",
                "description": "three synthetic policies (the memory-guard test)",
                "source": "illustrative",
                "status": "judgement",
                "currency": "USD",
                "seed": 5,
                "n_years": 2000,
            }
        )
    )
    (book / "policies.jsonl").write_text(
        "\n".join(sub.to_json(indent=None) for sub in synthetic_book(3, seed=3)) + "\n"
    )
    out = tmp_path / "out"
    done = _cli_quote_under_2_gib(3_500_000, out, 900, "--book", str(book))
    assert done.returncode == 0, done.stderr
    assert any(out.glob("*.html"))


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS semantics of Linux")
def test_the_cli_keeps_pyarrow_from_reserving_a_gibibyte_of_address_space():
    """pandas 3 uses pyarrow for strings; mimalloc, pyarrow's default allocator, reserves
    1 GiB of address space at its first allocation. The CLI module asks for the system
    allocator before pandas is imported (xborder_risk/_arrow_allocator.py)."""
    pytest.importorskip("pyarrow")
    script = (
        "import xborder_risk.cli, pandas as pd, pyarrow as pa\n"
        "pd.DataFrame({'a': ['x', 'y'] * 10})['a'].str.upper()\n"
        "size = [l for l in open('/proc/self/status') if l.startswith('VmSize')][0]\n"
        "print(pa.default_memory_pool().backend_name, int(size.split()[1]) // 1024)\n"
    )
    env = {k: v for k, v in _environment().items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    backend, vm_mib = done.stdout.split()
    assert backend == "system"
    assert int(vm_mib) < 1024, vm_mib  # about 560 MiB; with mimalloc about 1,600
