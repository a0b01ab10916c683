"""The exceedance-probability chart of a quote (AEP and OEP), as PNG bytes.

Drawn on a :class:`matplotlib.figure.Figure` attached to an explicit Agg canvas, without
pyplot: no global backend switch (an actuary's notebook keeps its own backend), no figure
registry to leak, and it works on a machine with no display.  This is the pattern of
matplotlib's gallery example "Embed in a web application server"
(https://matplotlib.org/stable/gallery/user_interfaces/web_application_server_sgskip.html).
"""

from __future__ import annotations

import io
from typing import Final

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator

from xborder_risk.exposure import LINES
from xborder_risk.quote import Quote
from xborder_risk.report._format import format_amount, line_label, period_unit

__all__ = ["CHART_POINTS", "chart_return_periods", "ep_chart_figure", "ep_chart_png"]

#: Points per curve (geometrically spaced return periods).
CHART_POINTS: Final[int] = 80

# Colour-blind-safe qualitative palette (Okabe & Ito 2008, "Color Universal Design"), taken in
# canonical line order; the total is drawn in black on top.
_PALETTE: Final[tuple[str, ...]] = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#F0E442",
    "#999999",
)
_LINE_COLOURS: Final[dict[str, str]] = {
    line: _PALETTE[index % len(_PALETTE)] for index, line in enumerate(LINES)
}
# Names outside the vocabulary (not in a quote) take the colours no line has taken first.
_FALLBACK_COLOURS: Final[tuple[str, ...]] = _PALETTE[len(LINES) :] + _PALETTE[: len(LINES)]


def chart_return_periods(n_years: int, points: int = CHART_POINTS) -> np.ndarray:
    """Return periods plotted for a simulation of ``n_years`` years.

    From 2 years to ``n_years / 10`` (at least 2): beyond it fewer than ten simulated years
    exceed the plotted loss, and the empirical quantile is too noisy to draw.

    Returns
    -------
    numpy.ndarray
        Increasing return periods in years, each > 1.
    """
    upper = max(n_years / 10.0, 2.0)
    if upper <= 2.0:
        return np.array([2.0])
    return np.geomspace(2.0, upper, points)


def _amount_axis(value: float, _position: int) -> str:
    return format_amount(value)


def ep_chart_png(quote: Quote, *, dpi: int = 110) -> bytes:
    """The chart of :func:`ep_chart_figure` as PNG bytes (byte-identical for one quote)."""
    figure = ep_chart_figure(quote, dpi=dpi)
    buffer = io.BytesIO()
    # No timestamp or software tag in the file, so one quote gives byte-identical PNGs.
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def ep_chart_figure(quote: Quote, *, dpi: int = 110) -> Figure:
    r"""Draw the AEP and OEP curves of every line and the total.

    Parameters
    ----------
    quote : Quote
        The quote whose simulation is drawn.
    dpi : int
        Resolution of the PNG.

    Returns
    -------
    matplotlib.figure.Figure
        Two panels, the aggregate (AEP, left) and the largest-occurrence
        (OEP, right) exceedance curves; return period in years (in policy periods for a
        multi-year policy) on a log scale, loss in the
        quote's currency per policy period on a linear scale.

    Notes
    -----
    The loss at return period :math:`T` is the empirical quantile at level :math:`1 - 1/T`
    of the simulated aggregate (AEP) or largest-occurrence (OEP) loss of a period, i.e.
    :math:`\mathrm{VaR}_{1-1/T}` (Hyndman & Fan 1996, definition 1; ``docs/measures.md``).
    A dotted line, labelled "1 in 200", marks the 1-in-200 point,
    the Solvency II calibration of the SCR (Directive 2009/138/EC, Art. 101(3)).
    """
    periods = chart_return_periods(quote.simulation.n_years)
    curves = quote.ep_curves(return_periods=tuple(float(t) for t in periods))
    figure = Figure(figsize=(11.0, 4.6), dpi=dpi, layout="constrained")
    FigureCanvasAgg(figure)  # attach the Agg canvas explicitly: no pyplot, no backend switch
    axes = figure.subplots(1, 2, sharey=False)
    titles = {
        "aep": "Aggregate loss in the period (AEP)",
        "oep": "Largest single occurrence (OEP)",
    }
    unit = period_unit(quote.submission.policy_period_years)
    fallback = iter(_FALLBACK_COLOURS * 4)
    colours = {line: _LINE_COLOURS.get(line) or next(fallback) for line in quote.simulation.lines}
    for ax, kind in zip(axes, ("aep", "oep"), strict=True):
        subset = curves[curves["kind"] == kind]
        for line in (*quote.simulation.lines, "total"):
            rows = subset[subset["line"] == line]
            is_total = line == "total"
            ax.plot(
                rows["return_period"].to_numpy(),
                rows["loss"].to_numpy(),
                label=line_label(line),
                color="black" if is_total else colours[line],
                # The total underneath, wider: a line equal to the total (a one-line policy,
                # or a line that dominates) stays visible on top of it.
                linewidth=3.2 if is_total else 1.5,
                zorder=2 if is_total else 3,
            )
        ax.set_xscale("log")
        ax.xaxis.set_major_locator(LogLocator(base=10.0))
        ax.xaxis.set_major_formatter(FuncFormatter(_amount_axis))
        ax.yaxis.set_major_formatter(FuncFormatter(_amount_axis))
        ax.set_xlabel(f"Return period ({unit}, log scale)")
        ax.set_ylabel(f"Loss ({quote.currency})")
        ax.set_title(titles[kind], fontsize=11)
        ax.grid(True, which="major", alpha=0.35)
        ax.grid(True, which="minor", axis="x", alpha=0.12)
        if periods[-1] >= 200.0:
            ax.axvline(200.0, color="grey", linestyle=":", linewidth=1.0)
            ax.annotate(
                f"1 in 200 {unit}",
                xy=(200.0, 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(-3, -3),
                textcoords="offset points",
                rotation=90,
                ha="right",
                va="top",
                fontsize=8,
                color="dimgrey",
            )
        ax.set_ylim(bottom=0.0)
    axes[0].legend(loc="upper left", fontsize=9, frameon=False)
    figure.suptitle(
        f"Exceedance probability, {quote.simulation.n_years:,} simulated periods "
        f"(seed {quote.provenance.seed})",
        fontsize=11,
    )
    return figure
