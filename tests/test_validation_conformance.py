"""One battery of bad inputs for every public function that takes losses or amounts.

Every entry of ``LOSS_INPUTS`` is fed the same catalogue of bad values -- strings (numeric ones
such as ``'1e6'`` too), booleans (lists, numpy arrays, a ``True`` among numbers), ``None``,
complex, object and date arrays, masked entries, ragged nesting, NaN, ``inf`` where it is not
allowed and the wrong number of dimensions -- each derived from the entry's own valid input, and
must refuse each with a :class:`ParameterError` naming the parameter.  A new public function
gets the battery by being added to ``LOSS_INPUTS``; ``test_every_loss_taking_function_is_listed``
fails until it is.
"""

from __future__ import annotations

import datetime as dt
import inspect
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pytest

from xborder_risk import exact, measures, pricing, reinsurance, reserves
from xborder_risk._validation import (
    as_complex_array,
    as_float_array,
    as_int_array,
    check_choice,
    check_line_name,
    check_line_names,
)
from xborder_risk.distributions import Lognormal, Poisson
from xborder_risk.engine import GaussianCopula, Layer, LossModel, simulate
from xborder_risk.errors import ParameterError, XBorderRiskError
from xborder_risk.exposure import Submission
from xborder_risk.portfolio import Portfolio, synthetic_book
from xborder_risk.pricing import (
    CostOfCapital,
    ExpectedValuePrinciple,
    StandardDeviationPrinciple,
    VariancePrinciple,
    WangTransform,
)
from xborder_risk.pricing.allocation import allocate_by_co_tvar, co_tvar, co_var, tail_weights
from xborder_risk.rating import Mixture, RatedSubmission, RatingTables, expected_layer_loss, rate
from xborder_risk.reinsurance import (
    ExcessOfLoss,
    OccurrenceTable,
    QuotaShare,
    StopLoss,
    Surplus,
    occurrences_from_models,
)

VECTOR = [1.0, 2.0, 3.0]
MATRIX = [[1.0, 2.0], [3.0, 4.0]]
PMF = [0.2, 0.3, 0.5]
PATTERN = reserves.PaymentPattern([3, 6, 12], [0.6, 0.9, 1.0], [0.3, 0.7, 1.0])
PATTERNS = {"a": PATTERN, "b": PATTERN}
INCEPTION, VALUED = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
AGGREGATE = exact.AggregateDistribution(x=[0.0, 1.0, 2.0], probabilities=PMF, step=1.0)


@dataclass(frozen=True)
class LossInput:
    """A public function and the array parameter the battery is fed to.

    ``ndim`` is the number of dimensions the parameter requires (``None``: any shape, scalars
    too); ``finite`` says whether ``inf`` is refused (an amount to evaluate a distribution or
    a layer at may be infinite, a simulated loss may not); ``optional`` that ``None`` is the
    parameter's default.
    """

    name: str
    call: Callable[[object], object]
    parameter: str
    good: object
    ndim: int | None = 1
    finite: bool = True
    covers: str = ""
    optional: bool = False  # None is the parameter's default (not a bad value)

    @property
    def public_name(self) -> str:
        """The name the completeness test finds it by: ``var``, ``QuotaShare.apply``."""
        return self.covers or self.name.split("(")[0].removeprefix("measures.")


def _points(name: str, call: Callable[[object], object], parameter: str) -> LossInput:
    """Amounts or times to evaluate at: any shape, ``inf`` allowed (NaN never)."""
    return LossInput(name, call, parameter, VECTOR, ndim=None, finite=False)


PRINCIPLES = (
    ExpectedValuePrinciple(0.2),
    StandardDeviationPrinciple(1.0),
    VariancePrinciple(0.01),
    WangTransform(0.5),
    CostOfCapital(),
)


def _principle_inputs() -> Iterator[LossInput]:
    for principle in PRINCIPLES:
        label = type(principle).__name__
        for method in ("premium", "risk_load", "standard_error"):
            yield LossInput(
                f"{label}.{method}",
                getattr(principle, method),
                "losses",
                VECTOR,
                covers=f"PremiumPrinciple.{method}",  # defined once, on the base class
            )
        yield LossInput(
            f"{label}.allocate",
            principle.allocate,
            "annual",
            MATRIX,
            ndim=2,
            covers="PremiumPrinciple.allocate",
        )
    yield LossInput("CostOfCapital.capital", CostOfCapital().capital, "losses", VECTOR)


