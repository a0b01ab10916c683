"""Hand-built submissions for the portfolio tests (every figure illustrative)."""

import warnings

import pytest

from xborder_risk.exposure import Submission
from xborder_risk.portfolio import CommonShocks
from xborder_risk.rating import RatingTables


def build_submission(
    submission_id,
    *,
    currency="USD",
    political=(),
    operations=(),
    cyber_connections=None,
    platform=False,
    expiry="2027-01-01",
    political_terms=None,
):
    """A submission with the chosen lines.

    political : sequence of (host_country, contract_value, assets_in_country)
    operations : countries of operational liability (empty: no such line)
    cyber_connections : partner connections of a cyber exposure (None: no cyber line)
    platform : add a tech-failure line with a traveller-data platform
    """
    data = {
        "submission_id": submission_id,
        "insured": {
            "name": f"Test operator {submission_id}",
            "kind": "contractor",
            "home_country": "GB",
            "currency": currency,
            "annual_revenue": 5e8,
            "headcount": 800,
        },
        "currency": currency,
        "inception_date": "2026-01-01",
        "expiry_date": expiry,
        "terms": {},
    }
    if political:
        data["political_risk"] = {
            "contracts": [
                {
                    "contract_id": f"C{i}",
                    "host_country": country,
                    "counterparty": "national",
                    "contract_value": value,
                    "remaining_term_years": 3.0,
                    "assets_in_country": assets,
                    "perils": ["expropriation", "political_violence"],
                }
                for i, (country, value, assets) in enumerate(political)
            ]
        }
        data["terms"]["political_risk"] = political_terms or {
            "deductible": 0.0,
            "limit": 1e9,
            "share": 0.9,
        }
    if operations:
        data["operational_liability"] = {
            "personnel": [
                {"role": "field_officer", "headcount": 60, "annual_hours_per_person": 1600.0},
                {"role": "support", "headcount": 40, "annual_hours_per_person": 1600.0},
            ],
            "vehicles": 10,
            "vessels": 0,
            "aircraft": 2,
            "use_of_force_authorised": False,
            "detention_facilities": 0,
            "countries": list(operations),
        }
        data["terms"]["operational_liability"] = {
            "deductible": 50_000.0,
            "limit": 5_000_000.0,
            "aggregate_limit": 10_000_000.0,
        }
    if cyber_connections is not None:
        data["cyber"] = {
            "pii_records": 2_000_000,
            "biometric_records": 100_000,
            "partner_connections": cyber_connections,
            "controls": {
                "mfa": True,
                "edr": True,
                "offline_backups": True,
                "encryption_at_rest": True,
                "segmentation": True,
                "incident_response_plan": True,
            },
            "countries": ["GB"],
        }
        data["terms"]["cyber"] = {"deductible": 250_000.0, "limit": 10_000_000.0}
    if platform:
        data["tech_failure"] = {
            "systems": [
                {
                    "system_id": "TDP",
                    "system_type": "traveller_data_platform",
                    "countries": ["GB"],
                    "replacement_value": 5e6,
                    "daily_outage_cost": 5e4,
                    "redundancy": "geo_redundant",
                    "age_years": 3.0,
                    "vendor_support": "full",
                }
            ]
        }
        data["terms"]["tech_failure"] = {"deductible": 100_000.0, "limit": 5_000_000.0}
    return Submission.from_data(data)


def frequent_shocks(country=0.2, cyber=0.2):
    """Shocks frequent enough to see in a few thousand years (illustrative)."""
    return CommonShocks(
        country_event_probability=(country,) * 8,
        political_damage_alpha=2.0,
        political_damage_beta=8.0,
        cyber_event_probability=cyber,
        cyber_damage_alpha=2.0,
        cyber_damage_beta=6.0,
    )


@pytest.fixture(scope="session")
def tables():
    return RatingTables.load()


@pytest.fixture(scope="session")
def small_book():
    """Four policies: two share Ukraine, one in Nigeria, mixed lines."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return [
            build_submission(
                "UA-1", political=[("UA", 2e7, 5e6)], operations=["UA", "PL"], cyber_connections=3
            ),
            build_submission("UA-2", political=[("UA", 1e7, 2e6), ("PL", 5e6, 1e6)], platform=True),
            build_submission("NG-1", political=[("NG", 3e7, 4e6)], operations=["NG"]),
            build_submission("GB-1", cyber_connections=5, platform=True),
        ]


@pytest.fixture(scope="session")
def make_submission():
    return build_submission


@pytest.fixture(scope="session")
def make_shocks():
    return frequent_shocks
