"""The engine against a reference loop, closed-form moments, and its own invariants."""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xborder_risk import measures
from xborder_risk.distributions import (
    Binomial,
    Gamma,
    Lognormal,
    NegativeBinomial,
    Pareto,
    Poisson,
)
from xborder_risk.engine import BLOCK_YEARS, Layer, LossModel, simulate
from xborder_risk.engine.rng import block_generator, line_stream_key
from xborder_risk.errors import ParameterError, SimulationError, SimulationSizeError

CYBER = LossModel(
    "cyber",
    NegativeBinomial(r=2.0, beta=0.4),
    Lognormal(mu=11.0, sigma=1.8),
    Layer(
        deductible=25_000,
        limit=2_000_000,
        aggregate_deductible=40_000,
        aggregate_limit=5_000_000,
        share=0.8,
    ),
)
TECH = LossModel("tech_failure", Poisson(lam=1.5), Gamma(alpha=2.0, theta=40_000.0))
# Enough claims a year (>= 8) to exercise numpy's pairwise summation inside a year.
FREQUENT = LossModel("frequent", Poisson(lam=14.0), Lognormal(mu=8.0, sigma=1.0), Layer(limit=9e3))


def test_matches_a_plain_reference_loop():
    """Counts then severities from each (block, line name) stream, summed year by year."""
    n_years = BLOCK_YEARS + 37  # two blocks, the second partial
    models = [CYBER, TECH, FREQUENT]
    result = simulate(models, n_years, seed=11)
    root = np.random.SeedSequence(11)
    for line_index, model in enumerate(models):
        expected_annual = np.empty(n_years)
        expected_max = np.empty(n_years)
        for block, (start, stop) in enumerate([(0, BLOCK_YEARS), (BLOCK_YEARS, n_years)]):
            rng = block_generator(root, block, line_stream_key(model.name))
            if isinstance(model.frequency, Poisson):
                # the block's total, each claim's year uniform on the block (issue 16)
                total = rng.poisson(model.frequency.lam * (stop - start))
                years = rng.integers(0, stop - start, total)
                counts = np.bincount(years, minlength=stop - start)
            else:
                counts = model.frequency.sample(rng, stop - start)
            severities = model.severity.sample(rng, int(counts.sum()))
            offset = 0
            for year, count in zip(range(start, stop), counts, strict=True):
                occurrence = model.layer.occurrence(severities[offset : offset + count])
                offset += count
                # The engine's documented order: the year's claims added one after the
                # other in claim order, from 0.
                total = 0.0
                for payment in occurrence.tolist():
                    total += payment
                expected_annual[year] = model.layer.aggregate(np.array([total]))[0]
                top = occurrence.max() if count else 0.0
                expected_max[year] = top * model.layer.share
        np.testing.assert_array_equal(result.annual[:, line_index], expected_annual)
        np.testing.assert_array_equal(result.max_occurrence[:, line_index], expected_max)
    np.testing.assert_array_equal(
        result.total, result.annual[:, 0] + result.annual[:, 1] + result.annual[:, 2]
    )


@pytest.mark.parametrize("chunk_years", [1, 1000, BLOCK_YEARS, 2 * BLOCK_YEARS + 5, 10**9])
def test_bit_identical_whatever_the_chunk_size(chunk_years):
    n_years = 3 * BLOCK_YEARS + 123
    reference = simulate([CYBER, TECH], n_years, seed=2026)
    chunked = simulate([CYBER, TECH], n_years, seed=2026, chunk_years=chunk_years)
    np.testing.assert_array_equal(reference.annual, chunked.annual)
    np.testing.assert_array_equal(reference.max_occurrence, chunked.max_occurrence)
    np.testing.assert_array_equal(reference.total, chunked.total)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n_years=st.integers(1, 3 * BLOCK_YEARS + 7),
    chunk_years=st.integers(1, 4 * BLOCK_YEARS),
    seed=st.integers(0, 2**63),
)
def test_bit_identical_across_chunk_sizes_property(n_years, chunk_years, seed):
    reference = simulate([TECH, FREQUENT], n_years, seed=seed)
    chunked = simulate([TECH, FREQUENT], n_years, seed=seed, chunk_years=chunk_years)
    np.testing.assert_array_equal(reference.annual, chunked.annual)
    np.testing.assert_array_equal(reference.max_occurrence, chunked.max_occurrence)
    np.testing.assert_array_equal(reference.total, chunked.total)


