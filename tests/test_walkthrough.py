"""``python -m skem`` and the bundled coin-flip data."""

import os
import re
import subprocess
import sys

import numpy as np
import pytest

from skem.datasets import load_coin_flips


def test_load_coin_flips_is_the_tutorial_data():
    flips = load_coin_flips()
    assert flips.heads.shape == (5, 1)
    assert flips.n_trials == 10
    assert flips.heads[flips.coin == "A"].sum() == 24
    assert flips.heads[flips.coin == "B"].sum() == 9


@pytest.mark.slow
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


@pytest.mark.slow
def test_module_walkthrough_names_the_calls_and_explains_coin_b():
    out = subprocess.run(
        [sys.executable, "-m", "skem"], capture_output=True, text=True, check=True
    ).stdout
    # Each table says which skem calls produced it.
    assert out.count("API: ") == 6
    assert "predict_proba(flips.heads)" in out
    assert "n_init=10" in out and "random_state=0" in out
    # EM's 0.51 for coin B, explained as credited heads over credited tosses.
    assert "Why EM's thetaB (0.51) is not 0.45" in out
    assert "total 12.3 heads in 23.9 tosses: thetaB = 0.51" in out


@pytest.mark.slow
def test_module_help_prints_usage_without_running_the_walkthrough():
    result = subprocess.run(
        [sys.executable, "-m", "skem", "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0
    assert result.stdout.startswith("usage: python -m skem")
    assert "expectation-maximization" in result.stdout
    assert "five sets of ten tosses, each made" not in result.stdout
    assert "thetaA" not in result.stdout


@pytest.mark.slow
def test_module_rejects_unknown_arguments():
    result = subprocess.run(
        [sys.executable, "-m", "skem", "--frobnicate"], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "unrecognized arguments: --frobnicate" in result.stderr
    assert result.stdout == ""


@pytest.mark.slow
def test_module_output_into_a_closed_pipe_gives_no_traceback():
    # The reader is gone before the first line (``python -m skem | head -n 0``).
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "skem"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    finally:
        os.close(write_end)
    assert result.stderr == ""
    assert result.returncode == 1


@pytest.mark.slow
def test_module_output_piped_to_head_gives_no_traceback():
    # ``python -m skem | head -n 3``: read three lines, then hang up.
    process = subprocess.Popen(
        [sys.executable, "-m", "skem"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    lines = [process.stdout.readline() for _ in range(3)]
    process.stdout.close()
    stderr = process.stderr.read()
    process.wait()
    process.stderr.close()
    assert lines[0].startswith("The data: five sets of ten tosses")
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr, stderr