#: Every public function that takes simulated losses (or amounts): add a new one here.
LOSS_INPUTS: tuple[LossInput, ...] = (
    # measures
    LossInput("measures.var", lambda x: measures.var(x), "x", VECTOR),
    LossInput("measures.value_at_risk", lambda x: measures.value_at_risk(x, 0.5), "x", VECTOR),
    LossInput("measures.tvar", lambda x: measures.tvar(x, 0.5), "x", VECTOR),
    LossInput("measures.mean_standard_error", measures.mean_standard_error, "x", VECTOR),
    LossInput(
        "measures.value_at_risk_standard_error",
        lambda x: measures.value_at_risk_standard_error(x, 0.5),
        "x",
        VECTOR,
    ),
    LossInput(
        "measures.tvar_standard_error", lambda x: measures.tvar_standard_error(x, 0.5), "x", VECTOR
    ),
    LossInput(
        "measures.value_at_risk_interval",
        lambda x: measures.value_at_risk_interval(x, 0.5),
        "x",
        VECTOR,
    ),
    LossInput("measures.ep_curve", measures.ep_curve, "x", VECTOR),
    LossInput(
        "measures.ep_curve(return_periods)",
        lambda t: measures.ep_curve(VECTOR, t),
        "return_periods",
        [2.0, 5.0, 10.0],
        optional=True,
    ),
    # pricing
    *_principle_inputs(),
    LossInput("co_tvar", lambda a: co_tvar(a, 0.5), "annual", MATRIX, ndim=2),
    LossInput(
        "euler_contributions",
        lambda a: pricing.euler_contributions([1.0, 5.0], a, 0.5),
        "annual",
        MATRIX,
        ndim=2,
    ),
    LossInput(
        "line_marginal_capital",
        lambda a: pricing.line_marginal_capital([1.0, 5.0], a, 0.5),
        "annual",
        MATRIX,
        ndim=2,
    ),
    LossInput("co_var", lambda a: co_var(a, 0.5), "annual", MATRIX, ndim=2),
    LossInput(
        "allocate_by_co_tvar", lambda a: allocate_by_co_tvar(a, 1.0, 0.5), "annual", MATRIX, ndim=2
    ),
    LossInput("tail_weights", lambda t: tail_weights(t, 0.5), "total", VECTOR),
    LossInput(
        "price_lines",
        lambda a: pricing.price_lines(a, ["a", "b"], ExpectedValuePrinciple(0.1)),
        "annual",
        MATRIX,
        ndim=2,
    ),
    # reserves
    LossInput("scr", reserves.scr, "losses", VECTOR),
    LossInput(
        "unpaid",
        lambda x: reserves.unpaid(x, PATTERN, INCEPTION, 1.0, VALUED),
        "annual_losses",
        VECTOR,
    ),
    LossInput(
        "reserve_lines",
        lambda a: reserves.reserve_lines(a, ["a", "b"], PATTERNS, INCEPTION, 1.0, VALUED),
        "annual",
        MATRIX,
        ndim=2,
    ),
    LossInput(
        "reserve",
        lambda a: reserves.reserve(a, ["a", "b"], PATTERNS, INCEPTION, 1.0, VALUED),
        "annual",
        MATRIX,
        ndim=2,
    ),
    LossInput("Triangle", reserves.Triangle, "values", MATRIX, ndim=2),
    LossInput(
        "PaymentPattern",
        lambda m: reserves.PaymentPattern(m, [0.6, 0.9, 1.0], [0.3, 0.7, 1.0]),
        "development_months",
        [3.0, 6.0, 12.0],
    ),
    _points("PaymentPattern.paid_at", PATTERN.paid_at, "months"),
    _points("PaymentPattern.reported_at", PATTERN.reported_at, "months"),
    _points(
        "PaymentPattern.exposure_averaged",
        lambda m: PATTERN.exposure_averaged("paid", m, 12.0),
        "months_since_inception",
    ),
    LossInput(
        "YieldCurve",
        lambda r: reserves.YieldCurve([1.0, 2.0, 3.0], r),
        "spot_rates",
        [0.01, 0.02, 0.03],
    ),
    _points("YieldCurve.spot", reserves.YieldCurve.flat(0.02).spot, "t_years"),
    _points(
        "YieldCurve.discount_factor", reserves.YieldCurve.flat(0.02).discount_factor, "t_years"
    ),
    # reinsurance
    LossInput("QuotaShare.apply", QuotaShare(0.5).apply, "gross", VECTOR),
    LossInput("StopLoss.apply", StopLoss(1.0).apply, "gross", VECTOR),
    LossInput(
        "Surplus.apply",
        lambda losses: Surplus(1.0, 2.0).apply(losses, [1.0, 2.0]),
        "losses",
        MATRIX,
        ndim=2,
    ),
    LossInput(
        "OccurrenceTable",
        lambda loss: OccurrenceTable(np.zeros(3, dtype=np.int64), loss, 1),
        "loss",
        VECTOR,
    ),
    # exact
    LossInput(
        "compound_pmf",
        lambda pmf: exact.compound_pmf(Poisson(1.0), pmf, 8),
        "severity_pmf",
        PMF,
    ),
    LossInput(
        "AggregateDistribution(x)",
        lambda x: exact.AggregateDistribution(x=x, probabilities=PMF, step=1.0),
        "x",
        [0.0, 1.0, 2.0],
    ),
    LossInput(
        "AggregateDistribution(probabilities)",
        lambda p: exact.AggregateDistribution(x=[0.0, 1.0, 2.0], probabilities=p, step=1.0),
        "probabilities",
        PMF,
    ),
    _points("AggregateDistribution.cdf", AGGREGATE.cdf, "x"),
    LossInput(
        "AggregateDistribution.value_at_risk", AGGREGATE.value_at_risk, "level", PMF, ndim=None
    ),
    LossInput("AggregateDistribution.tvar", AGGREGATE.tvar, "level", PMF, ndim=None),
    # engine and distributions
    _points("Layer.occurrence", Layer(1.0, 5.0).occurrence, "ground_up"),
    _points("Layer.aggregate", Layer().aggregate, "annual_sum"),
    LossInput("GaussianCopula", GaussianCopula, "correlation", [[1.0, 0.5], [0.5, 1.0]], ndim=2),
    _points("Lognormal.cdf", Lognormal(0.0, 1.0).cdf, "x"),
    _points("Lognormal.sf", Lognormal(0.0, 1.0).sf, "x"),
    _points("Lognormal.limited_moment", lambda u: Lognormal(0.0, 1.0).limited_moment(u, 1), "u"),
    _points("Poisson.pmf", Poisson(1.0).pmf, "k"),
)


