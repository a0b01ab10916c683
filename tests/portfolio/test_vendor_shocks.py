"""Common-vendor events in a book: insureds naming the same vendor are hit in the same years."""

from __future__ import annotations

import math

import numpy as np
import pytest

from xborder_risk.exposure import LINES, Submission
from xborder_risk.portfolio import CommonShocks, Portfolio
from xborder_risk.portfolio.shocks import vendor_stream

TECH = LINES.index("tech_failure")


def _with_vendor(submission: Submission, vendor: str | None) -> Submission:
    data = submission.model_dump(mode="json")
    for system in data["tech_failure"]["systems"]:
        system["vendor"] = vendor
    return Submission.from_data(data)


def test_insureds_sharing_a_vendor_are_hit_together(make_submission, tables):
    subs = [
        _with_vendor(make_submission("A", cyber_connections=0, platform=True), "edr_x"),
        _with_vendor(make_submission("B", cyber_connections=0, platform=True), "edr_x"),
        _with_vendor(make_submission("C", cyber_connections=0, platform=True), "cloud_y"),
    ]
    shocks = CommonShocks(
        country_event_probability=(0.0,) * 8,
        political_damage_alpha=1.0,
        political_damage_beta=1.0,
        cyber_event_probability=0.0,
        cyber_damage_alpha=1.0,
        cyber_damage_beta=1.0,
        vendor_event_probability=0.1,
        vendor_damage_alpha=1.0,
        vendor_damage_beta=9.0,
    )
    book = Portfolio(subs, tables, shocks=shocks)
    exposure = book.shock_exposure()
    vendors = {s for s in exposure["shock"] if s.startswith("vendor:")}
    assert vendors == {"vendor:edr_x", "vendor:cloud_y"}
    n_years = 20_000
    result = book.simulate(n_years, seed=9)
    tech = result.annual[:, :, TECH]
    se = 1.0 / math.sqrt(n_years)
    assert np.corrcoef(tech[:, 0], tech[:, 1])[0, 1] > 10 * se
    assert abs(np.corrcoef(tech[:, 0], tech[:, 2])[0, 1]) < 4 * se
    hit = result.events[:, result.shock_sources.index("vendor:edr_x")]
    assert hit.mean() == pytest.approx(0.1, abs=4 * math.sqrt(0.1 * 0.9 / n_years))


def test_vendor_streams_are_stable_and_distinct():
    assert vendor_stream("edr_x") == vendor_stream("edr_x")
    assert vendor_stream("edr_x") != vendor_stream("cloud_y")


def test_shipped_shocks_have_common_vendor_events():
    shocks = CommonShocks.load()
    assert 0.0 < shocks.vendor_event_probability < 1.0
    assert shocks.vendor_damage_mean == pytest.approx(0.1)
