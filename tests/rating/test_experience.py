"""Experience rating: Bühlmann–Straub estimator, development, credibility, cap, worksheet."""

from __future__ import annotations

import copy
import itertools
import math
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from xborder_risk.distributions import Lognormal
from xborder_risk.errors import ParameterError, SubmissionError
from xborder_risk.exposure import LossHistory, Submission
from xborder_risk.rating.experience import (
    buhlmann_straub,
    experience_modification,
    policy_year_reported,
)
from xborder_risk.rating.rater import rate
from xborder_risk.rating.tables import RatingTables

EXAMPLES = Path(__file__).parents[2] / "examples" / "submissions"
IRAQ: dict[str, Any] = yaml.safe_load((EXAMPLES / "high_risk_infrastructure.yaml").read_text())
LINE = "operational_liability"
TABLES = RatingTables.load()
PARAMETERS = TABLES.experience_for(LINE)
PATTERN = TABLES.patterns[TABLES.patterns["line"] == LINE]
MONTHS = PATTERN["development_months"].to_numpy(dtype=float)
REPORTED = PATTERN["cumulative_reported"].to_numpy(dtype=float)


# --------------------------------------------------------------------------------------------
# Bühlmann–Straub structural parameters


def test_buhlmann_straub_reproduces_the_loss_models_group_example() -> None:
    # Klugman, Panjer & Willmot, Loss Models, nonparametric Bühlmann-Straub example: two group
    # policyholders; policyholder 1 has total claims 10,000 and 13,000 on 50 and 60 members
    # (75 members next year), policyholder 2 has 18,000, 21,000 and 17,000 on 100, 110 and 105
    # members (90 next year).  The expected figures are worked by hand below from the data
    # (the text rounds its intermediate values; its premiums are 15,162 and 16,094).
    ratios = [[10_000 / 50, 13_000 / 60, 0.0], [18_000 / 100, 21_000 / 110, 17_000 / 105]]
    weights = [[50, 60, 0], [100, 110, 105]]
    fit = buhlmann_straub(ratios, weights)
    x1, x2 = 23_000 / 110, 56_000 / 315
    mean = 79_000 / 425
    v = (
        50 * (200 - x1) ** 2
        + 60 * (13_000 / 60 - x1) ** 2
        + 100 * (180 - x2) ** 2
        + 110 * (21_000 / 110 - x2) ** 2
        + 105 * (17_000 / 105 - x2) ** 2
    ) / 3
    a = (110 * (x1 - mean) ** 2 + 315 * (x2 - mean) ** 2 - v) / (425 - (110**2 + 315**2) / 425)
    assert fit.risk_means == pytest.approx([x1, x2], rel=1e-12)
    assert fit.collective_mean == pytest.approx(mean, rel=1e-12)
    assert fit.epv == pytest.approx(v, rel=1e-12)
    assert fit.vhm == pytest.approx(a, rel=1e-12)
    assert (fit.epv, fit.vhm, fit.k) == pytest.approx((17_830.69, 380.905, 46.8114), rel=1e-5)
    assert fit.credibility == pytest.approx([0.70148, 0.87062], abs=1e-5)
    premiums = fit.premiums * np.array([75, 90])
    assert premiums == pytest.approx([15_162.2, 16_094.4], abs=0.1)
    assert premiums == pytest.approx([15_162, 16_094], rel=1e-4)  # the text's figures


def test_buhlmann_straub_without_heterogeneity_gives_no_credibility() -> None:
    # Identical risk means: the estimate of a is <= 0, set to 0, so Z = 0 (the collective).
    fit = buhlmann_straub([[1.0, 3.0], [3.0, 1.0]], [[1.0, 1.0], [1.0, 1.0]])
    assert fit.vhm == 0.0 and math.isinf(fit.k)
    assert fit.credibility == pytest.approx([0.0, 0.0])
    assert fit.premiums == pytest.approx([2.0, 2.0])


@pytest.mark.parametrize(
    ("ratios", "weights", "name"),
    [
        ([[1.0, 2.0]], [[1.0, 1.0]], "ratios"),  # one risk
        ([[1.0], [2.0]], [[1.0], [1.0]], "ratios"),  # no risk with two periods
        ([[1.0, 2.0], [1.0, 2.0]], [[1.0, -1.0], [1.0, 1.0]], "weights"),
        ([[1.0, 2.0], [1.0, 2.0]], [[0.0, 0.0], [1.0, 1.0]], "weights"),
        ([[1.0, 2.0], [1.0, 2.0]], [[1.0, 1.0]], "weights"),
        ([[1.0, np.nan], [1.0, 2.0]], [[1.0, 1.0], [1.0, 1.0]], "ratios"),
    ],
)
def test_buhlmann_straub_refuses_bad_input_naming_it(ratios, weights, name) -> None:
    with pytest.raises(ParameterError, match=name):
        buhlmann_straub(ratios, weights)


