"""Reserve variability: the bootstrap ODP chain ladder and the one-year (CDR) view."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from xborder_risk._validation import check_choice, check_int, check_probability
from xborder_risk.errors import ParameterError
from xborder_risk.reserves._chainladder import MackChainladder, _require_triangle
from xborder_risk.reserves._common import lower_quantile
from xborder_risk.reserves._triangle import Triangle

__all__ = ["BootstrapODP", "MerzWuthrich"]

ProcessDistribution = Literal["gamma", "odp", "none"]
ResidualAdjustment = Literal["dof", "none"]
BLOCK = 1_000  # simulations per block; block b draws from SeedSequence(seed).spawn(...)[b]
# 1 - h below this marks a cell the fit reproduces exactly (the only observed cell of its
# origin or development age, h = 1 up to rounding of ~1e-15): its standardised residual is
# 0 / 0, undefined, and it is left out of the resampled pool
FULL_LEVERAGE = 1e-9


def _volume_factors(c: NDArray[np.float64], pairs: NDArray[np.bool_]) -> NDArray[np.float64]:
    """Volume-weighted factors over the last axis pair (k, k+1); works on stacked samples."""
    before = np.where(pairs, c[..., :-1], 0.0).sum(axis=-2)
    after = np.where(pairs, c[..., 1:], 0.0).sum(axis=-2)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(before > 0.0, after / before, 1.0)


def _odp_leverages(
    owner: str, fitted: NDArray[np.float64], cells: NDArray[np.bool_]
) -> NDArray[np.float64]:
    """Leverages h_ii of the ODP GLM on ``cells``: the diagonal of W^1/2 X (X'WX)^-1 X' W^1/2.

    The design X has one column per origin and one per development age after the first (log
    link, p = n_origin + n_dev - 1 parameters), the weights W = diag(m) are the fitted means
    (the Poisson GLM's working weights under the log link). h_ii = m_i x_i' (X'WX)^-1 x_i;
    NaN outside ``cells``. The leverages add up to p.
    """
    n_origin, n_dev = fitted.shape
    rows, cols = np.nonzero(cells)
    w = fitted[rows, cols]
    x = np.zeros((rows.size, n_origin + n_dev - 1))
    x[np.arange(rows.size), rows] = 1.0
    later = cols > 0
    x[np.arange(rows.size)[later], n_origin + cols[later] - 1] = 1.0
    information = x.T @ (w[:, None] * x)
    try:
        solved = np.linalg.solve(information, x.T)  # (X'WX)^-1 X'
    except np.linalg.LinAlgError:
        solved = None
    if solved is None or not np.all(np.isfinite(solved)):
        raise ParameterError(
            owner,
            "triangle",
            f"{int(cells.sum())} cells with a positive fitted amount",
            "must give each origin and each development age at least one such cell "
            "for the hat matrix (hat_adjustment=True)",
        )
    leverage = np.full(fitted.shape, np.nan)
    leverage[rows, cols] = w * np.einsum("ij,ji->i", x, solved)
    return leverage


class BootstrapODP:
    """Bootstrap of the over-dispersed Poisson chain ladder (England and Verrall 2002).

    Parameters
    ----------
    n_sims : int >= 1, default 10000
        Number of bootstrap samples.
    seed : int >= 0, default 0
        Seed of :class:`numpy.random.SeedSequence`; the samples are drawn in fixed blocks of
        1,000, block ``b`` from the ``b``-th spawned child, so a result is reproducible and
        the first 1,000 samples do not change with ``n_sims``.
    process_distribution : {"gamma", "odp", "none"}, default "gamma"
        Process variance of each future incremental amount with mean m: a gamma with mean m
        and variance phi m (England and Verrall 2002, Appendix 3), an over-dispersed Poisson
        phi * Poisson(m / phi), or none (parameter error only). A negative mean is simulated
        as minus the distribution of its absolute value.
    residual_adjustment : {"dof", "none"}, default "dof"
        Multiply the Pearson residuals by sqrt(n / (n - p)), the degrees-of-freedom bias
        correction of England and Verrall (2002, section 7.3). Has no effect with
        ``hat_adjustment=True``, which replaces it.
    hat_adjustment : bool, default False
        Resample the standardised Pearson residuals r_ik / sqrt(1 - h_ik) instead, h_ik the
        leverages of the ODP GLM (Pinheiro, Andrade e Silva and Centeno 2003; England and
        Verrall 2006): see Notes. The scale ``scale_`` stays the unadjusted Pearson
        chi-square over n - p.

    Attributes
    ----------
    unpaid_ : ndarray, shape (n_sims, n_origin)
        Simulated unpaid (future payments) per origin, currency of the triangle.
    total_unpaid_ : ndarray, shape (n_sims,)
    scale_ : float
        phi, the Pearson scale parameter sum r^2 / (n - p).
    residuals_ : pandas.DataFrame
        The (unadjusted) Pearson residuals; NaN where undefined.
    adjusted_residuals_ : pandas.DataFrame
        The residuals the samples draw from, triangle-shaped: r sqrt(n / (n - p)) with
        ``"dof"``, r with ``"none"``, r / sqrt(1 - h) with ``hat_adjustment=True`` (NaN where
        h = 1: those cells are not in the pool).
    hat_ : pandas.DataFrame or None
        With ``hat_adjustment=True``, the leverages h_ik in [0, 1] (the diagonal of the hat
        matrix, triangle-shaped, NaN off the fitted cells; they add up to p); else None.
        chainladder's ``BootstrapODPSample.hat_`` holds 1 / sqrt(1 - h) instead.
    summary_ : pandas.DataFrame
        Per origin and ``"Total"``: latest, chain-ladder ibnr, bootstrap mean, std_err and
        the 75 %, 95 % and 99.5 % quantiles of the unpaid.

    Notes
    -----
    With the volume-weighted chain-ladder factors f_k, the fitted cumulative amounts are
    m^c_{ik} = C_{i,I_i} / prod_{j=k}^{I_i-1} f_j back from each latest diagonal, and the
    fitted incrementals m_{ik} their differences. Pearson residuals
    r_{ik} = (X_{ik} - m_{ik}) / sqrt(m_{ik}) (cells with m_{ik} > 0), the scale
    phi = sum r^2 / (n - p) with n cells and p = 2 n_origin - 1 parameters. Each sample
    draws residuals with replacement, forms X* = m + r* sqrt(m), refits the factors on the
    cumulated X*, projects the future incremental means from the sample's latest diagonal
    and draws the process error around them (England and Verrall 2002, BAJ 8(3),
    443-544, Appendix 3; England 2002, Insurance: Mathematics and Economics 31, 461-466).
    The loops run over development ages, never over samples.

    Hat-matrix adjustment: the chain-ladder fit is the maximum-likelihood fit of the ODP GLM
    log m_ik = a_i + b_k (b_0 = 0), whose hat matrix is H = W^1/2 X (X'WX)^-1 X' W^1/2 with
    W = diag(m). A Pearson residual has variance about phi (1 - h_ik), not phi, so the
    standardised residuals r_ik / sqrt(1 - h_ik) have about equal variance phi and are
    resampled as they are, without the sqrt(n / (n - p)) factor, which corrects the same
    bias on average only (Pinheiro, Andrade e Silva and Centeno 2003, Journal of Risk and
    Insurance 70(4), 701-714; England and Verrall 2006, Annals of Actuarial Science 1(2),
    221-270, the bootstrap procedure and its Appendix). The scale parameter is, as there,
    the unadjusted Pearson chi-square over n - p. A cell alone in its origin or
    development age (a square triangle's two corners) has h = 1 and residual 0: its
    standardised residual is 0 / 0 and it is left out of the pool (chainladder's
    ``BootstrapODPSample(hat_adj=True)`` also leaves out zero residuals, and centres the
    pool on zero, which England and Verrall do not); every fitted cell, those included,
    still receives a resampled residual.
    """

    _owner = "BootstrapODP"

    def __init__(
        self,
        n_sims: int = 10_000,
        seed: int = 0,
        process_distribution: ProcessDistribution = "gamma",
        residual_adjustment: ResidualAdjustment = "dof",
        hat_adjustment: bool = False,
    ) -> None:
        self.n_sims = check_int(self._owner, "n_sims", n_sims, lower=1)
        self.seed = check_int(self._owner, "seed", seed, lower=0)
        self.process_distribution = check_choice(
            self._owner, "process_distribution", process_distribution, ("gamma", "odp", "none")
        )
        self.residual_adjustment = check_choice(
            self._owner, "residual_adjustment", residual_adjustment, ("dof", "none")
        )
        if not isinstance(hat_adjustment, bool | np.bool_):
            raise ParameterError(
                self._owner, "hat_adjustment", hat_adjustment, "must be True or False"
            )
        self.hat_adjustment = bool(hat_adjustment)

    def fit(self, triangle: Triangle) -> BootstrapODP:
        """Bootstrap ``triangle`` (cumulative or incremental); returns ``self``."""
        tri = _require_triangle(self._owner, triangle)
        c = np.asarray(tri.values)
        n_origin, n_dev = c.shape
        observed = ~np.isnan(c)
        latest_index = tri.latest_index
        pairs = observed[:, 1:] & observed[:, :-1]
        f = _volume_factors(np.nan_to_num(c), pairs)
        # fitted cumulative, backwards from the latest diagonal
        latest = c[np.arange(n_origin), latest_index]
        cum_f = np.concatenate([np.cumprod(f[::-1])[::-1], [1.0]])  # prod_{j>=k} f_j
        with np.errstate(divide="ignore", invalid="ignore"):
            fitted_cum = latest[:, None] * cum_f[latest_index][:, None] / cum_f[None, :]
        fitted_cum = np.where(observed, fitted_cum, np.nan)
        fitted = np.diff(fitted_cum, axis=1, prepend=0.0)
        actual = np.diff(c, axis=1, prepend=0.0)
        usable = observed & (fitted > 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            residuals = np.where(usable, (actual - fitted) / np.sqrt(fitted), np.nan)
        n = int(usable.sum())
        p = n_origin + n_dev - 1
        if n <= p:
            raise ParameterError(
                self._owner,
                "triangle",
                f"{n} cells with a positive fitted amount",
                f"must exceed the {p} parameters of the model",
            )
        phi = float(np.nansum(residuals**2) / (n - p))
        leverage = None
        if self.hat_adjustment:
            leverage = _odp_leverages(self._owner, fitted, usable)
            defined = usable & (1.0 - leverage > FULL_LEVERAGE)
            with np.errstate(divide="ignore", invalid="ignore"):
                adjusted = np.where(defined, residuals / np.sqrt(1.0 - leverage), np.nan)
            pool = adjusted[defined]
        else:
            factor = np.sqrt(n / (n - p)) if self.residual_adjustment == "dof" else 1.0
            adjusted = residuals * factor
            # cells with a zero residual by construction (a single-cell column or row) are
            # kept: England and Verrall (2002) resample every residual
            pool = residuals[usable]
            if self.residual_adjustment == "dof":
                pool = pool * np.sqrt(n / (n - p))
        self.scale_ = phi
        self._f = f
        blocks = -(-self.n_sims // BLOCK)
        children = np.random.SeedSequence(self.seed).spawn(blocks)
        samples = []
        for b, child in enumerate(children):
            size = min(BLOCK, self.n_sims - b * BLOCK)
            samples.append(
                self._simulate(
                    np.random.default_rng(child), size, fitted, usable, observed, pool, phi
                )
            )
        unpaid = np.concatenate(samples, axis=0)
        self.unpaid_ = unpaid
        self.total_unpaid_ = unpaid.sum(axis=1)
        index = pd.Index(tri.origin, name="origin")
        columns = pd.Index(tri.development, name="development")
        self.residuals_ = pd.DataFrame(residuals, index=index, columns=columns)
        self.adjusted_residuals_ = pd.DataFrame(adjusted, index=index, columns=columns)
        self.hat_ = (
            None if leverage is None else pd.DataFrame(leverage, index=index, columns=columns)
        )
        ibnr = latest * cum_f[latest_index] - latest
        rows = []
        for label, x, cl_ibnr, last in [
            *zip(tri.origin, unpaid.T, ibnr, latest, strict=True),
            ("Total", self.total_unpaid_, float(ibnr.sum()), float(latest.sum())),
        ]:
            rows.append(
                {
                    "origin": label,
                    "latest": last,
                    "ibnr": cl_ibnr,
                    "mean": float(x.mean()),
                    "std_err": float(x.std(ddof=1)) if x.size > 1 else 0.0,
                    "p75": lower_quantile(self._owner, "p", x, 0.75),
                    "p95": lower_quantile(self._owner, "p", x, 0.95),
                    "p99.5": lower_quantile(self._owner, "p", x, 0.995),
                }
            )
        self.summary_ = pd.DataFrame(rows).set_index("origin")
        return self

    def quantile(self, p: float) -> pd.Series:
        """VaR_p of the unpaid per origin and in total (lower empirical quantile)."""
        p = check_probability(self._owner, "p", p)
        values = [lower_quantile(self._owner, "p", x, p) for x in self.unpaid_.T]
        values.append(lower_quantile(self._owner, "p", self.total_unpaid_, p))
        return pd.Series(values, index=[*self.summary_.index[:-1], "Total"], name=f"q{p}")

    def _simulate(
        self,
        rng: np.random.Generator,
        size: int,
        fitted: NDArray[np.float64],
        usable: NDArray[np.bool_],
        observed: NDArray[np.bool_],
        pool: NDArray[np.float64],
        phi: float,
    ) -> NDArray[np.float64]:
        n_origin, n_dev = fitted.shape
        draws = pool[rng.integers(0, pool.size, size=(size, int(usable.sum())))]
        pseudo = np.broadcast_to(
            np.where(observed, np.nan_to_num(fitted), 0.0), (size, *fitted.shape)
        ).copy()
        root = np.sqrt(np.where(usable, fitted, 0.0))
        pseudo[:, usable] += draws * root[usable]
        cumulative = np.cumsum(pseudo, axis=2)
        pairs = observed[:, 1:] & observed[:, :-1]
        f = _volume_factors(cumulative, np.broadcast_to(pairs, cumulative[..., 1:].shape))
        # project from each sample's latest diagonal: future incremental means
        future_mean = np.zeros((size, n_origin, n_dev))
        current = cumulative[:, np.arange(n_origin), observed.sum(axis=1) - 1]
        for k in range(1, n_dev):
            grow = ~observed[:, k]  # origins whose age k is in the future
            nxt = current * f[:, k - 1][:, None]
            future_mean[:, :, k] = np.where(grow, nxt - current, 0.0)
            current = np.where(grow, nxt, current)
        if self.process_distribution == "none":
            return future_mean.sum(axis=2)
        m = np.abs(future_mean)
        sign = np.sign(future_mean)
        if self.process_distribution == "gamma":
            with np.errstate(divide="ignore", invalid="ignore"):
                draws_p: NDArray[np.float64] = rng.gamma(np.where(m > 0.0, m / phi, 1.0), phi)
        else:
            draws_p = phi * rng.poisson(m / phi).astype(np.float64)
        return (np.where(m > 0.0, sign * draws_p, 0.0)).sum(axis=2)


class MerzWuthrich:
    """One-year claims development result (CDR) uncertainty of the chain ladder.

    Root mean squared error of prediction of the CDR over the next accounting year, per
    origin and in total (Merz and Wüthrich 2008, "Modelling the claims development result for
    solvency purposes", CAS E-Forum Fall 2008, Result 3.3 with the linear approximations of
    eq. (3.17)-(3.19)), beside Mack's ultimate-view standard error of the same fit.

    Parameters
    ----------
    sigma_extrapolation : {"mack", "loglinear"}, default "mack"
        As :class:`MackChainladder`.

    Attributes
    ----------
    cdr_std_err_ : pandas.Series
        Per origin, msep(CDR_i)^(1/2) (currency).
    total_cdr_std_err_ : float
    mack_std_err_ : pandas.Series ; total_mack_std_err_ : float
        Mack's (1993) ultimate view, for comparison.
    summary_ : pandas.DataFrame
        Per origin and ``"Total"``: ibnr, cdr_std_err, mack_std_err.

    Notes
    -----
    With S_j^I = sum_{i <= I-j-1} C_{ij} (the volume behind f_j today), S_j^{I+1} = S_j^I
    + C_{I-j,j} (next year's volume, adding the diagonal) and, for origin i with latest age
    a = I - i, w_j = C_{I-j,j} / S_j^{I+1}:

        Gamma_i = s_a / C_{i,a} + sum_{j=a+1}^{J-1} w_j^2 s_j / C_{I-j,j}
        Delta_i = s_a / S_a^I  + sum_{j=a+1}^{J-1} w_j^2 s_j / S_j^I

    with s_j = sigma_j^2 / f_j^2, and msep(CDR_i) = U_i^2 (Gamma_i + Delta_i). For the
    total, each pair i < k (i older, latest age a) adds 2 U_i U_k (Xi_i + Lambda_i) with

        Xi_i     = s_a / S_a^{I+1}            + sum_{j=a+1}^{J-1} w_j^2 s_j / C_{I-j,j}
        Lambda_i = (C_{i,a} / S_a^{I+1}) s_a / S_a^I + sum_{j=a+1}^{J-1} w_j^2 s_j / S_j^I.

    The fit is the volume-weighted chain ladder on a square (n x n) triangle without a tail.
    """

    _owner = "MerzWuthrich"

    def __init__(self, sigma_extrapolation: Literal["mack", "loglinear"] = "mack") -> None:
        self.sigma_extrapolation = check_choice(
            self._owner, "sigma_extrapolation", sigma_extrapolation, ("mack", "loglinear")
        )

    def fit(self, triangle: Triangle) -> MerzWuthrich:
        """Fit Mack's chain ladder to ``triangle`` and estimate the CDR errors; returns self."""
        tri = _require_triangle(self._owner, triangle)
        n_origin, n_dev = tri.shape
        expected = np.minimum(n_dev, n_origin - np.arange(n_origin)) - 1
        if n_origin != n_dev or not np.array_equal(tri.latest_index, expected):
            raise ParameterError(
                self._owner,
                "triangle",
                f"shape {tri.shape}",
                "must be a square triangle (one origin per development age)",
            )
        mack = MackChainladder(sigma_extrapolation=self.sigma_extrapolation).fit(tri)  # type: ignore[arg-type]
        c = np.nan_to_num(np.asarray(tri.values))
        f = mack.ldf_.to_numpy()
        s = mack.sigma_.to_numpy() ** 2 / f**2
        big_i = n_origin - 1
        diagonal = np.array([c[big_i - j, j] for j in range(n_dev)])  # C_{I-j, j}
        s_now = np.array([c[: big_i - j, j].sum() for j in range(n_dev - 1)])  # S_j^I
        s_next = s_now + diagonal[:-1]  # S_j^{I+1}
        w2 = (diagonal[:-1] / s_next) ** 2
        ultimate = mack.ultimate_.to_numpy()
        gamma = np.zeros(n_origin)
        delta = np.zeros(n_origin)
        xi = np.zeros(n_origin)
        lam = np.zeros(n_origin)
        for i in range(1, n_origin):
            a = big_i - i
            later = slice(a + 1, n_dev - 1)
            tail_process = float((w2[later] * s[later] / diagonal[later]).sum())
            tail_parameter = float((w2[later] * s[later] / s_now[later]).sum())
            gamma[i] = s[a] / c[i, a] + tail_process
            delta[i] = s[a] / s_now[a] + tail_parameter
            xi[i] = s[a] / s_next[a] + tail_process
            lam[i] = c[i, a] / s_next[a] * s[a] / s_now[a] + tail_parameter
        msep = ultimate**2 * (gamma + delta)
        younger = np.triu(np.ones((n_origin, n_origin), dtype=bool), k=1)  # k > i
        cross = (ultimate[:, None] * ultimate[None, :] * (xi + lam)[:, None])[younger].sum()
        total = float(msep.sum() + 2.0 * cross)
        index = pd.Index(tri.origin, name="origin")
        self.mack_ = mack
        self.cdr_std_err_ = pd.Series(np.sqrt(msep), index=index, name="cdr_std_err")
        self.total_cdr_std_err_ = float(np.sqrt(total))
        self.mack_std_err_ = mack.std_err_
        self.total_mack_std_err_ = mack.total_std_err_
        per_origin = pd.DataFrame(
            {
                "ibnr": mack.ibnr_.to_numpy(),
                "cdr_std_err": self.cdr_std_err_.to_numpy(),
                "mack_std_err": mack.std_err_.to_numpy(),
            },
            index=pd.Index(list(tri.origin), name="origin", dtype=object),
        )
        per_origin.loc["Total"] = [
            float(mack.ibnr_.sum()),
            self.total_cdr_std_err_,
            mack.total_std_err_,
        ]
        self.summary_ = per_origin
        return self