def _replace_one(good: np.ndarray, item: object, index: int = 1) -> list:
    """``good`` as nested lists with one element replaced (numpy would coerce it away)."""
    cells = good.astype(object)
    cells.flat[index] = item
    return cells.tolist()


def bad_values(entry: LossInput) -> Iterator[tuple[str, object]]:
    """The catalogue, derived from the entry's valid input (same shape, one defect each)."""
    good = np.asarray(entry.good, dtype=np.float64)
    yield "numeric strings", good.astype(str).tolist()
    yield "numeric string array", good.astype(str)
    yield "'1e6' among numbers", _replace_one(good, "1e6", 0)
    yield "a string", "abc"
    yield "bytes", b"123"
    yield "booleans", (good > 0).tolist()
    yield "bool array", good > 0
    yield "True among numbers", _replace_one(good, True)
    yield "numpy bool among numbers", _replace_one(good, np.True_)
    if not entry.optional:
        yield "None", None
    yield "None among numbers", _replace_one(good, None)
    yield "complex", good.astype(complex)
    yield "object array", good.astype(object)
    yield "dates", np.full(good.shape, np.datetime64("2025-01-01"))
    yield "a dict", {"a": 1.0}
    yield "ragged", [[1.0], [2.0, 3.0]] if good.ndim == 1 else [list(good[0]), [1.0]]
    yield "masked", np.ma.masked_array(good, mask=np.arange(good.size).reshape(good.shape) == 1)
    yield "NaN", _with(good, math.nan)
    if good.ndim == 1:
        yield "string Series", pd.Series(good.astype(str))
        yield "bool Series", pd.Series(good > 0)
    if entry.finite:
        yield "inf", _with(good, math.inf)
        yield "-inf", _with(good, -math.inf)
    if entry.ndim is not None:
        yield "one dimension more", good[np.newaxis]
        yield (
            "scalar" if entry.ndim == 1 else "one dimension less",
            good.ravel()[0] if (entry.ndim == 1) else good.ravel(),
        )


