"""A deterministic synthetic book of submissions, for benchmarks, tests and examples.

Every name, amount and choice here is **illustrative**: random but plausible contractors and
agencies operating in a fixed set of countries, drawn from a numpy generator so the same seed
always gives the same book.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from xborder_risk._validation import check_int
from xborder_risk.errors import ParameterError
from xborder_risk.exposure import (
    EXPOSURE_MODELS,
    LINES,
    PERILS,
    SECURITY_CONTROLS,
    SYSTEM_TYPES,
    CyberExposure,
    FrozenModel,
    OperationalLiabilityExposure,
    PoliticalRiskExposure,
    Submission,
    TechFailureExposure,
)

__all__ = ["SYNTHETIC_COUNTRIES", "synthetic_book"]

#: Countries the synthetic policies operate in: a spread of OECD risk classes 0-7
#: (classes from ``rating_tables/countries.csv``).
SYNTHETIC_COUNTRIES: tuple[str, ...] = (
    "NO", "FI", "EE", "LV", "LT", "PL", "DE", "FR", "ES", "IT", "GR", "GB", "US",
    "TR", "MX", "CO", "BR", "MA", "TH", "JO", "GE", "AM", "BD", "TN", "EG", "KE",
    "NG", "LB", "UA", "PK",
)  # fmt: skip


def _countries(rng: np.random.Generator, most: int, countries: tuple[str, ...]) -> list[str]:
    k = int(rng.integers(1, most + 1))
    return sorted(str(c) for c in rng.choice(countries, size=k, replace=False))


def _amount(rng: np.random.Generator, median: float, spread: float = 0.6) -> float:
    return float(round(median * rng.lognormal(0.0, spread), -3))


_Terms = dict[str, float]


def _tech_failure(
    rng: np.random.Generator, kind: str, countries: tuple[str, ...]
) -> tuple[dict[str, Any], _Terms]:
    exposure = {
        "systems": [
            {
                "system_id": f"S{s}",
                "system_type": str(rng.choice(SYSTEM_TYPES)),
                "countries": _countries(rng, 3, countries),
                "replacement_value": _amount(rng, 8e6),
                "daily_outage_cost": _amount(rng, 6e4),
                "redundancy": str(rng.choice(["none", "n_plus_1", "geo_redundant"])),
                "age_years": float(round(rng.uniform(0.5, 12.0), 1)),
                "vendor_support": str(rng.choice(["full", "limited", "end_of_life"])),
            }
            for s in range(int(rng.integers(1, 4)))
        ]
    }
    terms = {"deductible": 250_000.0, "limit": 20_000_000.0, "aggregate_limit": 40_000_000.0}
    return exposure, terms


def _cyber(
    rng: np.random.Generator, kind: str, countries: tuple[str, ...]
) -> tuple[dict[str, Any], _Terms]:
    exposure = {
        "pii_records": int(rng.integers(0, 50_000_000)),
        "biometric_records": int(rng.integers(0, 10_000_000)),
        "partner_connections": int(rng.integers(0, 4) * rng.integers(0, 8)),
        "controls": {name: bool(rng.random() < 0.7) for name in SECURITY_CONTROLS},
        "countries": _countries(rng, 3, countries),
    }
    terms = {"deductible": 500_000.0, "limit": 25_000_000.0, "aggregate_limit": 25_000_000.0}
    return exposure, terms


def _operational_liability(
    rng: np.random.Generator, kind: str, countries: tuple[str, ...]
) -> tuple[dict[str, Any], _Terms]:
    exposure = {
        "personnel": [
            {
                "role": role,
                "headcount": int(rng.integers(5, 400)),
                "annual_hours_per_person": 1600.0,
            }
            for role in ("field_officer", "technician", "support")
            if rng.random() < 0.8 or role == "support"
        ],
        "vehicles": int(rng.integers(0, 80)),
        "vessels": int(rng.integers(0, 3)),
        "aircraft": int(rng.integers(0, 20)),
        "use_of_force_authorised": bool(kind == "agency" and rng.random() < 0.5),
        "detention_facilities": int(rng.integers(0, 2)) if kind == "agency" else 0,
        "countries": _countries(rng, 3, countries),
    }
    # The former claim count, no longer rated (experience rating needs a loss history): still
    # drawn so that every later draw of a synthetic book, and its policies, stay the same.
    rng.integers(0, 6)
    terms = {"deductible": 50_000.0, "limit": 10_000_000.0, "aggregate_limit": 20_000_000.0}
    return exposure, terms


def _political_risk(
    rng: np.random.Generator, kind: str, countries: tuple[str, ...]
) -> tuple[dict[str, Any], _Terms]:
    exposure = {
        "contracts": [
            {
                "contract_id": f"C{c}",
                "host_country": str(rng.choice(countries)),
                "counterparty": str(rng.choice(["national", "sub_national"])),
                "contract_value": _amount(rng, 2e7),
                "remaining_term_years": float(round(rng.uniform(1.0, 6.0), 1)),
                "assets_in_country": _amount(rng, 4e6),
                "perils": sorted(
                    str(p) for p in rng.choice(PERILS, size=int(rng.integers(1, 5)), replace=False)
                ),
            }
            for c in range(int(rng.integers(1, 3)))
        ]
    }
    terms = {
        "deductible": 0.0,
        "limit": 30_000_000.0,
        "aggregate_limit": 45_000_000.0,
        "share": 0.9,
    }
    return exposure, terms


# Each line's illustrative exposure and terms, keyed by its exposure model
# (exposure.EXPOSURE_MODELS); drawn in canonical line order.
_Generator = Callable[[np.random.Generator, str, tuple[str, ...]], tuple[dict[str, Any], _Terms]]
_SYNTHETIC_EXPOSURES: dict[type[FrozenModel], _Generator] = {
    TechFailureExposure: _tech_failure,
    CyberExposure: _cyber,
    OperationalLiabilityExposure: _operational_liability,
    PoliticalRiskExposure: _political_risk,
}


def _submission_data(
    rng: np.random.Generator, index: int, countries: tuple[str, ...]
) -> dict[str, Any]:
    kind = "agency" if rng.random() < 0.3 else "contractor"
    home = str(rng.choice(countries))
    # Three quarters of the book buy all four lines, the rest a random non-empty subset.
    if rng.random() < 0.75:
        lines = list(LINES)
    else:
        mask = rng.random(len(LINES)) < 0.5
        mask[int(rng.integers(len(LINES)))] = True
        lines = [line for line, chosen in zip(LINES, mask, strict=True) if chosen]
    data: dict[str, Any] = {
        "submission_id": f"SYN-{index:05d}",
        "insured": {
            "name": f"Synthetic border operator {index}",
            "kind": kind,
            "home_country": home,
            "currency": "USD",
            "annual_revenue": _amount(rng, 2e8, 1.0),
            "headcount": int(rng.integers(50, 5000)),
        },
        "currency": "USD",
        "inception_date": "2026-01-01",
        "expiry_date": "2027-01-01",
        "terms": {},
    }
    for line in lines:
        generator = _SYNTHETIC_EXPOSURES.get(EXPOSURE_MODELS[line])
        if generator is None:  # a line registered without its illustrative generator
            raise NotImplementedError(
                f"synthetic_book: no illustrative exposure for line {line!r}; add a generator for "
                "its exposure model to _SYNTHETIC_EXPOSURES (xborder_risk/portfolio/synthetic.py)"
            )
        exposure, terms = generator(rng, kind, countries)
        data[line] = exposure
        data["terms"][line] = terms
    return data


def synthetic_book(
    n_policies: int, seed: int = 0, countries: Sequence[str] = SYNTHETIC_COUNTRIES
) -> list[Submission]:
    """``n_policies`` illustrative one-year USD submissions, the same for the same seed.

    Parameters
    ----------
    n_policies : int
        Number of submissions, ``>= 1``.
    seed : int
        Seed of the numpy generator that draws them.
    countries : sequence of str
        ISO alpha-2 codes the policies are homed in and operate in (at least 3, distinct,
        each in the rating tables' country table); :data:`SYNTHETIC_COUNTRIES` by default.

    Returns
    -------
    list of Submission
        Ids ``SYN-00000``, ``SYN-00001``, ...; countries drawn from ``countries``.
    """
    owner = "synthetic_book"
    n_policies = check_int(owner, "n_policies", n_policies, lower=1)
    seed = check_int(owner, "seed", seed, lower=0)
    if isinstance(countries, str) or not isinstance(countries, Sequence):
        raise ParameterError(owner, "countries", countries, "must be a sequence of ISO codes")
    codes = tuple(countries)
    if len(set(codes)) != len(codes) or len(codes) < 3:
        # three a line at most are drawn without replacement
        raise ParameterError(owner, "countries", codes, "must hold at least 3 distinct codes")
    rng = np.random.default_rng(seed)
    return [
        Submission.from_data(_submission_data(rng, index, codes)) for index in range(n_policies)
    ]
