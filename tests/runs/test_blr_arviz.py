"""jaxscratch.runs.blr_arviz without ArviZ: nothing written; one line says how to get it."""

from types import SimpleNamespace

import numpy as np

from jaxscratch.runs import blr_arviz


def test_without_arviz_nothing_is_written_and_the_message_names_the_extra(tmp_path, monkeypatch):
    monkeypatch.setattr(blr_arviz, "_arviz", lambda: None)
    path = tmp_path / "posterior.nc"
    assert blr_arviz.write_posterior(SimpleNamespace(draws=np.zeros((2, 4, 1))), path) is None
    assert not path.exists() and list(tmp_path.iterdir()) == []
    assert "pip install 'jaxscratch[arviz]'" in blr_arviz.MISSING
    assert len(blr_arviz.MISSING.splitlines()) == 1


def test_a_fit_without_draws_writes_no_file(tmp_path):
    assert blr_arviz.write_posterior(SimpleNamespace(draws=None), tmp_path / "p.nc") is None
