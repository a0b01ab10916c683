"""The typed provenance, the split bases and what reproduce() checks."""

from __future__ import annotations

import importlib
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from xborder_risk import Submission, quote
from xborder_risk.errors import ParameterError, XBorderRiskDeprecationWarning
from xborder_risk.pricing import (
    CostOfCapital,
    Loadings,
    PremiumPrinciple,
    PricingBasis,
    WangTransform,
)
from xborder_risk.quote import (
    LEGACY_BASIS_DEFAULTS,
    Provenance,
    QuoteBasis,
    ReproducibilityError,
    ReproducibilityWarning,
    SeedRecord,
    reproduce,
)
from xborder_risk.rating import RatingTables
from xborder_risk.reserves import ReserveResult, ReservingBasis

HERE = Path(__file__).resolve().parent
SUBMISSIONS = HERE.parents[1] / "examples" / "submissions"
TABLES = RatingTables.load()
RECORD = json.loads((HERE / "records" / "default_basis.json").read_text())["provenance"]


@pytest.fixture(scope="module")
def egates():
    return Submission.from_file(SUBMISSIONS / "eu_egates_contractor.yaml")


@pytest.fixture(scope="module")
def small(egates):
    return quote(egates, n_years=2_000, seed=12, tables=TABLES)


# -- bases ------------------------------------------------------------------------------------


def test_the_bases_are_frozen_strict_and_name_the_bad_field():
    basis = PricingBasis()
    with pytest.raises(Exception, match="frozen"):
        basis.allocation_level = 0.5  # type: ignore[misc]
    cases = [
        (PricingBasis, {"allocation_level": float("nan")}, "allocation_level"),
        (PricingBasis, {"allocation_level": True}, "allocation_level"),
        (PricingBasis, {"allocation_level": "0.99"}, "allocation_level"),
        (PricingBasis, {"risk_adjustment_level": 0.8}, "risk_adjustment_level"),
        (PricingBasis, {"loadings": 0.1}, "loadings"),
        (ReservingBasis, {"scr_level": 1.0}, "scr_level"),
        (ReservingBasis, {"coc_rate": float("inf")}, "coc_rate"),
        (ReservingBasis, {"risk_adjustment_technique": "tvar"}, "risk_adjustment_technique"),
        (ReservingBasis, {"principle": None}, "principle"),
    ]
    for model, kwargs, name in cases:
        with pytest.raises(ParameterError) as info:
            model(**kwargs)
        assert info.value.name == name, (model, kwargs)


def test_the_principle_is_a_union_discriminated_by_its_class_name():
    for principle in (WangTransform(lam=0.3), CostOfCapital(rate=0.08, period_years=2.0)):
        basis = PricingBasis(principle=principle)
        record = basis.model_dump(mode="json")
        assert record["principle"] == {
            "type": type(principle).__name__,
            "parameters": json.loads(json.dumps(principle.__dict__)),
        }
        again = PricingBasis.model_validate(record)
        assert again == basis and type(again.principle) is type(principle)
    with pytest.raises(ParameterError, match="PremiumPrinciple"):
        PricingBasis.model_validate({"principle": {"type": "Esscher", "parameters": {}}})
    with pytest.raises(ParameterError, match="lam"):
        PricingBasis.model_validate({"principle": {"type": "WangTransform", "parameters": {}}})


def test_a_users_own_principle_prices_but_is_not_a_readable_record(egates):
    class HalfLoad(PremiumPrinciple):
        def _risk_load(self, x):
            return 0.5 * float(x.mean())

        def _allocate(self, annual, total):
            return 0.5 * annual.mean(axis=0)

        def _influence(self, x):
            return 1.5 * x

    q = quote(egates, n_years=500, seed=1, tables=TABLES, basis=PricingBasis(principle=HalfLoad()))
    assert q.to_dict()["provenance"]["basis"]["principle"]["type"] == "HalfLoad"
    with pytest.raises(ReproducibilityError, match="principle"):
        reproduce(q.to_dict()["provenance"], egates, TABLES)


def test_quote_takes_the_two_bases_or_the_old_combined_one(egates):
    pricing = PricingBasis(principle=WangTransform(lam=0.2), allocation_level=0.98)
    reserving = ReservingBasis(risk_adjustment_level=0.8, risk_adjustment_technique="quantile")
    split = quote(egates, n_years=1_000, seed=3, tables=TABLES, basis=pricing, reserving=reserving)
    combined = QuoteBasis.of(pricing, reserving)
    together = quote(egates, n_years=1_000, seed=3, tables=TABLES, basis=combined)
    assert split.to_dict()["quote"] == together.to_dict()["quote"]
    assert split.basis == combined
    assert split.basis.pricing == pricing and split.basis.reserving == reserving
    with pytest.raises(ParameterError) as info:
        quote(egates, n_years=100, tables=TABLES, basis=combined, reserving=reserving)
    assert info.value.name == "reserving"
    with pytest.raises(ParameterError) as info:
        quote(egates, n_years=100, tables=TABLES, reserving=pricing)  # type: ignore[arg-type]
    assert info.value.name == "reserving"


def test_the_old_combined_basis_name_is_a_deprecated_alias():
    # ``xborder_risk.quote`` is the function (the package exports it): take the module.
    module = importlib.import_module("xborder_risk.quote")

    with pytest.warns(XBorderRiskDeprecationWarning, match="ReservingBasis"):
        old = module.PricingBasis
    assert old is QuoteBasis
    # the old keyword of the risk adjustment's level is the record's key, still accepted
    assert QuoteBasis(risk_adjustment_confidence=0.8).risk_adjustment_level == 0.8