def test_seed_sequence_and_int_seed_agree_and_runs_repeat():
    a = simulate(CYBER, 5000, seed=5)
    b = simulate(CYBER, 5000, seed=np.random.SeedSequence(5))
    c = simulate(CYBER, 5000, seed=6)
    np.testing.assert_array_equal(a.annual, b.annual)
    assert not np.array_equal(a.annual, c.annual)


def test_a_line_keeps_its_stream_when_another_line_is_appended():
    alone = simulate([CYBER], 20_000, seed=3)
    with_tech = simulate([CYBER, TECH], 20_000, seed=3)
    np.testing.assert_array_equal(alone.annual[:, 0], with_tech.annual[:, 0])


def test_claim_batches_do_not_change_the_sums(monkeypatch):
    import xborder_risk.engine.claims as claims

    model = LossModel("many", Poisson(lam=40.0), Lognormal(mu=5.0, sigma=1.0), Layer(limit=500))
    whole = simulate(model, 3000, seed=1)
    monkeypatch.setattr(claims, "CLAIM_BATCH", 997)
    draws: list[int] = []
    sample = Lognormal.sample
    monkeypatch.setattr(
        Lognormal, "sample", lambda self, rng, n: draws.append(n) or sample(self, rng, n)
    )
    batched = simulate(model, 3000, seed=1)
    # the claim loop really drew the severities in batches of at most 997 claims
    assert len(draws) > 100 and max(draws) == 997
    # Severity batches of a fixed size draw the same stream in pieces; the per-year
    # sums and maxima must be the same up to float addition order (exact here).
    np.testing.assert_allclose(batched.annual, whole.annual, rtol=1e-12)
    np.testing.assert_array_equal(batched.max_occurrence, whole.max_occurrence)


MOMENT_CASES = [
    LossModel(
        "poisson_lognormal",
        Poisson(lam=3.0),
        Lognormal(mu=10.0, sigma=1.5),
        Layer(deductible=10_000, limit=1_000_000),
    ),
    LossModel(
        "nb_gamma",
        NegativeBinomial(r=1.5, beta=2.0),
        Gamma(alpha=0.7, theta=5_000.0),
        Layer(deductible=500.0, share=0.6),
    ),
    LossModel(
        "binomial_pareto",
        Binomial(m=12, q=0.15),
        Pareto(alpha=1.3, theta=200_000.0),
        Layer(limit=3_000_000),
    ),
    LossModel("ground_up", Poisson(lam=0.4), Gamma(alpha=3.0, theta=1_000.0)),
]


@pytest.mark.parametrize("model", MOMENT_CASES, ids=lambda m: m.name)
def test_mean_and_variance_match_closed_forms(model):
    """E[S] = E[N]E[Y], Var[S] = E[N]Var[Y] + Var[N]E[Y]^2 (Loss Models §9.3)."""
    n_years = 400_000
    x = simulate(model, n_years, seed=99).annual[:, 0]
    mean_y, second_y = model.layered_occurrence_moments()
    share = model.layer.share
    n = model.frequency
    exact_mean = share * n.mean() * mean_y
    exact_var = share**2 * (n.mean() * (second_y - mean_y**2) + n.var() * mean_y**2)
    assert exact_mean == pytest.approx(model.expected_annual_loss(), rel=1e-12)
    # Tolerances: 4.5 standard errors; the variance's from the sample fourth moment.
    assert abs(x.mean() - exact_mean) < 4.5 * x.std() / math.sqrt(n_years)
    centred = (x - x.mean()) ** 2
    var_se = centred.std() / math.sqrt(n_years)
    assert abs(x.var() - exact_var) < 4.5 * var_se


@pytest.mark.slow
@pytest.mark.parametrize("model", MOMENT_CASES, ids=lambda m: m.name)
def test_standard_error_of_the_mean_shrinks_like_root_n(model):
    small = simulate(model, 100_000, seed=1).summary(levels=(0.99,))
    large = simulate(model, 1_600_000, seed=1).summary(levels=(0.99,))
    ratio = small.loc["total", "mean_se"] / large.loc["total", "mean_se"]
    assert ratio == pytest.approx(4.0, rel=0.15)


