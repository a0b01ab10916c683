"""Property tests of the rater with the shipped hypothesis strategies.

Expected occurrence-layer loss E[N] * (E[X ^ (d + l)] - E[X ^ d]) * share (Loss Models §8.5)
is the measure: more exposure never lowers it, a control or more redundancy never raises it,
a worse OECD class never lowers the political-risk frequency, and a higher deductible never
raises (a higher limit never lowers) it.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from xborder_risk.engine import Layer
from xborder_risk.errors import XBorderRiskWarning
from xborder_risk.exposure import Submission
from xborder_risk.rating import RatingTables, expected_layer_loss, rate
from xborder_risk.testing.strategies import border_systems, layers, submissions

TABLES = RatingTables.load()
CURRENCIES = sorted(TABLES.fx["currency"])
# Derandomised so that CI runs the same examples every time; raise max_examples locally.
PROPERTY_SETTINGS = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
RTOL = 1e-9


@contextmanager
def _quiet() -> Iterator[None]:
    # Zero-exposure lines and default-class countries warn; here only the numbers matter.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XBorderRiskWarning)
        yield


def _loss(submission: Submission, line: str) -> tuple[float, float]:
    """Expected layer loss for share 1 and its rounding scale E[N] * E[min(X, d + l)].

    The share is a positive multiplier that cannot change an ordering; dropping it keeps a
    drawn share of 5e-324 from underflowing every loss to 0 or the smallest subnormal.
    """
    with _quiet():
        model = rate(submission, TABLES).model(line)
    model = dataclasses.replace(model, layer=dataclasses.replace(model.layer, share=1.0))
    layer = model.layer
    exhaustion = float(model.severity.limited_expected_value(layer.deductible + layer.limit))
    return expected_layer_loss(model), model.frequency.mean() * exhaustion


def _changed(submission: Submission, change: Callable[[dict[str, Any]], None]) -> Submission:
    data: dict[str, Any] = submission.model_dump(mode="json")
    change(data)
    return Submission.from_data(data)


def _not_lower(after: tuple[float, float], before: tuple[float, float]) -> bool:
    # The loss is a difference of limited expected values: compare within rounding of those.
    return after[0] >= before[0] - RTOL * max(after[1], before[1])


def _not_higher(after: tuple[float, float], before: tuple[float, float]) -> bool:
    return after[0] <= before[0] + RTOL * max(after[1], before[1])


def _line_submissions(line: str) -> st.SearchStrategy[Submission]:
    return submissions(lines=[line], currencies=CURRENCIES)


# ---------------------------------------------------------------------------------------------
# more exposure never lowers the expected layer loss


@PROPERTY_SETTINGS
@given(_line_submissions("tech_failure"), border_systems(), st.data())
def test_another_system_never_lowers_tech_failure(
    submission: Submission, system: Any, data: st.DataObject
) -> None:
    existing = {s.system_id for s in submission.tech_failure.systems}  # type: ignore[union-attr]
    assume(system.system_id not in existing)
    after = _changed(
        submission,
        lambda d: d["tech_failure"]["systems"].append(system.model_dump(mode="json")),
    )
    assert _not_lower(_loss(after, "tech_failure"), _loss(submission, "tech_failure"))


@PROPERTY_SETTINGS
@given(
    _line_submissions("cyber"),
    st.integers(min_value=1, max_value=10**9),
    st.sampled_from(["pii_records", "biometric_records", "partner_connections"]),
)
def test_more_records_or_connections_never_lower_cyber(
    submission: Submission, extra: int, field: str
) -> None:
    def change(d: dict[str, Any]) -> None:
        d["cyber"][field] += extra if field != "partner_connections" else min(extra, 50)

    after = _changed(submission, change)
    assert _not_lower(_loss(after, "cyber"), _loss(submission, "cyber"))


@PROPERTY_SETTINGS
@given(
    _line_submissions("operational_liability"),
    st.floats(min_value=1.0, max_value=3.0),
    st.sampled_from(["hours", "headcount", "vehicles", "vessels", "aircraft", "detention"]),
)
def test_more_personnel_hours_or_fleet_never_lower_operational_liability(
    submission: Submission, factor: float, what: str
) -> None:
    def change(d: dict[str, Any]) -> None:
        exposure = d["operational_liability"]
        if what == "hours":
            for group in exposure["personnel"]:
                group["annual_hours_per_person"] = min(
                    8784.0, group["annual_hours_per_person"] * factor
                )
        elif what == "headcount":
            for group in exposure["personnel"]:
                group["headcount"] = int(group["headcount"] * factor) + 1
        elif what == "detention":
            exposure["detention_facilities"] += 1
        else:
            exposure[what] += int(factor * 10)

    after = _changed(submission, change)
    line = "operational_liability"
    assert _not_lower(_loss(after, line), _loss(submission, line))


@PROPERTY_SETTINGS
@given(_line_submissions("political_risk"), st.floats(min_value=1.0, max_value=10.0))
def test_higher_contract_value_never_lowers_political_risk(
    submission: Submission, factor: float
) -> None:
    def change(d: dict[str, Any]) -> None:
        for contract in d["political_risk"]["contracts"]:
            contract["contract_value"] = min(1e12, contract["contract_value"] * factor)
            contract["assets_in_country"] = min(1e12, contract["assets_in_country"] * factor)

    after = _changed(submission, change)
    assert _not_lower(_loss(after, "political_risk"), _loss(submission, "political_risk"))


# ---------------------------------------------------------------------------------------------
# protection never raises the expected layer loss


@PROPERTY_SETTINGS
@given(
    _line_submissions("cyber"),
    st.sampled_from(
        [
            "mfa",
            "edr",
            "offline_backups",
            "encryption_at_rest",
            "segmentation",
            "incident_response_plan",
        ]
    ),
)
def test_an_added_security_control_never_raises_cyber(submission: Submission, control: str) -> None:
    assert submission.cyber is not None
    assume(not getattr(submission.cyber.controls, control))
    after = _changed(submission, lambda d: d["cyber"]["controls"].__setitem__(control, True))
    assert _not_higher(_loss(after, "cyber"), _loss(submission, "cyber"))


@PROPERTY_SETTINGS
@given(_line_submissions("cyber"))
def test_a_recent_penetration_test_never_raises_cyber(submission: Submission) -> None:
    tested = submission.inception_date.isoformat()
    after = _changed(
        submission, lambda d: d["cyber"]["controls"].__setitem__("last_penetration_test", tested)
    )
    assert _not_higher(_loss(after, "cyber"), _loss(submission, "cyber"))


@PROPERTY_SETTINGS
@given(_line_submissions("tech_failure"), st.data())
def test_more_redundancy_never_raises_tech_failure(
    submission: Submission, data: st.DataObject
) -> None:
    systems = submission.tech_failure.systems  # type: ignore[union-attr]
    index = data.draw(st.integers(min_value=0, max_value=len(systems) - 1))
    order = ["none", "n_plus_1", "geo_redundant"]
    current = order.index(systems[index].redundancy)
    assume(current < 2)
    better = data.draw(st.sampled_from(order[current + 1 :]))
    after = _changed(
        submission,
        lambda d: d["tech_failure"]["systems"][index].__setitem__("redundancy", better),
    )
    assert _not_higher(_loss(after, "tech_failure"), _loss(submission, "tech_failure"))


# ---------------------------------------------------------------------------------------------
# country class and layer terms


@PROPERTY_SETTINGS
@given(
    _line_submissions("political_risk"),
    st.sampled_from(sorted(TABLES.countries["code"])),
    st.sampled_from(sorted(TABLES.countries["code"])),
)
def test_worse_oecd_class_never_lowers_political_risk_frequency(
    submission: Submission, first: str, second: str
) -> None:
    # Political violence is rated from the political-violence index, not the OECD class.
    better, worse = sorted((first, second), key=lambda code: int(TABLES.country(code)["oecd_crc"]))

    def host(code: str) -> Submission:
        def change(d: dict[str, Any]) -> None:
            for contract in d["political_risk"]["contracts"]:
                contract["host_country"] = code
                perils = [p for p in contract["perils"] if p != "political_violence"]
                contract["perils"] = perils or ["expropriation"]

        return _changed(submission, change)

    with _quiet():
        low = rate(host(better), TABLES).model("political_risk").frequency.mean()
        high = rate(host(worse), TABLES).model("political_risk").frequency.mean()
    assert high >= low * (1.0 - RTOL)


@PROPERTY_SETTINGS
@given(
    submissions(currencies=CURRENCIES, max_systems=2, max_contracts=2),
    layers(max_amount=1e9),
    st.floats(min_value=0.0, max_value=1e9),
    st.floats(min_value=0.0, max_value=1e9),
)
def test_deductible_and_limit_move_the_layer_loss_the_right_way(
    submission: Submission, layer: Layer, more_deductible: float, more_limit: float
) -> None:
    with _quiet():
        rated = rate(submission, TABLES)
    for model in rated.models:
        base = dataclasses.replace(model, layer=layer)
        higher_deductible = dataclasses.replace(
            model, layer=dataclasses.replace(layer, deductible=layer.deductible + more_deductible)
        )
        higher_limit = dataclasses.replace(
            model, layer=dataclasses.replace(layer, limit=layer.limit + more_limit)
        )
        before = expected_layer_loss(base)
        # Rounding scale: the loss is a difference of limited expected values.
        scale = (
            RTOL
            * model.frequency.mean()
            * float(
                model.severity.limited_expected_value(
                    layer.deductible + more_deductible + layer.limit
                )
            )
        )
        assert expected_layer_loss(higher_deductible) <= before + scale
        assert expected_layer_loss(higher_limit) >= before - scale