def _with(good: np.ndarray, value: float) -> np.ndarray:
    out = good.copy()
    out.flat[1] = value
    return out


CASES = [
    pytest.param(entry, label, value, id=f"{entry.name}-{label}")
    for entry in LOSS_INPUTS
    for label, value in bad_values(entry)
]


@pytest.mark.parametrize("entry", LOSS_INPUTS, ids=lambda e: e.name)
def test_valid_input_is_accepted(entry: LossInput) -> None:
    # The control: each call works on its valid input, so the refusals below come from the
    # check of the parameter, not from a call that cannot succeed.
    entry.call(entry.good)


@pytest.mark.parametrize(("entry", "label", "value"), CASES)
def test_bad_input_is_refused_naming_the_parameter(
    entry: LossInput, label: str, value: object
) -> None:
    with pytest.raises(ParameterError) as info:
        entry.call(value)
    error = info.value
    assert error.name.startswith(entry.parameter), (label, str(error))
    assert f"'{error.name}'" in str(error) and error.owner in str(error)
    assert len(str(error)) < 600, "the value is abbreviated in the message"
    # One error class for every wrong argument, caught as ValueError and as TypeError.
    assert isinstance(error, XBorderRiskError) and isinstance(error, TypeError)


def test_report_refused_fraction(capsys: pytest.CaptureFixture[str]) -> None:
    refused = 0
    for entry in LOSS_INPUTS:
        for _, value in bad_values(entry):
            try:
                entry.call(value)
            except ParameterError:
                refused += 1
    with capsys.disabled():
        print(
            f"\nbad-array catalogue: {refused}/{len(CASES)} refused with ParameterError "
            f"({len(LOSS_INPUTS)} public functions)"
        )
    assert refused == len(CASES)


# --------------------------------------------------------------------------------------
# the list is complete


# Parameter names that carry simulated losses or amounts in the public API.
_LOSS_PARAMETERS = frozenset(
    {
        "x",
        "losses",
        "annual",
        "annual_losses",
        "gross",
        "total",
        "loss",
        "values",
        "severity_pmf",
        "probabilities",
        "ground_up",
        "annual_sum",
        "months",
        "months_since_inception",
        "t_years",
        "development_months",
        "spot_rates",
        "return_periods",
    }
)
_MODULES: tuple[ModuleType, ...] = (measures, pricing, reserves, reinsurance, exact)
# Deprecated spellings kept one release (they warn, and pytest turns the warning into an
# error); their replacements are listed.
_DEPRECATED = frozenset({"var_standard_error"})
# Results the library builds from arrays it has already checked; users read them, not build.
_RESULTS = frozenset({"TreatyResult", "TowerResult", "SurplusResult"})


def _public_callables() -> Iterator[tuple[str, Callable[..., object]]]:
    for module in _MODULES:
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if inspect.isclass(obj):
                yield name, obj
                for attr, member in vars(obj).items():
                    if not attr.startswith("_") and inspect.isfunction(member):
                        yield f"{name}.{attr}", member
            elif inspect.isfunction(obj):
                yield name, obj


def test_every_loss_taking_function_is_listed() -> None:
    listed = {entry.public_name for entry in LOSS_INPUTS}
    missing = []
    for name, function in _public_callables():
        try:
            parameters = inspect.signature(function).parameters
        except (TypeError, ValueError):  # a builtin without a signature
            continue
        takes_losses = _LOSS_PARAMETERS & set(parameters)
        if takes_losses and name not in listed and name not in _RESULTS | _DEPRECATED:
            missing.append(f"{name}({', '.join(sorted(takes_losses))})")
    assert not missing, f"add these to LOSS_INPUTS: {missing}"


# --------------------------------------------------------------------------------------
# the cases of the issue, and the checks themselves