# --------------------------------------------------------------------------------------------
# development


def test_policy_year_reported_averages_the_pattern_over_the_year() -> None:
    # F(t) = t / 120 up to 120 months: a full year at age a >= 12 averages (a - 6) / 120.
    months, cumulative = [120.0], [1.0]
    ages = np.array([12.0, 30.0, 126.0, 200.0])
    expected = np.minimum((ages - 6.0) / 120.0, 1.0)
    expected[2] = 1.0 - 0.5 * (6.0 / 12.0) * (6.0 / 120.0)  # partly past the last point
    assert policy_year_reported(ages, months, cumulative) == pytest.approx(expected, abs=1e-4)
    # A part year (age 6 months): occurrences spread over the 6 months earned, mean age 3.
    assert policy_year_reported([6.0], months, cumulative) == pytest.approx([3.0 / 120.0])
    shipped = policy_year_reported([6.0, 18.0, 60.0, 400.0], MONTHS, REPORTED)
    assert np.all(np.diff(shipped) > 0) and shipped[-1] == 1.0


# --------------------------------------------------------------------------------------------
# the modification


def _history(scale: float = 1.0, incurred: float = 0.0, counts: int = 0, years: int = 5) -> Any:
    return LossHistory.model_validate(
        {
            "deductible": 50_000.0,
            "large_loss_threshold": 250_000.0,
            "years": [
                {
                    "year": 2025 - years + 1 + i,
                    "exposure": 1_000_000.0 * scale,
                    "claim_count": counts if incurred > 0 else 0,
                    "incurred": incurred,
                    "paid": 0.0,
                    "age_months": 12.0 * (years - i) - 2.0,
                }
                for i in range(years)
            ],
        }
    )


def _modify(history: Any, frequency: float = 5.0) -> Any:
    return experience_modification(
        line=LINE,
        annual_frequency=frequency,
        severity=Lognormal(mu=math.log(20_000.0), sigma=1.8),
        current_limit=5_000_000.0,
        current_measure=1_000_000.0,
        history=history,
        parameters=PARAMETERS,
        pattern=(MONTHS, REPORTED),
        inception=date(2026, 1, 1),
        period_years=1.0,
    )


def test_credibility_grows_with_exposure() -> None:
    weights = [_modify(_history(scale)).credibility for scale in (0.1, 1.0, 10.0, 100.0)]
    assert all(b > a for a, b in itertools.pairwise(weights))
    assert 0.0 < weights[0] < 0.05 and weights[-1] > 0.8


def test_the_credibility_constant_is_process_variance_over_vhm() -> None:
    result = _modify(_history())
    assert result.k == pytest.approx(result.steps[-6].value / PARAMETERS["vhm"], rel=1e-12)
    assert result.credibility == pytest.approx(
        result.expected_claims / (result.expected_claims + result.k), rel=1e-12
    )


def test_clean_history_is_capped_and_bad_history_is_a_debit() -> None:
    clean = _modify(_history(scale=1000.0, years=30))
    assert clean.experience_ratio == 0.0
    assert clean.uncapped < 1.0 - PARAMETERS["max_credit"]
    assert clean.modification == pytest.approx(1.0 - PARAMETERS["max_credit"])
    bad = _modify(_history(incurred=2_000_000.0, counts=4))
    assert bad.experience_ratio > 1.0 and bad.modification > 1.0
    worst = _modify(_history(scale=1000.0, incurred=4e9, counts=5000, years=30))
    assert worst.modification == pytest.approx(1.0 + PARAMETERS["max_debit"])


