"""The shipped ISO code lists against the official lists (as packaged by iso-codes/pycountry)."""

from __future__ import annotations

import pytest

from xborder_risk.exposure import COUNTRY_CODES, CURRENCY_CODES


def test_country_list_has_the_249_official_codes():
    # ISO 3166-1 assigns 249 alpha-2 codes (ISO 3166 Maintenance Agency, 2024 onwards).
    assert len(COUNTRY_CODES) == 249
    assert {"NO", "NA", "ON"} - COUNTRY_CODES == {"ON"}  # Norway and Namibia; ON is no country
    assert "XK" not in COUNTRY_CODES  # Kosovo's user-assigned code is not official
    assert all(len(c) == 2 and c.isupper() for c in COUNTRY_CODES)


def test_currency_list_is_active_iso_4217():
    assert {"EUR", "USD", "NOK", "GBP", "CHF", "XDR"} <= CURRENCY_CODES
    # Withdrawn: Croatian kuna (euro from 2023-01-01), old Sierra Leone leone, Zimbabwe dollar.
    assert not {"HRK", "SLL", "ZWL", "DEM", "LTL"} & CURRENCY_CODES
    assert all(len(c) == 3 and c.isupper() for c in CURRENCY_CODES)


def test_lists_match_installed_pycountry():
    pycountry = pytest.importorskip("pycountry")
    assert {c.alpha_2 for c in pycountry.countries} == COUNTRY_CODES
    assert {c.alpha_3 for c in pycountry.currencies} == CURRENCY_CODES