def test_quota_share_refuses_numeric_strings_and_booleans() -> None:
    # numpy read ['1e6', '2'] as [1e6, 2.0] (ceded [5e5, 1]) and ceded half of True.
    with pytest.raises(ParameterError, match=r"QuotaShare.apply: parameter 'gross'.*strings"):
        QuotaShare(0.5).apply(["1e6", "2"])
    with pytest.raises(ParameterError, match=r"QuotaShare.apply: parameter 'gross'.*booleans"):
        QuotaShare(0.5).apply([True, False, True])
    np.testing.assert_array_equal(QuotaShare(0.5).apply([1e6, 2.0]).ceded, [5e5, 1.0])


def test_unknown_line_names_the_known_lines() -> None:
    model = LossModel("cyber", Poisson(1.0), Lognormal(0.0, 1.0))
    result = simulate([model], 100, seed=1)
    for call in (
        lambda: result.value_at_risk(0.99, line="nope"),
        lambda: result.tvar(0.99, line="nope"),
        lambda: result.ep_curve(line="nope"),
        lambda: result.mean(line=3),
    ):
        with pytest.raises(ParameterError, match=r"must be one of \['cyber', 'total'\]") as info:
            call()
        assert info.value.name == "line"


def test_messages_name_the_position_and_abbreviate_the_value() -> None:
    big = np.arange(1_000_000, dtype=np.float64)
    big[123_456] = math.nan
    with pytest.raises(ParameterError) as info:
        as_float_array("f", "losses", big)
    message = str(info.value)
    assert "losses[123456] = nan" in message and len(message) < 300
    with pytest.raises(ParameterError, match=r"annual\[1, 0\] = -1.0; every value must be >= 0"):
        as_float_array("f", "annual", [[1.0, 2.0], [-1.0, 3.0]], ndim=2, non_negative=True)
    with pytest.raises(ParameterError, match=r"must be two-dimensional, not of shape \(3,\)"):
        as_float_array("f", "annual", VECTOR, ndim=2)
    with pytest.raises(ParameterError, match="must not be empty"):
        as_float_array("f", "x", [])
    long_list = list(range(10_000))
    with pytest.raises(ParameterError) as info:
        as_float_array("f", "x", [*long_list, "a"])
    assert len(str(info.value)) < 300


def test_as_float_array_options() -> None:
    clean = np.array([0.0, 1.0, 2.0])
    assert as_float_array("f", "x", clean) is clean  # no copy of a clean float64 array
    copied = as_float_array("f", "x", clean, copy=True)
    assert copied is not clean and np.array_equal(copied, clean)
    ints = as_float_array("f", "x", [1, 2, np.int32(3)])
    assert ints.dtype == np.float64 and ints.tolist() == [1.0, 2.0, 3.0]
    assert as_float_array("f", "x", 2.5, ndim=None).ndim == 0
    assert as_float_array("f", "x", [], non_empty=False).size == 0
    assert as_float_array("f", "x", [1.0, math.inf], finite=False)[1] == math.inf
    with pytest.raises(ParameterError, match="not be NaN"):
        as_float_array("f", "x", [1.0, math.nan], finite=False)
    with_nan = as_float_array("f", "x", [1.0, math.nan], allow_nan=True)
    assert math.isnan(with_nan[1])
    with pytest.raises(ParameterError, match=r"x\[0\] = 0.0; every value must be > 0"):
        as_float_array("f", "x", [0.0, 1.0], lower=0.0, lower_inclusive=False)
    with pytest.raises(ParameterError, match=r"x\[1\] = 1.0; every value must be < 1"):
        as_float_array("f", "x", [0.5, 1.0], upper=1.0, upper_inclusive=False)
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]})
    assert as_float_array("f", "annual", frame, ndim=2).shape == (2, 2)


def test_as_int_array() -> None:
    assert as_int_array("f", "k", [0, 2, np.uint8(3)]).tolist() == [0, 2, 3]
    assert as_int_array("f", "k", []).size == 0  # an empty list is an empty index
    for bad in ([0.0, 1.0], [True, False], ["1"], None, [[0, 1]]):
        with pytest.raises(ParameterError):
            as_int_array("f", "k", bad)
    with pytest.raises(ParameterError, match=r"k\[1\] = 5; every value must be <= 4"):
        as_int_array("f", "k", [0, 5], upper=4)
    with pytest.raises(ParameterError, match=r"k\[0\] = -1; every value must be >= 0"):
        as_int_array("f", "k", [-1, 0], lower=0)