amounts = st.floats(min_value=0.0, max_value=5e6, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(
    incurred=st.lists(amounts, min_size=1, max_size=8),
    scale=st.floats(min_value=1e-3, max_value=1e3),
    frequency=st.floats(min_value=1e-3, max_value=1e3),
    extra=st.floats(min_value=1.0, max_value=1e6),
)
def test_modification_stays_in_the_cap_and_rises_with_losses(
    incurred: list[float], scale: float, frequency: float, extra: float
) -> None:
    n = len(incurred)
    data = {
        "deductible": 50_000.0,
        "large_loss_threshold": 1e7,
        "years": [
            {
                "year": 2025 - n + 1 + i,
                "exposure": 1e6 * scale,
                "claim_count": 1 if amount > 0 else 0,
                "incurred": amount,
                "paid": 0.0,
                "age_months": 12.0 * (n - i) - 1.0,
            }
            for i, amount in enumerate(incurred)
        ],
    }
    result = _modify(LossHistory.model_validate(data), frequency)
    low, high = 1.0 - PARAMETERS["max_credit"], 1.0 + PARAMETERS["max_debit"]
    assert low <= result.modification <= high
    assert 0.0 <= result.credibility < 1.0
    worse = copy.deepcopy(data)
    worse["years"][-1].update(incurred=incurred[-1] + extra, claim_count=1)
    assert _modify(LossHistory.model_validate(worse), frequency).modification >= (
        result.modification
    )


# --------------------------------------------------------------------------------------------
# through the rater


def _rated(record: dict[str, Any]) -> Any:
    return rate(Submission.model_validate(record), TABLES)


def _layer_loss(record: dict[str, Any]) -> float:
    summary = _rated(record).summary().set_index("line")
    return float(summary.loc[LINE, "expected_layer_loss"])


def _without_history() -> dict[str, Any]:
    record = copy.deepcopy(IRAQ)
    del record["loss_history"]
    return record


def _with_years(years: list[dict[str, Any]]) -> dict[str, Any]:
    record = copy.deepcopy(IRAQ)
    record["loss_history"][LINE]["years"] = years
    return record


def test_a_clean_history_cannot_cut_the_line_by_more_than_the_cap() -> None:
    base = _layer_loss(_without_history())
    clean = [
        {"year": y, "exposure": 5e8, "claim_count": 0, "incurred": 0.0, "paid": 0.0,
         "age_months": 12.0 * (2026 - y) - 2.0}
        for y in range(1997, 2026)
    ]  # fmt: skip
    assert _layer_loss(_with_years(clean)) == pytest.approx(
        base * (1.0 - PARAMETERS["max_credit"]), rel=1e-9
    )


def test_a_bad_history_raises_the_line() -> None:
    base = _layer_loss(_without_history())
    bad = copy.deepcopy(IRAQ["loss_history"][LINE]["years"])
    bad[3].update(claim_count=3, incurred=4_000_000.0, paid=1_000_000.0)
    bad[3]["large_losses"] = [{"incurred": 2_500_000.0, "paid": 500_000.0},
                              {"incurred": 1_400_000.0, "paid": 400_000.0}]  # fmt: skip
    raised = _layer_loss(_with_years(bad))
    assert base < raised <= base * (1.0 + PARAMETERS["max_debit"]) * (1 + 1e-12)


def test_the_worksheet_shows_the_experience_and_the_models_include_it() -> None:
    rated = _rated(IRAQ)
    sheet = rated.worksheet
    rows = sheet[(sheet["line"] == LINE) & (sheet["table"] == "experience")]
    modification = rows[rows["component"] != "line"]
    of_line = sheet[(sheet["line"] == LINE) & (sheet["component"] != "line")]
    components = set(of_line["component"])
    # one modification row per rated component, all with the line's one factor
    assert sorted(modification["component"]) == sorted(components)
    assert modification["value"].nunique() == 1
    factor = float(modification["value"].iloc[0])
    assert 1.0 - PARAMETERS["max_credit"] <= factor <= 1.0 + PARAMETERS["max_debit"]
    steps = sheet[(sheet["line"] == LINE) & (sheet["component"] == "line")]
    capped = steps[steps["factor"].str.startswith("capped to")]
    assert float(capped["value"].iloc[0]) == pytest.approx(factor, rel=1e-12)
    before = rate(Submission.model_validate(_without_history()), TABLES).model(LINE)
    after = rated.model(LINE)
    assert after.frequency.mean() == pytest.approx(before.frequency.mean() * factor, rel=1e-12)
    # Other lines are untouched.
    for line in ("tech_failure", "political_risk"):
        other = rate(Submission.model_validate(_without_history()), TABLES).model(line)
        assert rated.model(line).frequency.mean() == other.frequency.mean()


def test_a_history_on_a_line_without_exposure_measure_is_refused() -> None:
    record = copy.deepcopy(IRAQ)
    for group in record[LINE]["personnel"]:
        group["annual_hours_per_person"] = 0.0
    with pytest.raises(SubmissionError, match=r"loss_history\.operational_liability"):
        _rated(record)


def test_the_old_claim_count_still_reads_but_is_not_rated() -> None:
    record = _without_history()
    record[LINE]["claims_last_five_years"] = 40
    with pytest.warns(UserWarning, match="claims_last_five_years is no longer rated"):
        rated = rate(Submission.model_validate(record), TABLES)
    before = rate(Submission.model_validate(_without_history()), TABLES).model(LINE)
    assert rated.model(LINE).frequency.mean() == before.frequency.mean()