def test_the_basis_record_keeps_its_keys(small):
    keys = set(small.to_dict()["provenance"]["basis"])
    assert set(RECORD["basis"]) <= keys
    # a field added since has the value old records were priced with
    assert keys - set(RECORD["basis"]) <= set(LEGACY_BASIS_DEFAULTS)


# -- provenance -------------------------------------------------------------------------------


def test_provenance_is_a_typed_model_whose_dump_is_the_record(small):
    record = small.to_dict()["provenance"]
    assert isinstance(small.provenance, Provenance)
    assert Provenance.read(json.loads(json.dumps(record))) == small.provenance
    assert record["valuation_date"] == small.valuation_date.isoformat()
    with pytest.warns(XBorderRiskDeprecationWarning):
        assert small.provenance["seed"] == 12


def test_a_partial_record_names_every_missing_field(egates):
    partial = {k: v for k, v in RECORD.items() if k not in ("seed", "n_years")}
    partial["basis"] = {k: v for k, v in RECORD["basis"].items() if k != "scr_level"}
    with pytest.raises(ReproducibilityError, match="partial") as info:
        reproduce(partial, egates, TABLES)
    for name in ("seed", "n_years", "basis.scr_level"):
        assert name in str(info.value)
    assert "basis.country_premium_tax" not in str(info.value)  # an old record may lack it


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"seed": -1}, "seed"),
        ({"n_years": "many"}, "n_years"),
        ({"valuation_date": "01/04/2026"}, "valuation_date"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_an_invalid_record_is_a_reproducibility_error_naming_the_field(egates, change, where):
    with pytest.raises(ReproducibilityError, match=where):
        reproduce({**RECORD, **change}, egates, TABLES)
    with pytest.raises(ReproducibilityError, match="mapping"):
        reproduce(["not", "a", "record"], egates, TABLES)  # type: ignore[arg-type]


def test_reproduce_checks_the_library_and_numpy_versions():
    agency = Submission.from_file(SUBMISSIONS / "agency_traveller_data_platform.yaml")
    record = json.loads(quote(agency, n_years=500, seed=11, tables=TABLES).to_json())
    record = record["provenance"]
    other = {**record, "numpy_version": "1.26.4", "library_version": "0.0.9"}
    with pytest.warns(ReproducibilityWarning, match=r"numpy 1\.26\.4 \(now") as caught:
        reproduce(other, agency, TABLES)
    assert "xborder_risk 0.0.9" in str(caught[0].message)
    with pytest.raises(ReproducibilityError, match=r"numpy 1\.26\.4"):
        reproduce(other, agency, TABLES, versions="error")
    with warnings.catch_warnings():
        warnings.simplefilter("error", ReproducibilityWarning)
        reproduce(other, agency, TABLES, versions="ignore")
        reproduce(record, agency, TABLES, versions="error")  # same versions: silent
    with pytest.raises(ParameterError):
        reproduce(record, agency, TABLES, versions="strict")  # type: ignore[arg-type]


def test_a_seed_sequence_quotes_like_simulate_and_reproduces(egates):
    root = np.random.SeedSequence(2**100 + 7, spawn_key=(3,))
    q = quote(egates, n_years=1_500, seed=root, tables=TABLES)
    record = json.loads(q.to_json())["provenance"]
    assert record["seed"] == {"entropy": 2**100 + 7, "spawn_key": [3], "pool_size": 4}
    assert isinstance(q.provenance.seed, SeedRecord)
    again = reproduce(record, egates, TABLES)
    assert again.to_dict()["quote"] == q.to_dict()["quote"]
    other = quote(egates, n_years=1_500, seed=np.random.SeedSequence(2**100 + 7), tables=TABLES)
    assert other.to_dict()["quote"] != q.to_dict()["quote"]
    with pytest.raises(ParameterError) as info:
        quote(egates, n_years=10, seed=1.5, tables=TABLES)  # type: ignore[arg-type]
    assert info.value.name == "seed"


# -- results ----------------------------------------------------------------------------------


def test_the_quote_frame_is_computed_once_and_handed_out_as_a_copy(small, monkeypatch):
    first = small.to_frame()
    calls = []
    monkeypatch.setattr(
        type(small.simulation), "summary", lambda *a, **k: calls.append(1) or pd.DataFrame()
    )
    second = small.to_frame()
    assert calls == []
    pd.testing.assert_frame_equal(first, second)
    second.loc["total", "gross_premium"] = -1.0
    assert small.to_frame().loc["total", "gross_premium"] > 0


def test_the_reserves_are_a_reserve_result_beside_the_pricing_result(small):
    result = small.reserve_result
    assert isinstance(result, ReserveResult)
    assert result.basis == small.basis.reserving
    assert result.valuation_date == small.valuation_date
    assert result.lines == small.lines == small.pricing.lines
    pd.testing.assert_frame_equal(result.to_frame(), small.reserves)
    assert result.to_frame() is not result.table


def test_loadings_record_round_trips():
    basis = PricingBasis(loadings=Loadings(fixed_expense=100.0, tax_rate=0.02),
                         country_premium_tax=False)  # fmt: skip
    assert PricingBasis.model_validate(basis.model_dump(mode="json")) == basis