def test_summary_and_result_accessors():
    result = simulate([CYBER, TECH], 50_000, seed=8)
    table = result.summary()
    assert list(table.index) == ["cyber", "tech_failure", "total"]
    for col in ["mean", "mean_se", "std", "var_99_5", "var_99_5_se", "tvar_95", "tvar_99_se"]:
        assert col in table.columns
    assert table.loc["total", "var_99"] == result.value_at_risk(0.99)
    assert table.loc["cyber", "tvar_99_5"] == measures.tvar(result.annual[:, 0], 0.995)
    assert np.isfinite(table.to_numpy()).all()
    frame = result.to_frame()
    assert list(frame.columns) == ["cyber", "tech_failure", "total"]
    assert len(frame) == 50_000
    aep = result.ep_curve("aep")
    oep = result.ep_curve("oep", line="cyber")
    assert (oep["loss"].to_numpy() <= 2_000_000 * 0.8 + 1e-9).all()
    assert (aep["loss"].diff().dropna() >= 0).all()
    with pytest.raises(ParameterError):
        result.value_at_risk(0.99, line="marine")
    with pytest.raises(ParameterError):
        result.ep_curve("xep")
    with pytest.raises(ValueError):
        result.annual[0, 0] = 1.0


@pytest.mark.parametrize(
    "levels",
    [(0.0,), (1.0,), (1.5,), (-0.1,), (math.nan,), (True,), ("0.99",), (0.9, 1.0), "0.99", None],
)
def test_summary_levels_outside_the_open_unit_interval_are_refused(levels):
    result = simulate(TECH, 1000, seed=4)
    with pytest.raises(ParameterError) as info:
        result.summary(levels=levels)
    assert info.value.name == "levels"


def test_summary_accepts_one_level_as_a_float():
    result = simulate(TECH, 1000, seed=4)
    assert result.summary(levels=0.99).equals(result.summary(levels=(0.99,)))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    d1=st.floats(0, 2e5),
    extra_d=st.floats(0, 2e5),
    l1=st.floats(1e3, 5e6),
    extra_l=st.floats(0, 5e6),
    agg=st.floats(1e3, 2e7),
    share=st.floats(0.01, 1.0),
    seed=st.integers(0, 2**32),
)
def test_layer_monotonicity_per_simulated_year(d1, extra_d, l1, extra_l, agg, share, seed):
    freq, sev = NegativeBinomial(r=1.0, beta=1.5), Lognormal(mu=10.0, sigma=2.0)

    def run(d, lim):
        layer = Layer(deductible=d, limit=lim, aggregate_limit=agg, share=share)
        return simulate(LossModel("x", freq, sev, layer), 2000, seed=seed).annual[:, 0]

    base = run(d1, l1)
    assert (run(d1 + extra_d, l1) <= base).all()
    assert (run(d1, l1 + extra_l) >= base).all()
    assert (base >= 0).all() and (base <= agg * share * (1 + 1e-12)).all()


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"n_years": 0}, "n_years"),
        ({"n_years": -3}, "n_years"),
        ({"n_years": 10.5}, "n_years"),
        ({"n_years": True}, "n_years"),
        ({"n_years": "1000"}, "n_years"),
        ({"seed": -1}, "seed"),
        ({"seed": 1.5}, "seed"),
        ({"seed": "42"}, "seed"),
        ({"chunk_years": 0}, "chunk_years"),
        ({"chunk_years": 2.5}, "chunk_years"),
        ({"models": []}, "models"),
        ({"models": [CYBER, CYBER]}, "models"),
        ({"models": "cyber"}, "models"),
        ({"models": [object()]}, "models"),
    ],
)
def test_bad_simulate_arguments(kwargs, name):
    call = {"models": [CYBER], "n_years": 100, "seed": 1} | kwargs
    with pytest.raises(ParameterError) as info:
        simulate(**call)
    assert info.value.name == name


