"""Bad input is refused with a ParameterError naming the parameter and the rule.

Violations are generated from each class's declared ``PARAMETERS`` table, so a new
constraint is tested as soon as it is declared.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from dist_cases import FREQUENCY_CASES, SEVERITY_CASES, VALID_KWARGS

from xborder_risk.distributions import (
    SAMPLE_CEILING,
    Binomial,
    Frequency,
    Gamma,
    GeneralizedPareto,
    Lognormal,
    NegativeBinomial,
    ParamSpec,
    Pareto,
    Poisson,
    Severity,
    Spliced,
    Weibull,
)
from xborder_risk.errors import MomentDoesNotExistError, ParameterError, XBorderRiskError

CLASSES = list(VALID_KWARGS)
ALL_CASES = [pytest.param(c.dist, id=c.id) for c in [*SEVERITY_CASES, *FREQUENCY_CASES]]


def _violations(spec: ParamSpec) -> list[tuple[str, object]]:
    """Every kind of bad value for one declared parameter, with a label."""
    bad: list[tuple[str, object]] = [
        ("nan", math.nan),
        ("inf", math.inf),
        ("-inf", -math.inf),
        ("bool-true", True),
        ("bool-false", False),
        ("numpy-bool", np.True_),
        ("string", "1.0"),
        ("none", None),
        ("complex", 1 + 0j),
        ("list", [1.0]),
        # An int beyond the float64 range: float() raises OverflowError, not our error.
        ("huge-int", 10**400),
        ("huge-negative-int", -(10**400)),
    ]
    if spec.integer:
        bad.append(("non-integer", 1.5))
        bad.append(("integral-float", 2.0))
    if math.isfinite(spec.lower):
        below = math.nextafter(spec.lower, -math.inf)
        bad.append(("just-below-lower", math.floor(below) if spec.integer else below))
        bad.append(("far-below-lower", int(spec.lower) - 10 if spec.integer else spec.lower - 10))
        if not spec.lower_inclusive:
            bad.append(("at-open-lower", spec.lower))
    if math.isfinite(spec.upper):
        above = math.nextafter(spec.upper, math.inf)
        bad.append(("just-above-upper", math.ceil(above) + 1 if spec.integer else above))
        if not spec.upper_inclusive:
            bad.append(("at-open-upper", spec.upper))
    return bad


GENERATED = [
    pytest.param(cls, spec.name, value, id=f"{cls.__name__}-{spec.name}-{label}")
    for cls in CLASSES
    for spec in cls.PARAMETERS
    for label, value in _violations(spec)
]


@pytest.mark.parametrize(("cls", "name", "value"), GENERATED)
def test_every_declared_constraint_violation_is_refused(cls, name, value):
    kwargs = {**VALID_KWARGS[cls], name: value}
    with pytest.raises(ParameterError) as info:
        cls(**kwargs)
    err = info.value
    assert err.owner == cls.__name__
    assert err.name == name
    assert f"'{name}'" in str(err)
    assert isinstance(err, ValueError)  # callers may catch ValueError


def test_generated_catalogue_is_complete():
    # Every class declares its parameters, and every declared parameter produced cases.
    names = {(cls, spec.name) for cls in CLASSES for spec in cls.PARAMETERS}
    covered = {(p.values[0], p.values[1]) for p in GENERATED}
    assert names == covered
    assert len(GENERATED) >= 150
    for cls in CLASSES:
        fields = {f.name for f in dataclasses.fields(cls)}
        declared = {spec.name for spec in cls.PARAMETERS}
        assert declared <= fields
        # Only Spliced has non-numeric fields, checked by type below.
        assert fields - declared == ({"body", "tail"} if cls is Spliced else set())


def _boundary_values(spec: ParamSpec) -> list[object]:
    values: list[object] = []
    if math.isfinite(spec.lower):
        values.append(spec.lower if spec.lower_inclusive else math.nextafter(spec.lower, math.inf))
    if math.isfinite(spec.upper) and spec.upper_inclusive:
        values.append(int(spec.upper) if spec.integer else spec.upper)
    return values


ACCEPTED = [
    pytest.param(cls, spec.name, value, id=f"{cls.__name__}-{spec.name}-{value!r}")
    for cls in CLASSES
    for spec in cls.PARAMETERS
    for value in _boundary_values(spec)
]


@pytest.mark.parametrize(("cls", "name", "value"), ACCEPTED)
def test_domain_boundaries_are_accepted(cls, name, value):
    try:
        dist = cls(**{**VALID_KWARGS[cls], name: value})
    except ParameterError as err:
        # A severity may still be refused at the extreme end of a domain (alpha = 5e-324),
        # but only by the cross-parameter sampling rule, never by the declared domain.
        assert issubclass(cls, Severity) and "ppf(1 - 2**-53)" in str(err), err
    else:
        assert getattr(dist, name) == value


def test_numpy_scalars_are_accepted_and_normalised():
    d = Lognormal(mu=np.float32(1.5), sigma=np.int64(2))
    assert type(d.mu) is float and type(d.sigma) is float
    assert d == Lognormal(mu=1.5, sigma=2.0)
    b = Binomial(m=np.int64(10), q=np.float64(0.5))
    assert type(b.m) is int and b.m == 10


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"body": "lognormal"}, "body"),
        ({"body": Poisson(lam=1.0)}, "body"),
        ({"tail": Pareto(alpha=2.0, theta=1.0)}, "tail"),
        ({"tail": None}, "tail"),
    ],
)
def test_spliced_pieces_must_be_the_right_kind(kwargs, name):
    with pytest.raises(ParameterError, match=f"'{name}'"):
        Spliced(**{**VALID_KWARGS[Spliced], **kwargs})


@pytest.mark.parametrize(
    "make",
    [
        lambda: Lognormal(mu=800.0, sigma=1.0),
        lambda: Lognormal(mu=0.0, sigma=90.0),
        lambda: Pareto(alpha=1e-3, theta=1.0),
        lambda: Pareto(alpha=0.1, theta=1e290),
        lambda: Weibull(tau=0.004, theta=1.0),
        lambda: Gamma(alpha=1.0, theta=1e299),
        lambda: GeneralizedPareto(xi=25.0, beta=1.0),
        lambda: GeneralizedPareto(xi=0.0, beta=1e299),
        # Each piece is fine on its own; spliced at 9e299 (uniform body on [0, 9.9e299],
        # so 10% of claims reach the tail) the largest quantile is 9e299 + 6.9e299.
        lambda: Spliced(
            body=GeneralizedPareto(xi=-1.0, beta=9.9e299),
            tail=GeneralizedPareto(xi=0.0, beta=2e298),
            threshold=9e299,
        ),
    ],
    ids=lambda _: "",
)
def test_severities_that_would_sample_inf_are_refused(make):
    with pytest.raises(ParameterError, match=r"ppf\(1 - 2\*\*-53\)") as info:
        make()
    # The message names every parameter of the class.
    assert info.value.name


def test_sampling_rule_names_the_parameters_and_is_just_right():
    with pytest.raises(ParameterError) as info:
        Lognormal(mu=800.0, sigma=1.0)
    assert info.value.name == "mu, sigma"
    assert "1e+300" in str(info.value)
    # The largest reachable quantile exp(mu + sigma * 8.2095) is just below the ceiling:
    z = 8.209536151601387  # scipy.special.ndtri(1 - 2**-53)
    mu_ok = math.log(SAMPLE_CEILING) - z - 1e-6
    big = Lognormal(mu=mu_ok, sigma=1.0)
    draws = big.sample(np.random.default_rng(0), 10_000)
    assert np.isfinite(draws).all()
    with pytest.raises(ParameterError):
        Lognormal(mu=mu_ok + 1e-5, sigma=1.0)


def test_negative_binomial_rate_rule():
    with pytest.raises(ParameterError, match="'r, beta'"):
        NegativeBinomial(r=1.0, beta=1e15)
    with pytest.raises(ParameterError, match="'r, beta'"):
        # numpy's own limit, as its code applies it: (1 - p)/p * (r + 10 sqrt(r)), which for
        # a tiny r is far above the r beta (1 + 10 sqrt r) of its docstring.
        NegativeBinomial(r=1e-10, beta=1e25)
    NegativeBinomial(r=1.0, beta=1e12).sample(np.random.default_rng(0), 1000)


# --------------------------------------------------------------------------------------
# Method arguments
# --------------------------------------------------------------------------------------


BAD_REALS = [math.nan, "1.0", True, [1.0, math.nan], 1 + 2j, None, np.array([True])]


@pytest.mark.parametrize("dist", [pytest.param(c.dist, id=c.id) for c in SEVERITY_CASES])
def test_severity_method_arguments_are_validated(dist):
    for method, name in ((dist.cdf, "x"), (dist.sf, "x"), (dist.pdf, "x")):
        for bad in BAD_REALS:
            with pytest.raises(ParameterError, match=f"'{name}'"):
                method(bad)
    for bad in [*BAD_REALS, -0.1, 1.1, -math.inf, math.inf, [0.5, 2.0]]:
        with pytest.raises(ParameterError, match="'q'"):
            dist.ppf(bad)
    for bad in [*BAD_REALS, -1.0, -math.inf]:
        with pytest.raises(ParameterError, match="'u'"):
            dist.limited_moment(bad, 1)
        with pytest.raises(ParameterError, match="'u'"):
            dist.limited_expected_value(bad)
    for bad_k in (0, 3, -1, 1.0, True, "1", None):
        with pytest.raises(ParameterError, match="'k'"):
            dist.limited_moment(1.0, bad_k)
    for bad_k in (0, -2, 1.5, True, "2"):
        with pytest.raises(ParameterError, match="'k'"):
            dist.moment(bad_k)


@pytest.mark.parametrize("dist", [pytest.param(c.dist, id=c.id) for c in FREQUENCY_CASES])
def test_frequency_method_arguments_are_validated(dist):
    for method, name in ((dist.pmf, "k"), (dist.cdf, "k")):
        for bad in BAD_REALS:
            with pytest.raises(ParameterError, match=f"'{name}'"):
                method(bad)
    for bad in [*BAD_REALS, -0.1, 1.1, math.inf]:
        with pytest.raises(ParameterError, match="'q'"):
            dist.ppf(bad)
    for bad in (math.nan, complex(math.inf, 0), "1", np.array([1j, math.nan])):
        with pytest.raises(ParameterError, match="'z'"):
            dist.pgf(bad)


def test_pgf_outside_convergence_radius_is_refused():
    nb = NegativeBinomial(r=2.0, beta=1.0)
    assert np.isfinite(nb.pgf(1.9))  # radius of convergence 1 + 1/beta = 2
    with pytest.raises(ParameterError, match="radius of convergence"):
        nb.pgf(2.0)
    with pytest.raises(ParameterError, match="'z'"):
        Poisson(lam=10.0).pgf(1000.0)  # e^(10 * 999) overflows float64


@pytest.mark.parametrize("dist", ALL_CASES)
def test_sample_arguments_are_validated(dist):
    rng = np.random.default_rng(0)
    for bad in (-1, (3, -1), 2.5, True, "10", None, (2.0,)):
        with pytest.raises(ParameterError, match="'size'"):
            dist.sample(rng, bad)
    for bad_rng in (0, None, np.random.RandomState(0), "seed"):
        with pytest.raises(ParameterError, match="'rng'"):
            dist.sample(bad_rng, 3)
    assert dist.sample(rng, 0).shape == (0,)
    assert dist.sample(rng, (2, 0)).shape == (2, 0)


# --------------------------------------------------------------------------------------
# Immutability, value semantics
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("dist", ALL_CASES)
def test_distributions_are_immutable_values(dist):
    first = dataclasses.fields(dist)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(dist, first, getattr(dist, first))
    with pytest.raises((AttributeError, TypeError)):
        dist.extra = 1  # slots: no new attributes either
    clone = dataclasses.replace(dist)
    assert clone == dist and hash(clone) == hash(dist)
    assert repr(dist).startswith(type(dist).__name__ + "(")
    assert isinstance(dist, Severity | Frequency)


def test_replace_revalidates():
    with pytest.raises(ParameterError, match="'sigma'"):
        dataclasses.replace(Lognormal(mu=0.0, sigma=1.0), sigma=-1.0)


# --------------------------------------------------------------------------------------
# Moments that do not exist
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "pattern"),
    [
        (lambda: Pareto(alpha=1.0, theta=1.0).mean(), "alpha = 1.0 <= 1"),
        (lambda: Pareto(alpha=0.5, theta=1.0).moment(1), "alpha"),
        (lambda: Pareto(alpha=2.0, theta=1.0).var(), "alpha = 2.0 <= 2"),
        (lambda: Pareto(alpha=2.5, theta=1.0).moment(3), "<= 3"),
        (lambda: GeneralizedPareto(xi=1.0, beta=1.0).mean(), "xi = 1.0 >= 1/1"),
        (lambda: GeneralizedPareto(xi=0.5, beta=1.0).var(), "xi = 0.5 >= 1/2"),
        (lambda: GeneralizedPareto(xi=1 / 3, beta=1.0).moment(3), "1/3"),
        (
            lambda: Spliced(
                body=Gamma(alpha=2.0, theta=1.0),
                tail=GeneralizedPareto(xi=0.7, beta=1.0),
                threshold=3.0,
            ).var(),
            "tail",
        ),
        (lambda: Pareto(alpha=1.5, theta=1.0).limited_moment(math.inf, 2), "alpha"),
        (lambda: Lognormal(mu=0.0, sigma=26.0).var(), "float64 range"),
        (lambda: Weibull(tau=0.01, theta=1.0).moment(2), "float64 range"),
    ],
)
def test_moments_that_do_not_exist_raise(call, pattern):
    with pytest.raises(MomentDoesNotExistError, match=pattern):
        call()


def test_moment_errors_are_library_errors_and_finite_limits_are_fine():
    heavy = Pareto(alpha=0.5, theta=1.0)
    with pytest.raises(XBorderRiskError):
        heavy.mean()
    u = np.array([1.0, 1e6, 1e100])
    lev = heavy.limited_expected_value(u)
    # E[X ^ u] = theta/(alpha-1) [1 - (theta/(u+theta))^(alpha-1)] (Loss Models A.2.3.1),
    # here 2 (sqrt(1 + u) - 1).
    np.testing.assert_allclose(lev, 2.0 * (np.sqrt(1.0 + u) - 1.0), rtol=1e-12)


def test_spliced_moments_beyond_two_are_not_offered():
    spliced = Spliced(**VALID_KWARGS[Spliced])
    with pytest.raises(ParameterError, match="'k'"):
        spliced.moment(3)


@pytest.mark.parametrize("dist", ALL_CASES)
def test_distributions_survive_pickling_for_worker_processes(dist):
    # The Dask back end ships models to worker processes with dask's own serialisation
    # (pickle underneath): our own objects, never user input.
    import copy

    protocol = pytest.importorskip("distributed.protocol")
    assert protocol.deserialize(*protocol.serialize(dist)) == dist
    assert copy.deepcopy(dist) == dist