def test_choice_and_line_name_checks() -> None:
    assert check_choice("f", "kind", "aep", ("aep", "oep")) == "aep"
    for bad in ("AEP", None, 1, np.array(["aep", "oep"]), ["aep"]):
        with pytest.raises(ParameterError, match=r"must be one of \['aep', 'oep'\]"):
            check_choice("f", "kind", bad, ("aep", "oep"))
    assert check_line_name("f", "line", "cyber", ("cyber",)) == "cyber"
    with pytest.raises(ParameterError, match=r"'line' must be one of \['cyber'\] \(got 'cy'\)"):
        check_line_name("f", "line", "cy", ("cyber",))
    assert check_line_names("f", "lines", ["a", "b"], count=2) == ("a", "b")
    for bad, rule in (
        ("ab", "sequence of line names"),
        (["a", ""], "non-empty strings"),
        (["a", 1], "non-empty strings"),
        (["a"], "each of the 2 columns"),
        (["a", "a"], r"must not repeat a line name \(\['a'\]\)"),
        (["a", "total"], "must not use \\['total'\\]"),
    ):
        with pytest.raises(ParameterError, match=rule):
            check_line_names("f", "lines", bad, count=2)


def test_parameter_error_is_a_value_and_a_type_error() -> None:
    error = ParameterError("f", "x", "abc", "must be a real number")
    assert isinstance(error, ValueError) and isinstance(error, TypeError)
    assert str(error) == "f: parameter 'x' must be a real number (got 'abc')"
    with pytest.raises(TypeError):
        measures.value_at_risk("abc", 0.5)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------
# wrong-type arguments elsewhere: ParameterError, never KeyError, TypeError or ArithmeticError

EXAMPLE = (
    Path(__file__).resolve().parents[1] / "examples" / "submissions" / "eu_egates_contractor.yaml"
)


@pytest.fixture(scope="module")
def rated() -> tuple[Submission, RatingTables, RatedSubmission]:
    submission = Submission.from_file(EXAMPLE)
    tables = RatingTables.load()
    return submission, tables, rate(submission, tables)


def test_wrong_arguments_elsewhere_raise_parameter_error(rated) -> None:
    submission, tables, rated_submission = rated
    line = submission.lines[0]
    calls: dict[str, tuple[Callable[[], object], str]] = {
        "Submission.exposure": (lambda: submission.exposure("marine"), "line"),
        "Submission.layer_terms": (lambda: submission.layer_terms(["cyber"]), "line"),
        "RatedSubmission.model": (lambda: rated_submission.model("marine"), "line"),
        "RatingTables.fx_rate": (lambda: tables.fx_rate(["USD"]), "currency"),
        "RatingTables.country": (lambda: tables.country(None), "code"),
        "RatingTables.premium_tax_for": (lambda: tables.premium_tax_for({"DE"}), "code"),
        "RatingTables.convert": (lambda: tables.convert("1e6", "USD", "EUR"), "amount"),
        "RatingTables.band": (lambda: tables.band(line, "system_age_years", "5"), "value"),
        "MackChainladder": (
            lambda: reserves.MackChainladder(np.array(["mack", "loglinear"])),
            "sigma_extrapolation",
        ),
        "CostOfCapital": (lambda: CostOfCapital(measure=["tvar"]), "measure"),
        "TreatyResult.var": (
            lambda: QuotaShare(0.5).apply(VECTOR).value_at_risk(0.5, quantity=["net"]),
            "quantity",
        ),
    }
    for label, (call, parameter) in calls.items():
        with pytest.raises(ParameterError) as info:
            call()
        assert info.value.name == parameter, label
    with pytest.raises(ParameterError, match=r"must be one of \['tech_failure'"):
        submission.exposure("marine")
    assert tables.convert(np.int64(2), "USD", "USD") == 2.0


