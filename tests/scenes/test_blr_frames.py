"""jaxscratch.blr.frames: snapshots of sequential learning."""

import jax
import numpy as np
import pytest

from jaxscratch.errors import JaxscratchError
from jaxscratch.scenes import blr_frames as frames


def test_snapshots_shrink_towards_the_truth():
    f = frames.sequential_frames(jax.random.key(0), 20, counts=[0, 2, 20], n_grid=60)
    assert f.density.shape == (3, 60, 60) and f.mean.shape == (3, 60)
    cell = float((f.w0[1] - f.w0[0]) * (f.w1[1] - f.w1[0]))
    assert abs(float(f.density[-1].sum()) * cell - 1.0) < 1e-3  # all mass inside the grid
    width = np.asarray(f.epistemic_sd).mean(axis=1)
    assert width[0] > width[1] > width[2]  # more data, narrower epistemic band
    # the predictive band never gets narrower than the noise itself
    assert np.all(np.asarray(f.predictive_sd) >= 1 / np.sqrt(f.beta) - 1e-6)


def test_bad_counts_and_noise():
    with pytest.raises(JaxscratchError, match="frame counts must lie in 0..5"):
        frames.sequential_frames(jax.random.key(0), 5, counts=[0, 6])
    with pytest.raises(JaxscratchError, match="noise sd must be > 0"):
        frames.sequential_frames(jax.random.key(0), 5, noise=0.0)
