"""Policy terms beyond the layer reach the loss model, by the right amount (issue 11)."""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from xborder_risk.distributions import Lognormal
from xborder_risk.engine import Layer, LossModel, simulate
from xborder_risk.exposure import Submission
from xborder_risk.rating import Mixture, RatedSubmission, Scaled, rate
from xborder_risk.rating.lines._terms import claims_made_factor, reported_integral
from xborder_risk.rating.rater import expected_layer_loss

EXAMPLE = Path(__file__).parents[2] / "examples" / "submissions" / "eu_egates_contractor.yaml"
BASE: dict[str, Any] = Submission.from_file(EXAMPLE).model_dump(mode="json")
CYBER_PATTERN = ([0.25, 0.5, 1.0, 2.0, 3.0, 4.0], [0.55, 0.75, 0.90, 0.97, 1.0, 1.0])


def _rated(**terms: dict[str, Any]) -> RatedSubmission:
    data = {**BASE, "terms": {k: dict(v) for k, v in BASE["terms"].items()}}
    for line, changes in terms.items():
        data["terms"][line].update(changes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return rate(Submission.from_data(data))


def _el(rated: RatedSubmission, line: str) -> float:
    return expected_layer_loss(rated.model(line))


@pytest.fixture(scope="module")
def base() -> RatedSubmission:
    return _rated()


# -- layers -------------------------------------------------------------------------------------


def test_excess_layer_is_limited_expected_value_difference(base):
    # 25M xs 25.5M: E[N] (E[X ^ 50.5M] - E[X ^ 25.5M]).
    model = base.model("cyber")
    expected = model.frequency.mean() * (
        model.severity.limited_expected_value(50.5e6)
        - model.severity.limited_expected_value(25.5e6)
    )
    excess = _rated(cyber={"attachment": 25.5e6})
    assert excess.model("cyber").layer.deductible == 25.5e6
    assert _el(excess, "cyber") == pytest.approx(expected, rel=1e-12)
    assert 0 < _el(excess, "cyber") < _el(base, "cyber")


def test_coinsurance_and_share_multiply(base):
    both = _rated(cyber={"coinsurance": 0.2, "share": 0.5})
    assert both.model("cyber").layer.share == pytest.approx(0.4)
    assert _el(both, "cyber") == pytest.approx(0.4 * _el(base, "cyber"), rel=1e-12)


def test_contiguous_tower_layers_add_up_on_the_same_random_numbers(base):
    model = base.model("cyber")
    d = model.layer.deductible

    def annual(lower: float, width: float) -> np.ndarray:
        layered = LossModel(model.name, model.frequency, model.severity, Layer(lower, width))
        return simulate([layered], 4_000, seed=11).annual[:, 0]

    whole = annual(d, 60e6)
    parts = annual(d, 10e6) + annual(d + 10e6, 20e6) + annual(d + 30e6, 30e6)
    assert whole.sum() > 0 and annual(d + 10e6, 50e6).sum() > 0
    np.testing.assert_allclose(parts, whole, rtol=1e-12, atol=1e-6)


# -- claims-made -------------------------------------------------------------------------------


def test_reported_integral_is_the_area_under_the_pattern():
    # Trapezoids: 0.25 x 0.55 / 2 + 0.25 x 1.30 / 2 + 0.5 x 1.65 / 2 = 0.64375.
    assert reported_integral(*CYBER_PATTERN, 1.0) == pytest.approx(0.64375, rel=1e-15)
    assert reported_integral(*CYBER_PATTERN, 10.0) == pytest.approx(
        reported_integral(*CYBER_PATTERN, 4.0) + 6.0, rel=1e-15
    )


def test_claims_made_factor_closed_form():
    # Retroactive date at inception, no ERP: G(T) / T.
    assert claims_made_factor(*CYBER_PATTERN, 1.0, 0.0, 0.0) == pytest.approx(0.64375)
    # Mature (retro beyond the pattern's last lag): exactly the occurrence count.
    assert claims_made_factor(*CYBER_PATTERN, 1.0, 5.0, 0.0) == pytest.approx(1.0, abs=1e-15)
    # Earlier retro and a longer ERP raise it.
    by_retro = [claims_made_factor(*CYBER_PATTERN, 1.0, r, 0.0) for r in (0.0, 0.5, 1, 2)]
    assert by_retro == sorted(by_retro) and by_retro[0] < by_retro[-1] < 1.0
    # Fully reported at 36 months: a retro date three years back is already mature.
    assert claims_made_factor(*CYBER_PATTERN, 1.0, 3.0, 0.0) == pytest.approx(1.0, abs=1e-15)
    assert claims_made_factor(*CYBER_PATTERN, 1.0, 0.0, 1.0) > by_retro[0]


def test_claims_made_cyber_moves_expected_loss_by_the_pattern_factor(base):
    period = _rated().model("cyber").frequency.mean()
    assert period > 0
    new = _rated(cyber={"basis": "claims_made"})
    assert _el(new, "cyber") / _el(base, "cyber") == pytest.approx(0.64375, rel=1e-12)
    earlier = _rated(cyber={"basis": "claims_made", "retroactive_date": "2024-04-01"})
    mature = _rated(cyber={"basis": "claims_made", "retroactive_date": "2020-04-01"})
    assert _el(new, "cyber") < _el(earlier, "cyber") < _el(mature, "cyber")
    assert _el(mature, "cyber") == pytest.approx(_el(base, "cyber"), rel=1e-12)
    with_erp = _rated(cyber={"basis": "claims_made", "extended_reporting_years": 1.0})
    assert _el(with_erp, "cyber") > _el(new, "cyber")
    sheet = new.worksheet
    assert "claims-made basis" in set(sheet[sheet.line == "cyber"].factor)


# -- exclusions --------------------------------------------------------------------------------


def test_cyber_war_exclusion_removes_its_tabulated_share(base):
    excluded = _rated(cyber={"exclusions": ["cyber_war", "infrastructure_outage"]})
    assert _el(excluded, "cyber") == pytest.approx(0.93 * 0.96 * _el(base, "cyber"), rel=1e-12)


def test_motor_and_aviation_carve_out_the_fleet_components(base):
    data = {**BASE, "operational_liability": {**BASE["operational_liability"]}}
    data["operational_liability"].update(vehicles=0, aircraft=0, drones=[])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        without_fleet = rate(Submission.from_data(data))
    excluded = _rated(operational_liability={"exclusions": ["motor", "aviation"]})
    assert _el(excluded, "operational_liability") == pytest.approx(
        _el(without_fleet, "operational_liability"), rel=1e-12
    )
    assert _el(excluded, "operational_liability") < _el(base, "operational_liability")


def test_terrorism_lowers_political_risk(base):
    if "political_violence" not in {
        p for c in BASE["political_risk"]["contracts"] for p in c["perils"]
    }:
        pytest.skip("example has no political-violence cover")
    excluded = _rated(political_risk={"exclusions": ["terrorism"]})
    assert _el(excluded, "political_risk") < _el(base, "political_risk")


# -- sub-limits --------------------------------------------------------------------------------


def test_ransomware_sublimit_caps_its_share_of_occurrences(base):
    model = base.model("cyber")
    d, u = model.layer.deductible, model.layer.deductible + model.layer.limit
    sub = 2e6
    lev = model.severity.limited_expected_value
    layer_mean = lev(u) - lev(d)
    capped_mean = lev(min(u, d + sub)) - lev(d)
    weight = 0.20  # sublimit_components.csv: cyber/ransomware_extortion, multiplier 1
    expected = model.frequency.mean() * ((1 - weight) * layer_mean + weight * capped_mean)
    limited = _rated(cyber={"sublimits": {"ransomware_extortion": sub}})
    assert _el(limited, "cyber") == pytest.approx(expected, rel=1e-10)
    assert _el(limited, "cyber") < _el(base, "cyber")
    # A sub-limit equal to the limit does not bind.
    full = _rated(cyber={"sublimits": {"ransomware_extortion": 25e6}})
    assert _el(full, "cyber") == pytest.approx(_el(base, "cyber"), rel=1e-12)


def test_currency_inconvertibility_sublimit_caps_its_peril():
    data = {**BASE, "political_risk": {**BASE["political_risk"]}}
    contracts = [dict(c) for c in BASE["political_risk"]["contracts"]]
    contracts[0]["perils"] = sorted({*contracts[0]["perils"], "currency_inconvertibility"})
    data["political_risk"]["contracts"] = contracts
    data["terms"] = {k: dict(v) for k, v in BASE["terms"].items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        open_ = rate(Submission.from_data(data))
        data["terms"]["political_risk"]["sublimits"] = {"currency_inconvertibility": 1e5}
        capped = rate(Submission.from_data(data))
    assert 0 < _el(capped, "political_risk") < _el(open_, "political_risk")
    sheet = capped.worksheet
    assert sheet.factor.str.startswith("sub-limit currency_inconvertibility").any()


def test_scaled_severity_keeps_limited_moments_exact():
    base = Lognormal(mu=1.0, sigma=0.8)
    scaled = Scaled(base, 2.5)
    assert scaled.mean() == pytest.approx(2.5 * base.mean(), rel=1e-14)
    assert scaled.limited_expected_value(3.0) == pytest.approx(
        2.5 * base.limited_expected_value(1.2), rel=1e-14
    )
    assert scaled.cdf(5.0) == pytest.approx(base.cdf(2.0), rel=1e-14)
    mixture = Mixture(components=(Scaled(base, 1.5), Scaled(base, 0.5)), weights=(0.5, 0.5))
    assert mixture.mean() == pytest.approx(base.mean(), rel=1e-14)
    draws = scaled.sample(np.random.default_rng(3), 200_000)
    assert draws.mean() == pytest.approx(scaled.mean(), rel=0.02)
    assert math.isfinite(scaled.var())


def test_every_term_is_on_the_worksheet():
    rated = _rated(
        cyber={
            "attachment": 1e6,
            "coinsurance": 0.1,
            "tower": [{"attachment": 26e6, "limit": 10e6}],
            "sublimits": {"regulatory_fines": 1e6},
            "exclusions": ["cyber_war"],
            "basis": "claims_made",
            "retroactive_date": "2025-01-01",
        }
    )
    factors = " | ".join(rated.worksheet[rated.worksheet.line == "cyber"].factor)
    for text in (
        "attachment",
        "coinsurance",
        "tower layer 1",
        "split regulatory_fines",
        "exclusion cyber_war",
        "claims-made basis",
    ):
        assert text in factors
