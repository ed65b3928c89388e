"""A thin scikit-learn-style estimator over the exact posterior and empirical Bayes.

Contract: ``BayesianLinearRegression(...).fit(X, y)`` sets fitted attributes ending in ``_``
(``coef_`` = m_N, ``sigma_`` = S_N, ``alpha_``, ``beta_``, ``log_evidence_``, ``basis_``);
``predict(X, return_std=True)`` returns the mean and, like scikit-learn's BayesianRidge, the
sd of a new observation (predictive band, noise included); ``predict_bands`` returns both sds.
``return_std`` changes the return type only because scikit-learn's interface does.
"""

import jax.numpy as jnp
import numpy as np

from jaxscratch.blr.basis import Basis, make_basis
from jaxscratch.blr.blocked import blocked_predict, blocked_stats
from jaxscratch.blr.data import check_data
from jaxscratch.blr.evidence import log_evidence, mackay
from jaxscratch.blr.posterior import Predictive, checked_posterior, covariance
from jaxscratch.errors import JaxscratchError


def _column(X, name: str = "X") -> np.ndarray:
    X = np.asarray(X, dtype=float)
    if X.ndim == 2 and X.shape[1] == 1:
        X = X[:, 0]
    if X.ndim != 1:
        raise JaxscratchError(f"{name} must be (n,) or (n, 1) for 1-D regression, got {X.shape}")
    return X


class BayesianLinearRegression:
    """Bayesian linear regression on a basis expansion of one input (Bishop PRML §3.3-3.5).

    Args:
        basis: "linear", "poly", "rbf" or "sigmoid".
        degree, n_centres, width: basis size (see ``make_basis``).
        alpha, beta: fixed precisions; leave both None to estimate them by MacKay's updates.
        tol, max_iter: of the fixed-point iteration.
    """

    def __init__(
        self,
        basis: str = "linear",
        *,
        degree: int = 3,
        n_centres: int = 9,
        width: float | None = None,
        alpha: float | None = None,
        beta: float | None = None,
        tol: float = 1e-10,
        max_iter: int = 1000,
    ) -> None:
        self.basis = basis
        self.degree = degree
        self.n_centres = n_centres
        self.width = width
        self.alpha = alpha
        self.beta = beta
        self.tol = tol
        self.max_iter = max_iter

    def fit(self, X, y) -> "BayesianLinearRegression":
        """Fit the posterior (and alpha, beta unless both were given); returns self."""
        data = check_data(_column(X), np.asarray(y, dtype=float))
        if (self.alpha is None) != (self.beta is None):
            raise JaxscratchError("give both alpha and beta, or neither to estimate them")
        self.basis_: Basis = make_basis(
            self.basis, data.x, degree=self.degree, n_centres=self.n_centres, width=self.width
        )
        s = blocked_stats(self.basis_, data.x, data.y)
        if self.alpha is None:
            eb = mackay(s, tol=self.tol, max_iter=self.max_iter)
            alpha, beta, self.n_iter_ = float(eb.alpha), float(eb.beta), int(eb.n_iter)
        else:
            alpha, beta, self.n_iter_ = float(self.alpha), float(self.beta), 0
        self.posterior_ = checked_posterior(s, alpha, beta)
        self.alpha_, self.beta_ = alpha, beta
        self.coef_ = np.asarray(self.posterior_.mean)
        self.sigma_ = np.asarray(covariance(self.posterior_))
        self.log_evidence_ = float(log_evidence(s, alpha, beta))
        self.n_features_in_ = 1
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "posterior_"):
            raise JaxscratchError("this model is not fitted yet; call fit(X, y) first")

    def predict_bands(self, X) -> Predictive:
        """Mean, epistemic sd (of f) and predictive sd (of a new y) at X."""
        self._check_fitted()
        x = jnp.asarray(_column(X), self.posterior_.mean.dtype)
        return blocked_predict(self.posterior_, self.basis_, x)

    def predict(self, X, return_std: bool = False):
        """Predictive mean at X; with ``return_std`` also the sd of a new observation."""
        pred = self.predict_bands(X)
        if return_std:
            return np.asarray(pred.mean), np.asarray(pred.predictive_sd)
        return np.asarray(pred.mean)