class _FallingLimitedMean(Lognormal):
    """A severity whose limited expected value falls as the limit rises (impossible)."""

    def limited_expected_value(self, u):  # type: ignore[override]
        return 1.0 / (1.0 + np.asarray(u, dtype=float))


def test_inconsistent_severity_is_a_parameter_error_not_arithmetic_error() -> None:
    model = LossModel("cyber", Poisson(1.0), _FallingLimitedMean(0.0, 1.0), Layer(1.0, 5.0))
    with pytest.raises(ParameterError, match="limited expected value") as info:
        expected_layer_loss(model)
    assert info.value.name == "model"


def test_mixture_weights_accept_numpy_numbers() -> None:
    mixture = Mixture(
        (Lognormal(0.0, 1.0), Lognormal(1.0, 1.0)), (np.float32(0.5), np.float64(0.5))
    )
    assert mixture.weights == (0.5, 0.5)
    one = Mixture((Lognormal(0.0, 1.0),), (np.int64(1),))
    assert one.weights == (1.0,)
    with pytest.raises(ParameterError, match="weights"):
        Mixture((Lognormal(0.0, 1.0), Lognormal(1.0, 1.0)), ("0.5", 0.5))


def test_pgf_argument_may_be_complex_but_nothing_else() -> None:
    poisson = Poisson(1.0)
    assert poisson.pgf(1.0) == pytest.approx(1.0)
    assert poisson.pgf([0.5, 1j]).dtype == np.complex128
    for bad in (
        "1",
        ["1e6"],
        [1.0, True],
        np.array([True]),
        None,
        [math.nan],
        [complex(math.inf, 1)],
    ):
        with pytest.raises(ParameterError) as info:
            poisson.pgf(bad)
        assert info.value.name == "z"
    assert as_complex_array("f", "z", [1, 2.5, 1j]).tolist() == [1, 2.5, 1j]


# --------------------------------------------------------------------------------------
# every parameter of a public call, given a wrong type or value: a library error or a result,
# never a raw TypeError, KeyError, AttributeError or numpy's "truth value is ambiguous"

WRONG = ("x", None, [1.0], True, {"a": 1}, math.nan, -1, math.inf, np.array([1.0, 2.0]), object())