def test_oversize_request_is_refused_before_allocating():
    with pytest.raises(SimulationSizeError, match="max_memory_bytes"):
        simulate(CYBER, 10**12, seed=1)
    with pytest.raises(SimulationSizeError):
        simulate(CYBER, 100_000, seed=1, max_memory_bytes=1 << 20)


def test_overflow_to_inf_is_an_error_not_a_number():
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class Exploding(Gamma):
        """A gamma whose draws overflow, as numpy's heavy tails can beyond any check."""

        def _sample(self, rng, shape):
            return np.full(shape, np.inf)

    exploding = Exploding(alpha=1.0, theta=1.0)
    with pytest.raises(SimulationError):
        simulate(LossModel("boom", Poisson(lam=2.0), exploding), 1000, seed=1)


def test_total_of_finite_lines_overflowing_is_an_error_not_inf():
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class Huge(Gamma):
        """Every claim 1e308: one line's year is finite, two lines' total is not."""

        def _sample(self, rng, shape):
            return np.full(shape, 1e308)

    huge = Huge(alpha=1.0, theta=1.0)
    lines = [LossModel(name, Binomial(m=1, q=1.0), huge) for name in ("a", "b")]
    assert np.isfinite(simulate(lines[0], 10, seed=1).total).all()
    with pytest.raises(SimulationError, match="total"):
        simulate(lines, 10, seed=1)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", ""),
        ("name", 3),
        ("frequency", Lognormal(mu=1.0, sigma=1.0)),
        ("severity", Poisson(lam=1.0)),
        ("layer", {"limit": 5}),
    ],
)
def test_bad_loss_model(field, value):
    kwargs = {"name": "x", "frequency": Poisson(lam=1.0), "severity": Gamma(alpha=1.0, theta=1.0)}
    kwargs[field] = value
    with pytest.raises(ParameterError) as info:
        LossModel(**kwargs)
    assert info.value.name == field


def test_a_line_draws_the_same_losses_alone_beside_others_and_in_any_order():
    """Streams keyed by line name: a line's years do not depend on what is simulated with it."""
    n_years = BLOCK_YEARS + 321  # two blocks
    alone = simulate([CYBER], n_years, seed=41)
    for models in ([CYBER, TECH], [TECH, CYBER], [FREQUENT, TECH, CYBER]):
        result = simulate(models, n_years, seed=41)
        column = result.lines.index("cyber")
        np.testing.assert_array_equal(result.annual[:, column], alone.annual[:, 0])
        np.testing.assert_array_equal(result.max_occurrence[:, column], alone.max_occurrence[:, 0])


def test_position_keyed_streams_are_the_old_scheme_and_depend_on_the_order():
    """``stream_keys="position"`` (records before issue 17): line i draws from stream i."""
    first = simulate([CYBER, TECH], 5_000, seed=8, stream_keys="position")
    swapped = simulate([TECH, CYBER], 5_000, seed=8, stream_keys="position")
    assert not np.array_equal(first.annual[:, 0], swapped.annual[:, 1])
    # position 0 of any model list is the single-line stream 0
    np.testing.assert_array_equal(
        first.annual[:, 0], simulate([CYBER], 5_000, seed=8, stream_keys="position").annual[:, 0]
    )
    by_name = simulate([CYBER, TECH], 5_000, seed=8)
    assert not np.array_equal(first.annual, by_name.annual)


def test_line_stream_key_is_the_first_8_bytes_of_sha256_with_the_top_bit_set():
    import hashlib

    digest = hashlib.sha256(b"cyber").digest()
    assert line_stream_key("cyber") == int.from_bytes(digest[:8], "big") | (1 << 63)
    assert line_stream_key("cyber") >= 1 << 63  # never a position or a shared stream
    assert line_stream_key("cyber") != line_stream_key("Cyber")


def test_duplicate_line_names_and_bad_stream_keys_are_refused():
    with pytest.raises(ParameterError, match="cyber"):
        simulate([CYBER, CYBER], 100, seed=1)
    with pytest.raises(ParameterError, match="stream_keys"):
        simulate([CYBER], 100, seed=1, stream_keys="index")  # type: ignore[arg-type]
    from xborder_risk.engine.rng import line_stream_keys

    with pytest.raises(ParameterError, match="'x'"):
        line_stream_keys("simulate", ["x", "y", "x"], "name")
