"""Expected-loss methods: Bornhuetter-Ferguson, Cape Cod, Benktander; the rated prior."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from xborder_risk._validation import as_float_array, check_int, check_real
from xborder_risk.errors import ParameterError
from xborder_risk.reserves._chainladder import Chainladder
from xborder_risk.reserves._triangle import Triangle

if TYPE_CHECKING:
    from xborder_risk.engine import LossModel
    from xborder_risk.exposure import Submission
    from xborder_risk.rating import RatingTables

__all__ = ["Benktander", "BornhuetterFerguson", "CapeCod", "rated_prior"]


def _per_origin(owner: str, name: str, value: object, tri: Triangle) -> NDArray[np.float64]:
    """A scalar, a sequence in origin order, or a Series / mapping keyed by origin label."""
    n = tri.shape[0]
    if isinstance(value, pd.Series | Mapping):
        mapping = dict(value.items())
        missing = [o for o in tri.origin if o not in mapping]
        if missing:
            raise ParameterError(
                owner, name, f"no value for origin {missing[0]!r}", "needs every origin"
            )
        value = [mapping[o] for o in tri.origin]
    if np.ndim(value) == 0:  # type: ignore[arg-type]
        x = np.full(n, check_real(owner, name, value, lower=0.0))
    else:
        x = as_float_array(owner, name, value, ndim=1, lower=0.0)
        if x.size != n:
            raise ParameterError(owner, name, f"{x.size} values", f"must have one per origin ({n})")
    return x


class _ExpectedLossMethod:
    """Shared fitting of the development pattern and the result attributes."""

    _owner = "BornhuetterFerguson"

    def __init__(self, development: Chainladder | None = None) -> None:
        if development is not None and not isinstance(development, Chainladder):
            raise ParameterError(
                self._owner, "development", type(development).__name__, "must be a Chainladder"
            )
        self.development = development if development is not None else Chainladder()

    def _pattern(self, triangle: Triangle) -> tuple[Chainladder, NDArray[np.float64]]:
        chain = Chainladder(
            average=self.development.average,  # type: ignore[arg-type]
            exclude=self.development.exclude,
            tail=self.development.tail,  # type: ignore[arg-type]
        ).fit(triangle)
        return chain, chain.cdf_to_date_

    def _finish(
        self,
        chain: Chainladder,
        cdf: NDArray[np.float64],
        apriori: NDArray[np.float64],
        ultimate: NDArray[np.float64],
    ) -> None:
        index = pd.Index(chain.triangle_.origin, name="origin")
        latest = chain.latest_.to_numpy()
        self.chainladder_ = chain
        self.latest_ = chain.latest_
        self.cdf_ = pd.Series(cdf, index=index, name="cdf")
        self.percent_unreported_ = pd.Series(1.0 - 1.0 / cdf, index=index, name="unreported")
        self.apriori_ = pd.Series(apriori, index=index, name="apriori")
        self.ultimate_ = pd.Series(ultimate, index=index, name="ultimate")
        self.ibnr_ = pd.Series(ultimate - latest, index=index, name="ibnr")


class BornhuetterFerguson(_ExpectedLossMethod):
    """Bornhuetter-Ferguson: the latest amount plus the prior's share still to emerge.

    Parameters
    ----------
    development : Chainladder, optional
        The chain ladder whose factors give the pattern (average, exclusions, tail); default
        volume-weighted without a tail.

    Attributes
    ----------
    apriori_ : pandas.Series
        Prior expected ultimate per origin (currency).
    cdf_ : pandas.Series
        Age-to-ultimate factor of each origin at its latest age.
    percent_unreported_ : pandas.Series
        1 - 1/cdf: the share of the ultimate still to emerge.
    ultimate_, ibnr_, latest_ : pandas.Series
        Per origin (currency).

    Notes
    -----
    U_i = C_i + (1 - 1/CDF_i) * U0_i with C_i the latest amount and U0_i the prior expected
    ultimate (Bornhuetter and Ferguson 1972, "The actuary and IBNR", PCAS LIX). With an
    exposure (premium) P_i and an expected loss ratio ELR_i, U0_i = ELR_i * P_i.
    """

    _owner = "BornhuetterFerguson"

    def fit(
        self,
        triangle: Triangle,
        *,
        apriori: float | ArrayLike | Mapping[Hashable, float] | pd.Series,
        exposure: float | ArrayLike | Mapping[Hashable, float] | pd.Series | None = None,
    ) -> BornhuetterFerguson:
        """Fit on ``triangle``; returns ``self``.

        Parameters
        ----------
        apriori : float, sequence, Series or mapping by origin
            The prior expected ultimate per origin (currency); or, with ``exposure``, the
            expected loss ratio applied to it (e.g. the rated one: :func:`rated_prior` / premium).
        exposure : float, sequence, Series or mapping by origin, optional
            Earned premium (or another exposure) per origin, in the triangle's currency.
        """
        chain, cdf = self._pattern(triangle)
        tri = chain.triangle_
        prior = _per_origin(self._owner, "apriori", apriori, tri)
        if exposure is not None:
            prior = prior * _per_origin(self._owner, "exposure", exposure, tri)
        ultimate = chain.latest_.to_numpy() + (1.0 - 1.0 / cdf) * prior
        self._finish(chain, cdf, prior, ultimate)
        return self


class Benktander(BornhuetterFerguson):
    """Benktander (iterated Bornhuetter-Ferguson): credibility between BF and chain ladder.

    Parameters
    ----------
    n_iters : int >= 1, default 2
        1 is Bornhuetter-Ferguson; 2 is Benktander's (1976) method; many tend to the chain
        ladder.
    development : Chainladder, optional
        As :class:`BornhuetterFerguson`.

    Notes
    -----
    U^(0) = U0 (the prior), U^(m) = C + (1 - 1/CDF) U^(m-1); the result is U^(n_iters)
    (Benktander 1976, "An approach to credibility in calculating IBNR for casualty excess
    reinsurance", The Actuarial Review; Mack 2000, ASTIN Bulletin 30(2), 333-347).
    """

    _owner = "Benktander"

    def __init__(self, n_iters: int = 2, development: Chainladder | None = None) -> None:
        super().__init__(development)
        self.n_iters = check_int(self._owner, "n_iters", n_iters, lower=1)

    def fit(
        self,
        triangle: Triangle,
        *,
        apriori: float | ArrayLike | Mapping[Hashable, float] | pd.Series,
        exposure: float | ArrayLike | Mapping[Hashable, float] | pd.Series | None = None,
    ) -> Benktander:
        """Fit on ``triangle`` (arguments as :meth:`BornhuetterFerguson.fit`); returns ``self``."""
        super().fit(triangle, apriori=apriori, exposure=exposure)
        latest = self.latest_.to_numpy()
        unreported = self.percent_unreported_.to_numpy()
        ultimate = self.apriori_.to_numpy()
        for _ in range(self.n_iters):
            ultimate = latest + unreported * ultimate
        self._finish(
            self.chainladder_,
            np.asarray(self.cdf_, dtype=np.float64),
            np.asarray(self.apriori_, dtype=np.float64),
            np.asarray(ultimate, dtype=np.float64),
        )
        return self


class CapeCod(_ExpectedLossMethod):
    """Cape Cod (Stanard-Bühlmann): the prior loss ratio estimated from the triangle itself.

    Parameters
    ----------
    decay : float in [0, 1], default 1
        Weight decay^|i - j| of origin j in the loss ratio of origin i (1: one ratio for all
        origins, the classical Cape Cod; 0: each origin alone, the chain ladder).
    development : Chainladder, optional
        As :class:`BornhuetterFerguson`.

    Attributes
    ----------
    elr_ : pandas.Series
        The estimated expected loss ratio per origin.
    apriori_, ultimate_, ibnr_, cdf_, latest_ : pandas.Series
        As :class:`BornhuetterFerguson` (apriori_ = elr_ * exposure).

    Notes
    -----
    ELR_i = sum_j d^|i-j| C_j / sum_j d^|i-j| P_j / CDF_j (the used-up premium), then
    U_i = C_i + (1 - 1/CDF_i) ELR_i P_i (Stanard 1985, PCAS LXXII; Gluck 1997, PCAS LXXXIV,
    for the decay; the chainladder package's ``CapeCod(decay=...)``).
    """

    _owner = "CapeCod"

    def __init__(self, decay: float = 1.0, development: Chainladder | None = None) -> None:
        super().__init__(development)
        self.decay = check_real(self._owner, "decay", decay, lower=0.0, upper=1.0)

    def fit(
        self,
        triangle: Triangle,
        *,
        exposure: float | ArrayLike | Mapping[Hashable, float] | pd.Series,
    ) -> CapeCod:
        """Fit on ``triangle`` with the earned premium (exposure) per origin; returns ``self``."""
        chain, cdf = self._pattern(triangle)
        tri = chain.triangle_
        premium = _per_origin(self._owner, "exposure", exposure, tri)
        latest = chain.latest_.to_numpy()
        n = premium.size
        distance = np.abs(np.arange(n)[:, None] - np.arange(n)[None, :])
        weight = np.where(distance == 0, 1.0, self.decay**distance)
        used_up = weight @ (premium / cdf)
        if np.any(used_up <= 0.0):
            raise ParameterError(
                self._owner, "exposure", "used-up premium 0", "must be > 0 for some origin"
            )
        elr = (weight @ latest) / used_up
        prior = elr * premium
        ultimate = latest + (1.0 - 1.0 / cdf) * prior
        self._finish(chain, cdf, prior, ultimate)
        self.elr_ = pd.Series(elr, index=pd.Index(tri.origin, name="origin"), name="elr")
        return self


def _expected_loss(model: LossModel) -> float:
    """E[A] of a line: closed form, or exact (FFT) when the layer has aggregate terms."""
    if not model.layer.has_aggregate_terms:
        return model.expected_annual_loss()
    from xborder_risk.exact import aggregate_distribution

    return aggregate_distribution(model, tail_tolerance=1e-9).mean()


def rated_prior(
    book: Mapping[Hashable, Submission | Sequence[Submission]],
    *,
    line: str | None = None,
    tables: RatingTables | None = None,
) -> pd.Series:
    """The a-priori expected loss of each underwriting year from xborder_risk's own rating.

    Parameters
    ----------
    book : mapping of origin label to Submission or sequence of Submissions
        The policies written in each underwriting year (as bound, one policy period each).
    line : str, optional
        One line's expected loss; default all lines.
    tables : RatingTables, optional
        The rating tables; the shipped ones by default.

    Returns
    -------
    pandas.Series
        Per origin, sum over its policies of the rated expected annual layer loss
        (:meth:`~xborder_risk.engine.LossModel.expected_annual_loss`; with aggregate terms,
        the mean of :func:`xborder_risk.exact.aggregate_distribution`), in each submission's
        currency (all must share one). Feed to :class:`BornhuetterFerguson` as ``apriori``.
    """
    from xborder_risk.exposure import Submission
    from xborder_risk.rating import rate

    owner = "rated_prior"
    if not isinstance(book, Mapping) or not book:
        raise ParameterError(owner, "book", type(book).__name__, "must be a non-empty mapping")
    out: dict[Hashable, float] = {}
    currencies: set[str] = set()
    for origin, policies in book.items():
        items = [policies] if isinstance(policies, Submission) else list(policies)
        total = 0.0
        for policy in items:
            if not isinstance(policy, Submission):
                raise ParameterError(
                    owner, f"book[{origin!r}]", type(policy).__name__, "must hold Submissions"
                )
            rated = rate(policy, tables)
            currencies.add(rated.currency)
            models = rated.models
            if line is not None:
                models = tuple(m for m in models if m.name == line)
            total += sum(_expected_loss(m) for m in models)
        out[origin] = total
    if len(currencies) > 1:
        raise ParameterError(owner, "book", sorted(currencies), "must be in one currency")
    return pd.Series(out, name="apriori").rename_axis("origin")