def _public_calls() -> dict[str, tuple[Callable[..., object], dict[str, object]]]:
    x = np.arange(1.0, 101.0)
    annual = np.column_stack([x, x**2])
    model = LossModel("cyber", Poisson(1.0), Lognormal(0.0, 1.0))
    result = simulate([model], 200, seed=1)
    occurrences = occurrences_from_models(model, 100, seed=1)
    treaty_result = QuotaShare(0.5).apply(x)
    valuation = reserves.Valuation(INCEPTION, VALUED)
    return {
        "value_at_risk": (measures.value_at_risk, {"x": x, "level": 0.9}),
        "ep_curve": (measures.ep_curve, {"x": x, "return_periods": [2, 5]}),
        "level_label": (measures.level_label, {"level": 0.9}),
        "SimulationResult.value_at_risk": (result.value_at_risk, {"level": 0.9, "line": "cyber"}),
        "SimulationResult.summary": (result.summary, {"levels": (0.9,)}),
        "SimulationResult.ep_curve": (
            result.ep_curve,
            {"kind": "aep", "line": "cyber", "return_periods": [2]},
        ),
        "simulate": (
            simulate,
            {"models": [model], "n_years": 10, "seed": 1, "chunk_years": None, "progress": None},
        ),
        "Layer": (
            Layer,
            {"deductible": 0.0, "limit": 5.0, "aggregate_deductible": 0.0, "share": 1.0},
        ),
        "LossModel": (
            LossModel,
            {"name": "a", "frequency": Poisson(1.0), "severity": Lognormal(0.0, 1.0)},
        ),
        "QuotaShare": (QuotaShare, {"cession": 0.5}),
        "StopLoss": (StopLoss, {"attachment": 1.0, "limit": 2.0}),
        "ExcessOfLoss": (
            ExcessOfLoss,
            {
                "retention": 1.0,
                "limit": 2.0,
                "reinstatements": 1,
                "reinstatement_premium_rates": (1.0,),
            },
        ),
        "ExcessOfLoss.apply": (
            ExcessOfLoss(1.0, 2.0).apply,
            {"occurrences": occurrences, "premium": 1.0},
        ),
        "TreatyResult.summary": (treaty_result.summary, {"levels": (0.9,)}),
        "TreatyResult.value_at_risk": (
            treaty_result.value_at_risk,
            {"level": 0.9, "quantity": "net"},
        ),
        "occurrences_from_models": (
            occurrences_from_models,
            {"models": model, "n_years": 10, "seed": 1, "max_memory_bytes": 10**9},
        ),
        "aggregate_distribution": (
            exact.aggregate_distribution,
            {"model": model, "method": "fft", "tail_tolerance": 1e-10},
        ),
        "discretise_layered_severity": (
            exact.discretise_layered_severity,
            {"severity": Lognormal(0.0, 1.0), "layer": Layer(), "step": 0.5, "n_points": 64},
        ),
        "price_lines": (
            pricing.price_lines,
            {
                "annual": annual,
                "lines": ["a", "b"],
                "principle": ExpectedValuePrinciple(0.1),
                "allocation_level": 0.9,
                "allocation": "co_tvar",
            },
        ),
        "CostOfCapital": (
            CostOfCapital,
            {"rate": 0.1, "level": 0.9, "measure": "tvar", "period_years": 1.0},
        ),
        "wang_weights": (pricing.wang_weights, {"n": 10, "lam": 0.5}),
        "scr": (reserves.scr, {"losses": x, "level": 0.9}),
        "unpaid": (
            reserves.unpaid,
            {
                "annual_losses": x,
                "pattern": PATTERN,
                "inception_date": INCEPTION,
                "policy_period_years": 1.0,
                "valuation_date": VALUED,
            },
        ),
        "runoff_profile": (reserves.runoff_profile, {"pattern": PATTERN, "valuation": valuation}),
        "Triangle": (
            reserves.Triangle,
            {"values": [[1.0, 2.0], [1.0, math.nan]], "origin": None, "development": None},
        ),
        "Lognormal.ppf": (Lognormal(0.0, 1.0).ppf, {"q": 0.5}),
        "Lognormal.limited_moment": (Lognormal(0.0, 1.0).limited_moment, {"u": 1.0, "k": 1}),
        "Poisson.sample": (Poisson(1.0).sample, {"rng": np.random.default_rng(1), "size": 3}),
    }


def test_wrong_values_of_any_parameter_never_escape_as_raw_errors() -> None:
    escaped = []
    for label, (call, arguments) in _public_calls().items():
        call(**arguments)  # the control: the valid call works
        for parameter in arguments:
            for wrong in WRONG:
                try:
                    call(**{**arguments, parameter: wrong})
                except XBorderRiskError:
                    pass
                except Exception as error:
                    escaped.append(f"{label}({parameter}={wrong!r}): {type(error).__name__}")
    assert not escaped, escaped


def test_portfolio_arguments_raise_parameter_error() -> None:
    portfolio = Portfolio(synthetic_book(2, seed=1))
    result = portfolio.simulate(50, seed=1)
    calls = {
        "progress": lambda: portfolio.simulate(50, seed=1, progress="bar"),
        "backend": lambda: portfolio.simulate(50, seed=1, backend=np.array(["local", "dask"])),
        "levels": lambda: result.accumulation(levels=None),
        "kind": lambda: result.ep_curve(kind=["aep"]),
        "line": lambda: result.ep_curve(line=np.array(["cyber", "total"])),
    }
    for parameter, call in calls.items():
        with pytest.raises(ParameterError) as info:
            call()
        assert info.value.name == parameter
    assert result.accumulation(levels=0.99).shape[0] > 0  # one level needs no list


def test_strategies_and_report_tables_raise_parameter_error() -> None:
    from xborder_risk.report.sections import Table
    from xborder_risk.testing.strategies import amounts, country_codes

    for call, parameter in (
        (lambda: amounts(5.0, 1.0), "max_value"),
        (lambda: amounts("1", 2.0), "min_value"),
        (lambda: country_codes(["XX"]), "countries"),
        (lambda: Table(columns=("a", "b"), rows=(("1",),), numeric=(True, True)), "rows"),
    ):
        with pytest.raises(ParameterError) as info:
            call()
        assert info.value.name == parameter
