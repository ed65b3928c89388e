"""jaxscratch.blr.estimator: the scikit-learn-style wrapper."""

import jax.numpy as jnp
import numpy as np
import pytest
from sklearn.linear_model import BayesianRidge

from jaxscratch.blr import BayesianLinearRegression, basis, data
from jaxscratch.errors import JaxscratchError


@pytest.fixture
def sin_data(key, x64):
    return data.make_data(key, 70, truth="sin", noise=0.2, dtype=jnp.float64)


def test_fit_predict_matches_sklearn_on_the_same_features(sin_data):
    x, y = np.asarray(sin_data.x), np.asarray(sin_data.y)
    ours = BayesianLinearRegression("poly", degree=4).fit(x[:, None], y)
    assert ours.n_features_in_ == 1 and ours.coef_.shape == (5,) and ours.sigma_.shape == (5, 5)
    phi = np.asarray(basis.design(ours.basis_, jnp.asarray(x)))
    no_hyperprior = {"alpha_1": 0.0, "alpha_2": 0.0, "lambda_1": 0.0, "lambda_2": 0.0}
    ridge = BayesianRidge(fit_intercept=False, tol=1e-12, max_iter=10_000, **no_hyperprior)
    ridge.fit(phi, y)
    np.testing.assert_allclose([ours.alpha_, ours.beta_], [ridge.lambda_, ridge.alpha_], rtol=1e-6)
    x_new = np.linspace(-1.2, 1.2, 17)
    mean, std = ours.predict(x_new, return_std=True)
    ref_mean, ref_std = ridge.predict(np.asarray(basis.design(ours.basis_, jnp.asarray(x_new))),
                                      return_std=True)  # fmt: skip
    np.testing.assert_allclose(mean, ref_mean, rtol=1e-6)
    np.testing.assert_allclose(std, ref_std, rtol=1e-6)
    np.testing.assert_array_equal(ours.predict(x_new), mean)


def test_fixed_precisions_are_kept_and_bands_are_both_available(sin_data):
    model = BayesianLinearRegression("rbf", n_centres=6, alpha=2.0, beta=25.0).fit(
        sin_data.x, sin_data.y
    )
    assert (model.alpha_, model.beta_, model.n_iter_) == (2.0, 25.0, 0)
    bands = model.predict_bands(np.linspace(-1, 1, 5))
    np.testing.assert_allclose(bands.predictive_sd**2 - bands.epistemic_sd**2, 1 / 25.0)
    assert np.isfinite(model.log_evidence_)


def test_misuse_is_one_clear_error(sin_data):
    with pytest.raises(JaxscratchError, match="not fitted"):
        BayesianLinearRegression().predict([0.0])
    with pytest.raises(JaxscratchError, match="both alpha and beta"):
        BayesianLinearRegression(alpha=1.0).fit(sin_data.x, sin_data.y)
    with pytest.raises(JaxscratchError, match="1-D regression"):
        BayesianLinearRegression().fit(np.ones((4, 2)), np.ones(4))
