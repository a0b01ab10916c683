"""The lines as units: the registry, each line module's rate() and shock exposure."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from xborder_risk.errors import ParameterError, SubmissionError
from xborder_risk.exposure import (
    EXPOSURE_MODELS,
    LINES,
    PERILS,
    CyberExposure,
    Submission,
    TechFailureExposure,
)
from xborder_risk.portfolio import ATTRIBUTED_LINES, synthetic_book
from xborder_risk.rating import LINE_RATERS, RatingTables, rate, rater_for
from xborder_risk.rating import lines as lines_package
from xborder_risk.rating import tables as tables_module
from xborder_risk.rating.lines import (
    LineRater,
    RatingContext,
    ShockExposure,
    cyber,
    operational_liability,
    political_risk,
    tech_failure,
)
from xborder_risk.rating.lines._base import worksheet_frame
from xborder_risk.report import line_label

from .make_line_golden import (
    GOLDEN,
    SUBMISSIONS,
    SYNTHETIC_POLICIES,
    SYNTHETIC_SEED,
    golden_record,
    model_figures,
)

EXAMPLES = sorted(SUBMISSIONS.glob("*.yaml"))
MODULES = {
    "tech_failure": tech_failure,
    "cyber": cyber,
    "operational_liability": operational_liability,
    "political_risk": political_risk,
}


@pytest.fixture(scope="module")
def tables() -> RatingTables:
    return RatingTables.load()


@pytest.fixture(scope="module")
def golden() -> dict[str, Any]:
    record: dict[str, Any] = json.loads(GOLDEN.read_text())
    return record


# -- the registry ------------------------------------------------------------------------------


def test_registry_holds_every_line_of_the_vocabulary_in_canonical_order() -> None:
    assert tuple(LINE_RATERS) == LINES
    for line, rater in LINE_RATERS.items():
        assert rater.name == line
        assert rater is rater_for(line)
        assert rater is MODULES[line].RATER
        assert rater.exposure_model is EXPOSURE_MODELS[line]
        assert line_label(line) == rater.label
    labels = [rater.label for rater in LINE_RATERS.values()]
    assert len(set(labels)) == len(labels)


def test_rating_uses_the_exposure_vocabulary_itself() -> None:
    # One definition: rating's names are the very objects of exposure, not copies.
    assert tables_module.LINES is LINES
    assert tables_module.PERILS is PERILS


@pytest.mark.parametrize("line", ["marine", "Cyber", "", "total"])
def test_unknown_line_is_a_parameter_error_naming_the_lines(line: str) -> None:
    with pytest.raises(ParameterError, match="must be one of the lines") as caught:
        rater_for(line)
    for known in LINES:
        assert known in str(caught.value)
    assert not isinstance(caught.value, KeyError)


@pytest.mark.parametrize("line", [None, 3, ["cyber"], {"cyber": 1}, b"cyber"])
def test_a_line_that_is_not_a_string_is_a_parameter_error(line: object) -> None:
    with pytest.raises(ParameterError, match="'line'"):
        rater_for(line)


def test_registration_must_hold_exactly_one_module_per_line() -> None:
    raters = tuple(LINE_RATERS.values())
    with pytest.raises(ImportError, match="one module per line"):
        lines_package._registry(raters[:-1])
    with pytest.raises(ImportError, match="one module per line"):
        lines_package._registry((*raters, raters[0]))
    assert dict(lines_package._registry(raters[::-1])) == dict(LINE_RATERS)


def test_line_rater_refuses_a_name_or_model_outside_the_vocabulary() -> None:
    fields: dict[str, Any] = {
        "label": "Cyber",
        "rate_exposure": cyber.rate,
        "shock_exposure_of": cyber.shock_exposure,
        "accumulates_to_countries": False,
    }
    with pytest.raises(ValueError, match="not a line"):
        LineRater(name="marine", exposure_model=CyberExposure, **fields)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"is not exposure\.EXPOSURE_MODELS"):
        LineRater(name="cyber", exposure_model=TechFailureExposure, **fields)


def test_an_unvalidated_exposure_of_the_wrong_model_is_a_submission_error(
    tables: RatingTables,
) -> None:
    good = Submission.from_file(EXAMPLES[0])
    assert good.tech_failure is not None
    # model_construct skips validation: the cyber slot holds a technology-failure exposure.
    bad = Submission.model_construct(**{**dict(good), "cyber": good.tech_failure})
    with pytest.raises(SubmissionError, match="'cyber': must be a CyberExposure"):
        rater_for("cyber").rate(RatingContext(bad, tables))


# -- each line's rate() ------------------------------------------------------------------------


def test_every_line_rates_as_before_figure_for_figure(golden: dict[str, Any]) -> None:
    # The record was written by the rater before the lines became modules.
    assert golden_record() == golden
    assert set(golden["examples"]) == {path.stem for path in EXAMPLES}
    assert len(golden["synthetic"]) == SYNTHETIC_POLICIES
    covered = {line for record in golden["examples"].values() for line in record}
    assert covered == set(LINES)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_each_module_rate_gives_its_lines_model_and_rows(
    path: Path, tables: RatingTables, golden: dict[str, Any]
) -> None:
    submission = Submission.from_file(path)
    expected = golden["examples"][path.stem]
    assert set(expected) == set(submission.lines)
    for line in submission.lines:
        context = RatingContext(submission, tables)
        rating = MODULES[line].rate(context, submission.exposure(line))  # the typed entry point
        assert rating.model.name == line
        assert json.loads(json.dumps(model_figures(rating.model))) == expected[line]["model"]
        rows = json.loads(json.dumps([list(row) for row in rating.worksheet.itertuples(False)]))
        assert rows == expected[line]["rows"]


def test_worksheet_of_a_submission_is_its_lines_rows_in_order(tables: RatingTables) -> None:
    submission = Submission.from_file(EXAMPLES[0])
    context = RatingContext(submission, tables)
    ratings = [rater_for(line).rate(context) for line in submission.lines]
    joined = worksheet_frame([dict(row) for r in ratings for row in r.rows])
    assert joined.equals(rate(submission, tables).worksheet)


# -- each line's common-shock exposure ------------------------------------------------------


def _exposures(submission: Submission, tables: RatingTables) -> dict[str, ShockExposure]:
    rated = rate(submission, tables)
    return {
        model.name: rater_for(model.name).shock_exposure(submission, model.layer)
        for model in rated.models
    }


@pytest.mark.filterwarnings("ignore")
def test_shock_exposure_attribution_follows_the_line_metadata(tables: RatingTables) -> None:
    assert ATTRIBUTED_LINES == tuple(
        line for line in LINES if LINE_RATERS[line].accumulates_to_countries
    )
    assert ATTRIBUTED_LINES == ("operational_liability", "political_risk")
    book = [Submission.from_file(p) for p in EXAMPLES] + synthetic_book(12, seed=SYNTHETIC_SEED)
    for submission in book:
        for line, exposure in _exposures(submission, tables).items():
            if line in ATTRIBUTED_LINES:
                weights = [weight for _, weight in exposure.attribution]
                assert math.fsum(weights) == pytest.approx(1.0, rel=1e-12)
                assert all(weight >= 0 for weight in weights)
                countries = [code for code, _ in exposure.country_events]
                assert countries == sorted(countries)
                assert {code for code, _ in exposure.attribution} == set(countries)
            else:
                assert exposure.attribution == ()
                assert exposure.country_events == ()


def test_political_risk_exposure_is_the_value_in_each_host_country(tables: RatingTables) -> None:
    submission = Submission.from_file(SUBMISSIONS / "high_risk_infrastructure.yaml")
    exposure = submission.political_risk
    assert exposure is not None
    values: dict[str, float] = {}
    for contract in exposure.contracts:
        value = contract.assets_in_country + contract.contract_value
        values[contract.host_country] = values.get(contract.host_country, 0.0) + value
    shock = _exposures(submission, tables)["political_risk"]
    assert dict(shock.country_events) == values
    total = sum(values.values())
    assert dict(shock.attribution) == pytest.approx({c: v / total for c, v in values.items()})
    assert shock.systemic_cyber is None


def test_operational_liability_shares_the_layer_over_the_countries(tables: RatingTables) -> None:
    submission = Submission.from_file(SUBMISSIONS / "high_risk_infrastructure.yaml")
    exposure = submission.operational_liability
    assert exposure is not None
    layer = rate(submission, tables).model("operational_liability").layer
    shock = _exposures(submission, tables)["operational_liability"]
    k = len(exposure.countries)
    assert shock.country_events == tuple(
        (code, (layer.deductible + layer.limit) / k) for code in sorted(exposure.countries)
    )
    assert shock.attribution == tuple((code, 1.0 / k) for code in sorted(exposure.countries))


def _cyber_variant(submission: Submission, *, partners: int, platform: bool) -> Submission:
    data: dict[str, Any] = submission.model_dump(mode="json")
    data["cyber"]["partner_connections"] = partners
    for system in data["tech_failure"]["systems"]:
        if system["system_type"] == "traveller_data_platform" and not platform:
            system["system_type"] = "e_gate"
    if platform:
        data["tech_failure"]["systems"][0]["system_type"] = "traveller_data_platform"
    return Submission.from_data(data)


@pytest.mark.parametrize(
    ("partners", "platform", "exposed"),
    [(0, False, False), (3, False, True), (0, True, True), (2, True, True)],
)
def test_cyber_is_exposed_to_the_systemic_event_when_connected(
    tables: RatingTables, partners: int, platform: bool, exposed: bool
) -> None:
    base = Submission.from_file(SUBMISSIONS / "eu_egates_contractor.yaml")
    submission = _cyber_variant(base, partners=partners, platform=platform)
    shock = _exposures(submission, tables)["cyber"]
    layer = rate(submission, tables).model("cyber").layer
    assert shock.systemic_cyber == ((layer.deductible + layer.limit) if exposed else None)
    assert shock.country_events == shock.attribution == ()


# -- what else knows a line by its exposure model --------------------------------------------


def test_every_line_has_an_exposure_strategy_and_a_synthetic_generator() -> None:
    from datetime import date

    from xborder_risk.exposure import Insured
    from xborder_risk.portfolio import synthetic
    from xborder_risk.testing import strategies

    models = set(EXPOSURE_MODELS.values())
    assert set(strategies._EXPOSURE_STRATEGIES) == models
    assert set(synthetic._SYNTHETIC_EXPOSURES) == models
    bounds = strategies._ExposureBounds(
        countries=None,
        max_amount=1e6,
        max_systems=2,
        max_contracts=2,
        max_countries=2,
        latest_test=date(2027, 1, 1),
    )
    with pytest.raises(ValueError, match="no exposure strategy for Insured"):
        strategies._exposures_of(Insured, bounds)


def test_a_line_without_a_synthetic_generator_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    from xborder_risk.portfolio import synthetic

    partial = dict(synthetic._SYNTHETIC_EXPOSURES)
    del partial[EXPOSURE_MODELS["political_risk"]]
    monkeypatch.setattr(synthetic, "_SYNTHETIC_EXPOSURES", partial)
    with pytest.raises(NotImplementedError, match="'political_risk'"):
        synthetic_book(5, seed=0)
