"""The EP chart reads right: every curve visible, the 1-in-200 marker labelled, the unit of the
return period a policy period when the policy is longer than a year."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from matplotlib.colors import to_rgb
from matplotlib.image import imread

from xborder_risk import Submission, quote
from xborder_risk.report.chart import _LINE_COLOURS, ep_chart_figure, ep_chart_png

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "submissions"


def _one_line(years: int) -> Submission:
    data = Submission.from_file(EXAMPLES / "agency_traveller_data_platform.yaml").model_dump(
        mode="json"
    )
    data.pop("tech_failure")
    data["terms"].pop("tech_failure")
    data["expiry_date"] = f"{2026 + years}-04-06"
    return Submission.from_data(data)


@pytest.fixture(scope="module")
def one_line_quote():  # type: ignore[no-untyped-def]
    return quote(_one_line(1), n_years=4000, seed=5)


def test_a_line_equal_to_the_total_stays_visible(one_line_quote) -> None:  # type: ignore[no-untyped-def]
    # One line: its curve is the total's. It is drawn on top of the (wider) total.
    figure = ep_chart_figure(one_line_quote)
    for ax in figure.axes:
        by_label = {line.get_label(): line for line in ax.get_lines() if line.get_label()}
        cyber, total = by_label["Cyber"], by_label["Total"]
        np.testing.assert_array_equal(cyber.get_ydata(), total.get_ydata())
        assert cyber.get_zorder() > total.get_zorder()
        assert total.get_linewidth() > cyber.get_linewidth()
    # ... and its colour is on the image.
    pixels = imread(io.BytesIO(ep_chart_png(one_line_quote)))[..., :3]
    colour = np.array(to_rgb(_LINE_COLOURS["cyber"]))
    close = np.all(np.abs(pixels - colour) < 0.04, axis=-1)
    assert close.sum() > 500


def test_the_1_in_200_marker_is_labelled(one_line_quote) -> None:  # type: ignore[no-untyped-def]
    figure = ep_chart_figure(one_line_quote)
    for ax in figure.axes:
        assert "1 in 200 years" in [text.get_text() for text in ax.texts]
        assert ax.get_xlabel() == "Return period (years, log scale)"


def test_a_multi_year_policy_counts_in_periods() -> None:
    q = quote(_one_line(3), n_years=4000, seed=5)
    figure = ep_chart_figure(q)
    for ax in figure.axes:
        assert ax.get_xlabel() == "Return period (periods, log scale)"
        assert "1 in 200 periods" in [text.get_text() for text in ax.texts]
    from xborder_risk.report.sections import build_sections

    exceedance = next(s for s in build_sections(q) if s.anchor == "exceedance")
    assert exceedance.tables[0].columns[0] == "Return period (periods)"
    assert "years" not in exceedance.paragraphs[0]
