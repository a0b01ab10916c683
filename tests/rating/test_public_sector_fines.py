"""Public-sector fine rules per jurisdiction (GDPR Art. 83(7)) in the cyber third-party part."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from xborder_risk.exposure import Submission
from xborder_risk.rating import RatingTables, rate

EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "examples" / "submissions"
THIRD = "third party: claims and regulatory (share x curve x regime x public)"
EU_EEA = (
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO"
).split()


@pytest.fixture(scope="module")
def tables() -> RatingTables:
    return RatingTables.load()


def _sheet(kind: str, countries: list[str]) -> Any:
    data = Submission.from_yaml(
        (EXAMPLES_DIR / "eu_egates_contractor.yaml").read_text()
    ).model_dump(mode="json")
    data["insured"]["kind"] = kind
    data["cyber"]["countries"] = countries
    for key in ("tech_failure", "operational_liability", "political_risk"):
        data.pop(key, None)
        data["terms"].pop(key, None)
    sheet = rate(Submission.from_data(data)).worksheet
    return sheet[sheet["line"] == "cyber"]


def _third(sheet: Any) -> float:
    return float(sheet.loc[sheet["factor"] == THIRD, "value"].iloc[0])


def _share(tables: RatingTables) -> float:
    return tables.line_parameter("cyber", "regulatory_fine_share")[0]


def test_every_eu_eea_state_and_example_country_has_a_row(tables: RatingTables) -> None:
    rows = tables.table("public_sector_fines").set_index("jurisdiction")
    example_countries = {"GB", "IE", "FR", "NL", "BE", "US", "CA", "AU", "NZ", "NO", "FI", "EE"}
    assert set(EU_EEA) | example_countries | {"default"} <= set(rows.index)
    assert set(rows["status"]) <= {"verified", "secondary", "judgement"}
    # No fines means no regulatory-fine weight; a cap keeps some, never more than in full.
    assert (rows.loc[rows["fines_on_public_bodies"] == "no", "fine_factor"] == 0.0).all()
    assert (rows.loc[rows["fines_on_public_bodies"] == "yes", "fine_factor"] == 1.0).all()
    capped = rows[rows["fines_on_public_bodies"] == "capped"]
    assert ((capped["fine_factor"] > 0.0) & (capped["fine_factor"] < 1.0)).all()
    assert rows.loc["IE", "cap_eur"] == 1_000_000
    assert rows.loc[["DE", "FI", "IE"], "status"].eq("secondary").all()


@pytest.mark.parametrize("country", ["FI", "DE"])
def test_agency_where_public_bodies_cannot_be_fined_has_no_fine_weight(
    tables: RatingTables, country: str
) -> None:
    # NO fines public bodies in full (fine_factor 1) and has the same GDPR regime factor.
    share = _share(tables)
    no_fine, full = _sheet("agency", [country]), _sheet("agency", ["NO"])
    assert _third(no_fine) / _third(full) == pytest.approx(1.0 - share, rel=1e-12)
    row = no_fine[no_fine["table"] == "public_sector_fines"]
    assert list(row["value"]) == [0.0]
    assert list(row["status"]) == ["secondary"]


def test_agency_in_ireland_is_capped(tables: RatingTables) -> None:
    share = _share(tables)
    factor = float(tables.lookup("public_sector_fines", jurisdiction="IE")["fine_factor"])
    ratio = _third(_sheet("agency", ["IE"])) / _third(_sheet("agency", ["NO"]))
    assert ratio == pytest.approx(1.0 - share + share * factor, rel=1e-12)
    assert 1.0 - share < ratio < 1.0


def test_countries_are_averaged_and_unknown_countries_take_the_default(
    tables: RatingTables,
) -> None:
    share = _share(tables)
    mixed = _third(_sheet("agency", ["FI", "NO"])) / _third(_sheet("agency", ["NO"]))
    assert mixed == pytest.approx(1.0 - share / 2.0, rel=1e-12)
    sheet = _sheet("agency", ["NO", "MD"])
    keys = list(sheet.loc[sheet["table"] == "public_sector_fines", "key"])
    assert keys == ["NO", "default (MD)"]


def test_contractor_is_unaffected() -> None:
    finland, norway = _sheet("contractor", ["FI"]), _sheet("contractor", ["NO"])
    assert _third(finland) == _third(norway)
    assert not (finland["table"] == "public_sector_fines").any()
