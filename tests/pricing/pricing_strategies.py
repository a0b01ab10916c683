"""Hypothesis strategies for the pricing tests: loss samples, loss matrices, principles, loadings.

Not a test module (no ``test_`` prefix); imported by the tests in this folder.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from xborder_risk.pricing import (
    CostOfCapital,
    ExpectedValuePrinciple,
    Loadings,
    PremiumPrinciple,
    StandardDeviationPrinciple,
    VariancePrinciple,
    WangTransform,
)

# Non-negative losses mixing small integers (many ties, atoms at VaR) with continuous values.
loss_values = st.one_of(
    st.integers(min_value=0, max_value=20).map(float),
    st.floats(min_value=0.0, max_value=1e6, allow_nan=False, allow_subnormal=False),
)


def loss_vectors(min_size: int = 1, max_size: int = 120) -> st.SearchStrategy[np.ndarray]:
    """One-dimensional float64 samples of non-negative losses."""
    return hnp.arrays(
        np.float64, st.integers(min_value=min_size, max_value=max_size), elements=loss_values
    )


def annual_matrices(max_years: int = 80, max_lines: int = 4) -> st.SearchStrategy[np.ndarray]:
    """Loss matrices of shape (n_years, n_lines)."""
    shapes = st.tuples(
        st.integers(min_value=1, max_value=max_years), st.integers(min_value=1, max_value=max_lines)
    )
    return hnp.arrays(np.float64, shapes, elements=loss_values)


levels = st.floats(min_value=0.5, max_value=0.999)

expected_value = st.builds(ExpectedValuePrinciple, loading=st.floats(0.0, 2.0))
standard_deviation = st.builds(StandardDeviationPrinciple, k=st.floats(0.0, 3.0))
variance = st.builds(VariancePrinciple, k=st.floats(0.0, 1e-5))
wang = st.builds(WangTransform, lam=st.floats(0.0, 2.0))
cost_of_capital_tvar = st.builds(
    CostOfCapital,
    rate=st.floats(0.0, 1.0),
    level=levels,
    measure=st.just("tvar"),
    period_years=st.floats(0.25, 3.0),
)
cost_of_capital_any = st.builds(
    CostOfCapital,
    rate=st.floats(0.0, 1.0),
    level=levels,
    measure=st.sampled_from(["tvar", "value_at_risk"]),
    period_years=st.floats(0.25, 3.0),
)

#: Principles whose risk load is never negative on any sample.
non_negative_principles: st.SearchStrategy[PremiumPrinciple] = st.one_of(
    expected_value, standard_deviation, variance, wang, cost_of_capital_tvar
)
all_principles: st.SearchStrategy[PremiumPrinciple] = st.one_of(
    expected_value, standard_deviation, variance, wang, cost_of_capital_any
)


@st.composite
def loadings(draw: st.DrawFn) -> Loadings:
    """Valid loadings: each proportional loading below 1/3 so their sum stays below 1."""
    ratio = st.floats(min_value=0.0, max_value=0.33)
    return Loadings(
        fixed_expense=draw(st.floats(0.0, 1e4)),
        expense_ratio=draw(ratio),
        commission=draw(ratio),
        profit_margin=draw(ratio),
        tax_rate=draw(st.floats(0.0, 0.3)),
        minimum_premium=draw(st.floats(0.0, 1e5)),
    )
