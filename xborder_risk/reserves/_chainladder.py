"""Chain-ladder projection and Mack's distribution-free standard error."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from xborder_risk._validation import check_choice, check_real
from xborder_risk.errors import ParameterError
from xborder_risk.reserves._triangle import Triangle

__all__ = ["AVERAGES", "TAIL_CURVES", "Chainladder", "MackChainladder", "fit_tail"]


def _require_triangle(owner: str, triangle: object) -> Triangle:
    if not isinstance(triangle, Triangle):
        raise ParameterError(owner, "triangle", type(triangle).__name__, "must be a Triangle")
    if triangle.shape[1] < 2:
        raise ParameterError(
            owner, "triangle", repr(triangle), "must have at least 2 development ages"
        )
    return triangle.to_cumulative()


Average = Literal["volume", "simple", "regression"]
TailCurve = Literal["exponential", "inverse_power"]
AVERAGES: tuple[str, ...] = ("volume", "simple", "regression")
TAIL_CURVES: tuple[str, ...] = ("exponential", "inverse_power")
# Mack (1999): the factor f_k = sum C^alpha F / sum C^alpha; alpha per named average
_ALPHA = {"volume": 1.0, "simple": 0.0, "regression": 2.0}
TAIL_STEPS = 100  # steps over which a fitted curve is extrapolated (the chainladder default)


def fit_tail(factors: NDArray[np.float64], curve: str, owner: str = "Chainladder") -> float:
    """Tail factor from a curve fitted to the development factors above 1.

    ``"exponential"``: log(f_k - 1) = a + b k (Sherman 1984, exponential decay);
    ``"inverse_power"``: log(f_k - 1) = a + b log k (Sherman 1984, inverse power), with k = 1,
    2, ... the step number. The tail is prod_{k=n}^{n+99} (1 + exp(fitted)), n the first step
    beyond the triangle: 100 steps, as the chainladder package's ``TailCurve``.
    """
    steps = np.arange(1, factors.size + 1, dtype=np.float64)
    used = factors > 1.0
    if used.sum() < 2:
        raise ParameterError(
            owner, "tail", curve, "needs at least two development factors above 1 to fit a curve"
        )
    x = steps[used] if curve == "exponential" else np.log(steps[used])
    slope, intercept = np.polyfit(x, np.log(factors[used] - 1.0), 1)
    if slope >= 0.0:
        raise ParameterError(
            owner, "tail", curve, f"the fitted curve does not decay (slope {slope:.4g} >= 0)"
        )
    future = np.arange(factors.size + 1, factors.size + 1 + TAIL_STEPS, dtype=np.float64)
    xf = future if curve == "exponential" else np.log(future)
    return float(np.prod(1.0 + np.exp(intercept + slope * xf)))


class Chainladder:
    """Deterministic chain-ladder method: development factors, projection and an optional tail.

    Fitted attributes (after :meth:`fit`) end in an underscore, as in scikit-learn and the
    chainladder package.

    Parameters
    ----------
    average : {"volume", "simple", "regression"}, default "volume"
        How link ratios are averaged into a factor: volume-weighted (sum C_{k+1} / sum C_k),
        simple mean of the ratios, or least squares through the origin
        (sum C_k C_{k+1} / sum C_k^2) -- Mack's (1999) alpha = 1, 0, 2.
    exclude : sequence of (origin, development) pairs, optional
        Link ratios left out of the averages, each named by its origin label and the
        development label of its YOUNGER age (the ratio from that age to the next).
    tail : float >= 1, "exponential", "inverse_power" or None, default None
        A tail factor beyond the last development age: given, or fitted to the factors by
        :func:`fit_tail`. None means no tail (factor 1).

    Attributes
    ----------
    ldf_ : pandas.Series
        Age-to-age factors f_k, indexed ``"a-b"``.
    tail_ : float
        The tail factor applied (1 without a tail).
    cdf_ : pandas.Series
        Age-to-ultimate factors prod_{j >= k} f_j times the tail, indexed ``"a-Ult"``.
    ultimate_ : pandas.Series
        Projected ultimate per origin (currency of the triangle).
    ibnr_ : pandas.Series
        Ultimate minus latest per origin: the outstanding amount still to emerge on the
        triangle's basis (IBNR for an incurred triangle, the whole reserve for a paid one).
    latest_ : pandas.Series
        Latest diagonal per origin.
    full_triangle_ : pandas.DataFrame
        The cumulative triangle completed with the projections (without the tail).

    Notes
    -----
    With cumulative amounts C_{ik} (origin i, development age k), F_{ik} = C_{i,k+1}/C_{ik}
    and S_k the set of origins observed at both ages k and k+1 with C_{ik} > 0 (a zero
    amount carries no information on a ratio) and not excluded,

        f_k = sum_{i in S_k} C_{ik}^alpha F_{ik} / sum_{i in S_k} C_{ik}^alpha

    (Mack 1993, eq. (2) for alpha = 1; Mack 1999 for the family). A step where every origin
    is zero at both ages (a line with no amounts yet at young ages) has f_k = 1: nothing
    to develop. Projections are C_{i,k+1} = C_{ik} f_k beyond the latest diagonal; the
    ultimate is the last projected age times the tail factor.
    """

    _owner = "Chainladder"

    def __init__(
        self,
        average: Average = "volume",
        exclude: Sequence[tuple[Hashable, Hashable]] = (),
        tail: float | TailCurve | None = None,
    ) -> None:
        self.average = check_choice(self._owner, "average", average, AVERAGES)
        if isinstance(exclude, str) or not isinstance(exclude, Sequence):
            raise ParameterError(
                self._owner, "exclude", exclude, "must be a sequence of (origin, development)"
            )
        for pair in exclude:
            if not isinstance(pair, tuple | list) or len(pair) != 2:
                raise ParameterError(
                    self._owner, "exclude", pair, "each item must be an (origin, development) pair"
                )
        self.exclude = tuple((p[0], p[1]) for p in exclude)
        self.tail: float | str | None
        if tail is None or isinstance(tail, str):
            if tail is not None:
                check_choice(self._owner, "tail", tail, TAIL_CURVES)
            self.tail = tail
        else:
            self.tail = check_real(self._owner, "tail", tail, lower=1.0)

    def _exclusion_mask(self, tri: Triangle) -> NDArray[np.bool_]:
        mask = np.zeros((tri.shape[0], tri.shape[1] - 1), dtype=bool)
        for origin, age in self.exclude:
            if origin not in tri.origin:
                raise ParameterError(
                    self._owner, "exclude", (origin, age), f"origin {origin!r} not in the triangle"
                )
            if age not in tri.development[:-1]:
                raise ParameterError(
                    self._owner,
                    "exclude",
                    (origin, age),
                    f"development {age!r} is not the younger age of a link ratio",
                )
            mask[tri.origin.index(origin), tri.development.index(age)] = True
        return mask

    def fit(self, triangle: Triangle) -> Chainladder:
        """Estimate the factors and project ``triangle``; returns ``self``."""
        tri = _require_triangle(self._owner, triangle)
        c = np.asarray(tri.values)
        n_dev = c.shape[1]
        alpha = _ALPHA[self.average]
        observed = ~np.isnan(c[:, 1:])
        pairs = observed & (np.nan_to_num(c[:, :-1]) > 0.0) & ~self._exclusion_mask(tri)
        before = np.where(pairs, c[:, :-1], 1.0)
        weight = np.where(pairs, before**alpha, 0.0)
        ratio = np.where(pairs, np.nan_to_num(c[:, 1:]) / before, 0.0)
        volume = weight.sum(axis=0)
        nothing = observed & (np.nan_to_num(c[:, :-1]) == 0.0) & (np.nan_to_num(c[:, 1:]) == 0.0)
        undefined = volume <= 0.0
        all_zero = undefined & (nothing.sum(axis=0) == observed.sum(axis=0))
        if (undefined & ~all_zero).any():
            k = int(np.argmax(undefined & ~all_zero))
            raise ParameterError(
                self._owner,
                "triangle",
                f"development {tri.development[k]!r} -> {tri.development[k + 1]!r}",
                "needs at least one origin with a positive amount at the younger age "
                "(and not excluded) to estimate a development factor",
            )
        with np.errstate(divide="ignore", invalid="ignore"):
            factors = np.where(undefined, 1.0, (weight * ratio).sum(axis=0) / volume)
        latest_index = tri.latest_index
        projected = c.copy()
        for k in range(n_dev - 1):
            fill = np.isnan(projected[:, k + 1])
            projected[fill, k + 1] = projected[fill, k] * factors[k]
        if self.tail is None:
            tail = 1.0
        elif isinstance(self.tail, str):
            tail = fit_tail(factors, self.tail, self._owner)
        else:
            tail = float(self.tail)

        labels = [f"{tri.development[k]}-{tri.development[k + 1]}" for k in range(n_dev - 1)]
        cdf = np.cumprod(np.append(factors, 1.0)[::-1])[::-1] * tail
        origin_index = pd.Index(tri.origin, name="origin")
        ultimate = projected[:, -1] * tail
        self.triangle_ = tri
        self._alpha = alpha
        self._pairs = pairs
        self._volume = volume
        self._factors = factors
        self._projected = projected
        self._latest_index = latest_index
        self.tail_ = tail
        self.ldf_ = pd.Series(factors, index=pd.Index(labels, name="development"), name="ldf")
        self.cdf_ = pd.Series(
            cdf,
            index=pd.Index([f"{d}-Ult" for d in tri.development], name="development"),
            name="cdf",
        )
        self.latest_ = tri.latest_diagonal
        self.ultimate_ = pd.Series(ultimate, index=origin_index, name="ultimate")
        self.ibnr_ = pd.Series(ultimate - self.latest_.to_numpy(), index=origin_index, name="ibnr")
        self.full_triangle_ = pd.DataFrame(
            projected, index=origin_index, columns=pd.Index(tri.development, name="development")
        )
        return self

    @property
    def cdf_to_date_(self) -> NDArray[np.float64]:
        """Per origin, the age-to-ultimate factor from its latest age (shape (n_origin,))."""
        return np.asarray(self.cdf_.to_numpy(), dtype=np.float64)[self._latest_index]


SigmaExtrapolation = Literal["mack", "loglinear"]


class MackChainladder(Chainladder):
    """Mack's (1993) chain-ladder standard error of the reserve, per origin and in total.

    Parameters
    ----------
    sigma_extrapolation : {"mack", "loglinear"}, default "mack"
        How to fill the variance parameters sigma_k^2 that cannot be estimated (a development
        step with fewer than two observed ratios, normally only the last one):
        ``"mack"`` uses Mack's (1993) rule, ``"loglinear"`` a least-squares line through
        log(sigma_k) against k, extrapolated (as R ChainLadder's ``est.sigma="log-linear"``).
    average, exclude
        As :class:`Chainladder`.
    tail : float >= 1, "exponential", "inverse_power" or None, default None
        A tail factor f_ult beyond the last development age, as :class:`Chainladder`; Mack's
        (1999) recursion then takes one more step, from the last age to ultimate. None: no
        tail step (the Mack 1993 figures).
    tail_se : float >= 0 or None, default None
        The standard error of the tail factor, s.e.(f_ult) (dimensionless). None: extrapolated
        as R ChainLadder and the chainladder package do (see Notes). Needs a tail.
    tail_sigma : float >= 0 or None, default None
        sigma_ult of the tail step, in the unit of the other sigma_k (currency^(alpha/2):
        sqrt(currency) for the volume average). None: extrapolated (see Notes). Needs a tail.

    Attributes
    ----------
    sigma_ : pandas.Series
        sigma_k per development step (``"a-b"``), estimated or extrapolated; with a tail one
        more entry, ``"<last age>-Ult"``, the tail step's sigma_ult.
    sigma_extrapolated_ : pandas.Series of bool
        Which sigma_k were extrapolated (the tail entry: extrapolated rather than given).
    factor_std_err_ : pandas.Series
        s.e.(f_k) = sigma_k / sqrt(sum_{i in S_k} C_{ik}^alpha) per step (dimensionless), and
        s.e.(f_ult) for the tail step when there is one.
    tail_sigma_, tail_se_ : float
        sigma_ult and s.e.(f_ult) used for the tail step (0 without a tail).
    tail_position_ : float
        The development step (k = 1, 2, ... as in :func:`fit_tail`) at which the fitted
        factor curve reaches the tail factor, where sigma and s.e. were extrapolated; NaN when
        nothing was extrapolated.
    process_variance_, parameter_variance_ : pandas.Series
        Per origin, the two parts of the mean squared error of the reserve (currency^2).
    mse_ : pandas.Series
        Per origin, process + parameter variance (currency^2).
    std_err_ : pandas.Series
        Per origin, sqrt(mse_) (currency).
    total_process_variance_, total_parameter_variance_, total_mse_, total_std_err_ : float
        The same for the total reserve, the parameter part including the covariance between
        origins (they share the estimated factors).
    mack_std_err_, total_mack_std_err_
        The chainladder package's names for ``std_err_`` and ``total_std_err_``.
    summary_ : pandas.DataFrame
        One row per origin and a ``"Total"`` row: latest, ultimate, ibnr,
        process_std_err, parameter_std_err, mack_std_err; with a tail also tail_std_err, the
        square root of the tail step's own term in the recursion (see Notes).

    Notes
    -----
    With ``average`` other than "volume" the model is Mack's (1999) family,
    Var[C_{i,k+1} | C_{ik}] = sigma_k^2 C_{ik}^(2 - alpha), and every C_{ik} below stands as
    C_{ik}^alpha (sigma_k^2 and the parameter term weigh by C^alpha, the process term by
    C^-alpha); excluded link ratios leave the sums. The formulas as printed are alpha = 1.

    Model (Mack 1993, assumptions (i)-(iii)): E[C_{i,k+1} | C_{i1..ik}] = f_k C_{ik},
    Var[C_{i,k+1} | C_{i1..ik}] = sigma_k^2 C_{ik}, origins independent. Estimator
    (Mack 1993, eq. (3)), with n_k the number of ratios in step k:

        sigma_k^2 = 1/(n_k - 1) sum_{i in S_k} C_{ik} (C_{i,k+1}/C_{ik} - f_k)^2.

    For the last step Mack (1993, p. 219) sets
    sigma_{n-1}^2 = min(sigma_{n-2}^4 / sigma_{n-3}^2, min(sigma_{n-3}^2, sigma_{n-2}^2)).

    Mean squared error of the reserve R_i = C_{i,n} - C_{i,I_i} of origin i (Theorem 3,
    eq. (7)), with K_i the steps still to develop, C^_{ik} the projections and
    W_k = sigma_k^2 / f_k^2 / sum_{j in S_k} C_{jk}:

        mse(R_i) = C^_{in}^2 sum_{k in K_i} (sigma_k^2 / f_k^2) (1/C^_{ik} + 1/sum_j C_{jk})

    split as process (the 1/C^_{ik} term) plus parameter (the 1/sum_j C_{jk} term). For the
    total (Mack 1993, Corollary to Theorem 3, eq. (9)):

        mse(R) = sum_i mse(R_i) + 2 sum_{i<j} C^_{in} C^_{jn} sum_{k in K_i ∩ K_j} W_k
               = sum_i process_i + sum_k W_k (sum_{i: k in K_i} C^_{in})^2.

    With a tail f_ult (Mack 1999), the ultimate is C^_{i,ult} = C^_{in} f_ult and Mack's
    (1999) recursion for the mean squared error takes one more step, from the last age n to
    ultimate, with sigma_ult and s.e.(f_ult) in place of sigma_k and s.e.(f_k):

        process(C^_{i,ult})   = f_ult^2 process(C^_{in})   + C^_{in}^2 sigma_ult^2 / C^_{in}^alpha
        parameter(C^_{i,ult}) = f_ult^2 parameter(C^_{in}) + C^_{in}^2 s.e.(f_ult)^2

    and for the total, the origins sharing f_ult,

        process(total)   = sum_i process(C^_{i,ult})
        parameter(total) = f_ult^2 parameter_n(total) + (sum_i C^_{in})^2 s.e.(f_ult)^2.

    Every origin takes the tail step, the oldest included (its reserve is the tail only).
    Mack (1999) leaves sigma_ult and s.e.(f_ult) to judgement, extrapolating the series of
    sigma_k and s.e.(f_k); when they are not given they are extrapolated as R ChainLadder
    (``MackChainLadder(tail=...)``) and the chainladder package (``TailBase``) do: a
    least-squares line through log(f_k - 1) against k = 1, 2, ... (the factors above 1)
    places the tail at the step k_ult where it reaches log(f_ult - 1); lines through
    log(sigma_k) and log(s.e.(f_k)) against k (every step with a positive value, the
    extrapolated last sigma included) are evaluated at k_ult. A tail factor of exactly 1 has
    sigma_ult = s.e.(f_ult) = 0 unless given (both libraries: no tail, no variability).
    Mack's (1999) worked example, Table 2 (his mortgage triangle, f_ult = 1.05, s.e.(f_ult)
    = 0.02, sigma_ult = 71 given), is reproduced in tests/reserves/test_reserves_mack_tail.py.

    References
    ----------
    Mack, T. (1993). Distribution-free calculation of the standard error of chain ladder
    reserve estimates. ASTIN Bulletin 23(2), 213-225.
    Mack, T. (1994). Which stochastic model is underlying the chain ladder method?
    Insurance: Mathematics and Economics 15, 133-138.
    Mack, T. (1999). The standard error of chain ladder reserve estimates: recursive
    calculation and inclusion of a tail factor. ASTIN Bulletin 29(2), 361-366.
    """

    _owner = "MackChainladder"

    def __init__(
        self,
        sigma_extrapolation: SigmaExtrapolation = "mack",
        average: Average = "volume",
        exclude: Sequence[tuple[Hashable, Hashable]] = (),
        tail: float | TailCurve | None = None,
        tail_se: float | None = None,
        tail_sigma: float | None = None,
    ) -> None:
        super().__init__(average=average, exclude=exclude, tail=tail)
        self.sigma_extrapolation = check_choice(
            self._owner, "sigma_extrapolation", sigma_extrapolation, ("mack", "loglinear")
        )
        self.tail_se = self._check_tail_parameter("tail_se", tail_se)
        self.tail_sigma = self._check_tail_parameter("tail_sigma", tail_sigma)

    def _check_tail_parameter(self, name: str, value: object) -> float | None:
        if value is None:
            return None
        if self.tail is None:
            raise ParameterError(
                self._owner, name, value, "needs a tail (tail=None has no tail step)"
            )
        return check_real(self._owner, name, value, lower=0.0)

    def fit(self, triangle: Triangle) -> MackChainladder:
        """Project ``triangle`` and estimate Mack's standard errors; returns ``self``."""
        super().fit(triangle)
        tri = self.triangle_
        c = np.asarray(tri.values)
        n_steps = c.shape[1] - 1
        sigma2, extrapolated = self._sigma_squared(c)
        f = self._factors
        weight = sigma2 / f**2  # sigma_k^2 / f_k^2

        projected = self._projected
        ultimate = projected[:, -1]
        step = np.arange(n_steps)[None, :]
        to_develop = step >= self._latest_index[:, None]  # k in K_i
        with np.errstate(divide="ignore", invalid="ignore"):
            inverse_projection = np.where(
                projected[:, :-1] > 0.0, projected[:, :-1] ** -self._alpha, 0.0
            )
        process = ultimate**2 * np.where(to_develop, weight * inverse_projection, 0.0).sum(axis=1)
        parameter_weight = weight / self._volume  # W_k
        parameter = ultimate**2 * np.where(to_develop, parameter_weight, 0.0).sum(axis=1)
        exposed_ultimate = np.where(to_develop, ultimate[:, None], 0.0).sum(axis=0)
        total_parameter = float((parameter_weight * exposed_ultimate**2).sum())
        with np.errstate(divide="ignore", invalid="ignore"):
            factor_variance = sigma2 / self._volume  # s.e.(f_k)^2
        step_index = self.ldf_.index
        self.tail_sigma_ = 0.0
        self.tail_se_ = 0.0
        self.tail_position_ = float("nan")
        if self.tail is not None:
            # Mack (1999): one more step of the recursion, from the last age to ultimate
            tail = self.tail_
            sigma_tail, se_tail, sigma_extrapolated = self._tail_sigma_and_se(
                sigma2, factor_variance
            )
            last = projected[:, -1]  # C^_{in}, before the tail
            with np.errstate(divide="ignore", invalid="ignore"):
                last_power = np.where(last > 0.0, last ** (2.0 - self._alpha), 0.0)
            tail_process = sigma_tail**2 * last_power
            tail_parameter = se_tail**2 * last**2
            process = tail**2 * process + tail_process
            parameter = tail**2 * parameter + tail_parameter
            total_tail_parameter = se_tail**2 * float(last.sum()) ** 2
            total_parameter = tail**2 * total_parameter + total_tail_parameter
            ultimate = np.asarray(self.ultimate_, dtype=np.float64)  # with the tail
            tail_std_err = np.sqrt(tail_process + tail_parameter)
            total_tail_std_err = float(np.sqrt(tail_process.sum() + total_tail_parameter))
            sigma2 = np.asarray(np.append(sigma2, sigma_tail**2), dtype=np.float64)
            extrapolated = np.append(extrapolated, sigma_extrapolated)
            factor_variance = np.asarray(np.append(factor_variance, se_tail**2), dtype=np.float64)
            step_index = step_index.append(
                pd.Index([f"{tri.development[-1]}-Ult"], name=step_index.name)
            )
            self.tail_sigma_ = sigma_tail
            self.tail_se_ = se_tail
        total_process = float(process.sum())

        origin_index = pd.Index(tri.origin, name="origin")
        self.sigma_ = pd.Series(np.sqrt(sigma2), index=step_index, name="sigma")
        self.sigma_extrapolated_ = pd.Series(
            extrapolated, index=step_index, name="sigma_extrapolated"
        )
        self.factor_std_err_ = pd.Series(
            np.sqrt(factor_variance), index=step_index, name="factor_std_err"
        )
        self.process_variance_ = pd.Series(process, index=origin_index, name="process_variance")
        self.parameter_variance_ = pd.Series(
            parameter, index=origin_index, name="parameter_variance"
        )
        self.mse_ = pd.Series(process + parameter, index=origin_index, name="mse")
        self.std_err_ = pd.Series(np.sqrt(process + parameter), index=origin_index, name="std_err")
        self.total_process_variance_ = total_process
        self.total_parameter_variance_ = total_parameter
        self.total_mse_ = total_process + total_parameter
        self.total_std_err_ = float(np.sqrt(self.total_mse_))
        self.mack_std_err_ = self.std_err_
        self.total_mack_std_err_ = self.total_std_err_

        per_origin = pd.DataFrame(
            {
                "latest": self.latest_.to_numpy(),
                "ultimate": ultimate,
                "ibnr": self.ibnr_.to_numpy(),
                "process_std_err": np.sqrt(process),
                "parameter_std_err": np.sqrt(parameter),
                "mack_std_err": self.std_err_.to_numpy(),
            },
            index=pd.Index(list(tri.origin), name="origin", dtype=object),
        )
        total = pd.DataFrame(
            {
                "latest": [float(self.latest_.sum())],
                "ultimate": [float(ultimate.sum())],
                "ibnr": [float(self.ibnr_.sum())],
                "process_std_err": [np.sqrt(total_process)],
                "parameter_std_err": [np.sqrt(total_parameter)],
                "mack_std_err": [self.total_std_err_],
            },
            index=pd.Index(["Total"], name="origin", dtype=object),
        )
        if self.tail is not None:
            per_origin["tail_std_err"] = tail_std_err
            total["tail_std_err"] = [total_tail_std_err]
        self.summary_ = pd.concat([per_origin, total])
        return self

    def _tail_sigma_and_se(
        self, sigma2: NDArray[np.float64], factor_variance: NDArray[np.float64]
    ) -> tuple[float, float, bool]:
        """sigma_ult and s.e.(f_ult): given, or extrapolated to where the factors reach f_ult.

        Returns (sigma_ult, s.e.(f_ult), whether sigma_ult was extrapolated).
        """
        sigma_tail, se_tail = self.tail_sigma, self.tail_se
        if sigma_tail is not None and se_tail is not None:
            return sigma_tail, se_tail, False
        tail = self.tail_
        if tail == 1.0:
            # no tail development, no tail variability (R skips the step, chainladder zeroes it)
            return sigma_tail or 0.0, se_tail or 0.0, False
        f = self._factors
        steps = np.arange(1, f.size + 1, dtype=np.float64)
        rule = "pass tail_se and tail_sigma"
        used = f > 1.0
        if used.sum() < 2:
            raise ParameterError(
                self._owner,
                "tail",
                self.tail,
                "needs at least two development factors above 1 to place the tail on the "
                f"factor curve and extrapolate its sigma and standard error ({rule})",
            )
        slope, intercept = np.polyfit(steps[used], np.log(f[used] - 1.0), 1)
        if slope >= 0.0:
            raise ParameterError(
                self._owner,
                "tail",
                self.tail,
                f"the line through log(f_k - 1) does not decay (slope {slope:.4g} >= 0), so "
                f"the tail cannot be placed on it to extrapolate its sigma and standard "
                f"error ({rule})",
            )
        position = float((np.log(tail - 1.0) - intercept) / slope)
        self.tail_position_ = position

        def extrapolate(variance: NDArray[np.float64], field: str) -> float:
            # log(sd) = a + b k through the steps with a positive, finite value, at k_ult
            known = np.isfinite(variance) & (variance > 0.0)
            if known.sum() < 2:
                raise ParameterError(
                    self._owner,
                    field,
                    None,
                    "cannot be extrapolated: fewer than two development steps with a "
                    f"positive value (pass {field})",
                )
            b, a = np.polyfit(steps[known], 0.5 * np.log(variance[known]), 1)
            return float(np.exp(a + b * position))

        extrapolated = sigma_tail is None
        if sigma_tail is None:
            sigma_tail = extrapolate(sigma2, "tail_sigma")
        if se_tail is None:
            se_tail = extrapolate(factor_variance, "tail_se")
        return sigma_tail, se_tail, extrapolated

    def _sigma_squared(
        self, c: NDArray[np.float64]
    ) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
        """Mack's sigma_k^2 per step, extrapolated where fewer than two ratios exist."""
        pairs = self._pairs
        f = self._factors
        n_ratios = pairs.sum(axis=0)
        before = np.where(pairs, c[:, :-1], 1.0)
        after = np.where(pairs, c[:, 1:], 0.0)
        squared_deviation = np.where(
            pairs, before**self._alpha * (after / before - f) ** 2, 0.0
        ).sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            sigma2 = np.where(n_ratios >= 2, squared_deviation / (n_ratios - 1), np.nan)
        missing = np.isnan(sigma2)
        if not missing.any():
            return sigma2, missing
        if self.sigma_extrapolation == "mack":
            for k in (int(i) for i in np.flatnonzero(missing)):
                if k < 2 or np.isnan(sigma2[k - 1]) or np.isnan(sigma2[k - 2]):
                    raise ParameterError(
                        self._owner,
                        "triangle",
                        f"development step {self.ldf_.index[k]!r}",
                        "has fewer than two link ratios and no two estimated sigmas before it "
                        "for Mack's extrapolation (needs at least 4 development ages)",
                    )
                s1, s2 = sigma2[k - 2], sigma2[k - 1]  # sigma_{n-3}^2, sigma_{n-2}^2
                ratio = s2**2 / s1 if s1 > 0.0 else np.inf
                sigma2[k] = min(ratio, s1, s2)
        else:
            known = ~missing
            if known.sum() < 2 or np.any(sigma2[known] <= 0.0):
                raise ParameterError(
                    self._owner,
                    "sigma_extrapolation",
                    "loglinear",
                    "needs at least two estimated sigmas, all > 0 (use 'mack')",
                )
            steps = np.arange(sigma2.size, dtype=np.float64)
            slope, intercept = np.polyfit(steps[known], 0.5 * np.log(sigma2[known]), 1)
            sigma2[missing] = np.exp(2.0 * (intercept + slope * steps[missing]))
        return sigma2, missing
