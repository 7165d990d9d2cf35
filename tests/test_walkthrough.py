"""``python -m skem`` and the bundled coin-flip data."""

import re
import subprocess
import sys

import numpy as np

from skem.datasets import load_coin_flips


def test_load_coin_flips_is_the_tutorial_data():
    flips = load_coin_flips()
    assert flips.heads.shape == (5, 1)
    assert flips.n_trials == 10
    assert flips.heads[flips.coin == "A"].sum() == 24
    assert flips.heads[flips.coin == "B"].sum() == 9


def test_module_walkthrough_prints_the_tutorial_numbers():
    out = subprocess.run(
        [sys.executable, "-m", "skem"], capture_output=True, text=True, check=True
    ).stdout
    totals = re.search(r"total\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)", out)
    assert totals is not None, out
    assert np.allclose([float(v) for v in totals.groups()], [21.3, 8.6, 11.7, 8.4])
    assert "after  1 iteration : thetaA = 0.71, thetaB = 0.58" in out
    assert "after 10 iterations: thetaA = 0.80, thetaB = 0.52" in out
    assert "coin A: theta = 24/30 = 0.80" in out
    assert "coin B: theta = 9/20 = 0.45" in out
    assert "Warning" not in out
