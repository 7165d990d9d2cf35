"""Every bad input we can name, for every public method of both estimators.

``BAD_INPUTS`` is plain data (a literal, so ``docs/_ext/bad_inputs.py`` reads
it without importing this module and renders it as ``docs/bad_inputs.rst``):
one row per bad input with

- the estimator: ``"both"`` for behaviour the two share (tested on each),
  else the estimator's name (``"BinomialMixture"``, ``"PoissonMixture"``, ...);
- the method, or a group of methods named in ``METHOD_GROUPS``;
- a description of the input, the key of its builder in ``INPUTS``;
- the exception and a regular expression its message must match (searched,
  as ``pytest.raises(match=...)`` does).

Unless a row says otherwise the estimators are
``BinomialMixture(n_components=2, n_trials=10)`` and
``GaussianMixtureEM(n_components=2)`` (and ``PoissonMixture(n_components=2)``)
on 20 samples of 3 features, fitted on valid data first when the method needs
a fitted model.
"""

import importlib.util
from dataclasses import dataclass, field
from pathlib import Path

import dask.array as da
import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from skem import (
    BinomialMixture,
    CategoricalMixture,
    GaussianMixtureEM,
    MixedMixture,
    PoissonMixture,
    StudentTMixture,
)

METHOD_GROUPS = {
    "every method taking X": (
        "fit",
        "partial_fit",
        "fit_predict",
        "predict",
        "predict_proba",
        "score",
        "score_samples",
        "aic",
        "bic",
    ),
    "fitting methods": ("fit", "partial_fit", "fit_predict"),
    "prediction methods": (
        "predict",
        "predict_proba",
        "score",
        "score_samples",
        "aic",
        "bic",
    ),
    "prediction methods and sample": (
        "predict",
        "predict_proba",
        "score",
        "score_samples",
        "aic",
        "bic",
        "sample",
    ),
    "methods taking sample_weight": (
        "fit",
        "partial_fit",
        "fit_predict",
        "score",
        "aic",
        "bic",
    ),
}

BAD_INPUTS = [
    # --- X, for every method that takes it ---------------------------------
    ("both", "every method taking X", "empty array, shape (0, 3)",
     "ValueError", r"Found array with 0 sample\(s\)"),
    ("both", "every method taking X", "no features, shape (20, 0)",
     "ValueError", r"Found array with 0 feature\(s\)"),
    ("both", "every method taking X", "1-D array",
     "ValueError", r"Expected 2D array, got 1D array"),
    ("both", "every method taking X", "3-D array",
     "ValueError", r"Found array with dim 3"),
    ("both", "every method taking X", "ragged nested lists",
     "ValueError", r"inhomogeneous shape"),
    ("both", "every method taking X", "strings",
     "ValueError", r"could not convert string to float"),
    ("both", "every method taking X", "complex numbers",
     "ValueError", r"Complex data not supported"),
    ("both", "every method taking X", "an inf entry",
     "ValueError", r"Input X contains infinity"),
    ("both", "every method taking X", "a -inf entry",
     "ValueError", r"Input X contains infinity"),
    ("both", "every method taking X", "a scipy.sparse matrix",
     "TypeError", r"Sparse data was passed for X, but dense data is required"),
    ("both", "prediction methods", "wrong number of features after fit",
     "ValueError", r"X has 2 features, but \w+ is expecting 3 features"),
    ("both", "partial_fit", "wrong number of features after fit",
     "ValueError", r"X has 2 features, but \w+ is expecting 3 features"),
    ("both", "fit", "wrong number of features on a warm start",
     "ValueError", r"X has 2 features, but \w+ is expecting 3 features"),
    ("both", "fitting methods", "one sample, n_components=2",
     "ValueError", r"Expected n_samples >= n_components but got n_components = 2, "
     r"n_samples = 1\."),
    ("both", "fitting methods", "20 samples, n_components=25",
     "ValueError", r"Expected n_samples >= n_components but got n_components = 25, "
     r"n_samples = 20\."),
    ("both", "fitting methods",
     "one sample of non-zero weight, n_components=2",
     "ValueError", r"n_samples = 1 \(with non-zero weight\)"),
    ("both", "fitting methods", "a feature NaN in every sample",
     "ValueError", r"Feature 1 is missing \(NaN\) in every sample"),
    # --- dask arrays ------------------------------------------------------
    ("both", "fit", "dask array with unknown chunk sizes",
     "ValueError", r"unknown chunk sizes; call X\.compute_chunk_sizes\(\)"),
    ("both", "fit", "3-D dask array",
     "ValueError", r"Expected a 2D array, got a 3D dask array"),
    ("both", "fit", "empty dask array, shape (0, 3)",
     "ValueError", r"Found array with 0 sample\(s\)"),
    ("both", "fit", "dask array with an inf entry",
     "ValueError", r"Input X contains infinity"),
    ("both", "prediction methods", "dask array with 2 features after fit on 3",
     "ValueError", r"X has 2 features, but \w+ is expecting 3 features"),
    ("both", "fit", "dask sample_weight of the wrong length",
     "ValueError", r"sample_weight has 19 rows, but X has 20 rows"),
    # --- sample_weight ----------------------------------------------------
    ("both", "methods taking sample_weight", "negative sample_weight",
     "ValueError", r"Negative values in data passed to `sample_weight`"),
    ("both", "methods taking sample_weight", "sample_weight of the wrong length",
     "ValueError", r"sample_weight\.shape == \(19,\), expected \(20,\)"),
    ("both", "methods taking sample_weight", "sample_weight with NaN",
     "ValueError", r"Input sample_weight contains NaN"),
    ("both", "methods taking sample_weight", "sample_weight with inf",
     "ValueError", r"Input sample_weight contains infinity"),
    ("both", "methods taking sample_weight", "sample_weight all zero",
     "ValueError", r"Sample weights must contain at least one non-zero number"),
    ("both", "methods taking sample_weight", "2-D sample_weight",
     "ValueError", r"Sample weights must be 1D array or scalar"),
    ("both", "methods taking sample_weight", "sample_weight of strings",
     "ValueError", r"could not convert string to float"),
    # --- unfitted estimator and sample ------------------------------------
    ("both", "prediction methods and sample", "unfitted estimator",
     "NotFittedError", r"This \w+ instance is not fitted yet"),
    ("both", "sample", "n_samples=0",
     "ValueError", r"Invalid value for 'n_samples': 0\. The sampling requires at "
     r"least one sample"),
    ("both", "sample", "n_samples=-1",
     "ValueError", r"Invalid value for 'n_samples': -1"),
    ("both", "sample", "n_samples=2.5",
     "ValueError", r"n_samples must be an integer, got 2\.5"),
    ("both", "sample", "n_samples='3'",
     "ValueError", r"n_samples must be an integer, got '3'"),
    ("both", "sample", "n_samples=True",
     "ValueError", r"n_samples must be an integer, got True"),
    # --- constructor and set_params ---------------------------------------
    ("both", "constructor", "unknown keyword foo=1",
     "TypeError", r"unexpected keyword argument 'foo'"),
    ("both", "constructor", "two positional arguments",
     "TypeError", r"takes from 1 to 2 positional arguments but 3 were given"),
    ("both", "set_params", "unknown parameter foo=1",
     "ValueError", r"Invalid parameter 'foo' for estimator"),
    ("both", "fit", "n_components=0",
     "ValueError", r"The 'n_components' parameter of \w+ "
     r"must be an int in the range \[1, inf\)"),
    ("both", "fit", "n_components=1.5",
     "ValueError", r"The 'n_components' parameter of \w+ "
     r"must be an int in the range \[1, inf\)"),
    ("both", "fit", "tol=-1",
     "ValueError", r"The 'tol' parameter of \w+ "
     r"must be a float in the range \[0\.0, inf\)"),
    ("both", "fit", "max_iter=-1",
     "ValueError", r"The 'max_iter' parameter of \w+ "
     r"must be an int in the range \[0, inf\)"),
    ("both", "fit", "n_init=0",
     "ValueError", r"The 'n_init' parameter of \w+ "
     r"must be an int in the range \[1, inf\)"),
    # --- prior knowledge: labels, fixed, prior ------------------------------
    ("both", "fitting methods", "labels of the wrong length",
     "ValueError", r"labels has 19 rows, but X has 20 rows"),
    ("both", "fitting methods", "a label >= n_components",
     "ValueError", r"labels must be -1 \(unknown\) or a component in \[0, 1\], "
     r"got 2 at row 3"),
    ("both", "fitting methods", "a label below -1",
     "ValueError", r"or a component in \[0, 1\], got -2 at row 3"),
    ("both", "fitting methods", "a label that is not whole",
     "ValueError", r"labels must be integers \(-1 where unknown\), got 0\.5 at row 3"),
    ("both", "fit", "fixed naming no parameter",
     "ValueError", r"fixed (names 'foo', which is not a parameter of this model|"
     r"may hold only 'weights', got \['foo'\])"),
    ("both", "fit", "fixed weights without weights_init",
     "ValueError", r"fixed holds 'weights' at their initial value, but "
     r"weights_init is None"),
    ("both", "fit", "prior='foo'",
     "ValueError", r"The 'prior' parameter of \w+ must be None, a str among "
     r"\{'conjugate'\} or an instance of 'dict'"),
    ("both", "fit", "prior with an unknown key",
     "ValueError", r"prior has unknown keys \['foo'\]"),
    ("both", "fit", "prior weight_concentration below 1",
     "ValueError", r"prior\['weight_concentration'\] must be a finite number >= 1"),
    ("GaussianMixtureEM", "fit", "fixed means without means_init",
     "ValueError", r"fixed holds 'means' at its initial value, but means_init is "
     r"None: pass means_init"),
    ("BinomialMixture", "fit", "fixed probabilities without probabilities_init",
     "ValueError", r"fixed holds 'probabilities' at its initial value, but "
     r"probabilities_init is None"),
    ("both", "fit", "init_params='foo'",
     "ValueError", r"The 'init_params' parameter of \w+ must be a str among"),
    ("both", "fit", "init_sample_size=0",
     "ValueError", r"The 'init_sample_size' parameter of \w+ must be None or an int"),
    ("both", "fit", "learning_decay=0.2",
     "ValueError", r"The 'learning_decay' parameter of \w+ "
     r"must be a float in the range "
     r"\(0\.5, 1\.0\]"),
    ("both", "fit", "learning_offset=-1",
     "ValueError", r"The 'learning_offset' parameter of \w+ "
     r"must be a float in the range"),
    ("both", "fit", "stopping_rule='foo'",
     "ValueError", r"The 'stopping_rule' parameter of \w+ must be a str among"),
    ("both", "fit", "acceleration='foo'",
     "ValueError", r"The 'acceleration' parameter of \w+ must be None or a str among"),
    ("both", "fit", "random_state='x'",
     "ValueError", r"The 'random_state' parameter of \w+ must be an int in the range"),
    ("both", "fit", "warm_start='yes'",
     "ValueError", r"The 'warm_start' parameter of \w+ must be an instance of 'bool'"),
    ("both", "fit", "verbose_interval=0",
     "ValueError", r"The 'verbose_interval' parameter of \w+ "
     r"must be an int in the range"),
    ("both", "fit", "weights_init not summing to 1",
     "ValueError", r"The parameter 'weights_init' should be normalized, but got "
     r"sum\(weights\) = 0\.60000"),
    ("both", "fit", "weights_init of the wrong shape",
     "ValueError", r"The parameter 'weights_init' should have the shape of \(2,\), "
     r"but got \(1,\)"),
    ("both", "fit", "negative weights_init",
     "ValueError", r"The parameter 'weights_init' should be in the range \[0, 1\]"),
    ("both", "fit", "weights_init with NaN",
     "ValueError", r"The parameter 'weights_init' must be finite"),
    # --- BinomialMixture: counts and n_trials -----------------------------
    ("BinomialMixture", "every method taking X", "a negative count",
     "ValueError", r"Negative values in data passed to BinomialMixture"),
    ("BinomialMixture", "every method taking X", "a count above n_trials",
     "ValueError", r"Counts above n_trials: X\[4, 1\] = 11 exceeds n_trials = 10"),
    ("BinomialMixture", "fit", "dask array with a count above n_trials",
     "ValueError", r"Counts above n_trials: X\[17, 0\] = 11 exceeds n_trials = 10"),
    ("BinomialMixture", "every method taking X", "per-sample n_trials below a count",
     "ValueError", r"Counts above n_trials: X\[\d+, \d+\] = \d+ exceeds "
     r"n_trials = 1\b"),
    ("BinomialMixture", "every method taking X", "negative per-sample n_trials",
     "ValueError", r"n_trials must be non-negative; got -1\.0"),
    ("BinomialMixture", "every method taking X", "per-sample n_trials with NaN",
     "ValueError", r"Input n_trials contains NaN"),
    ("BinomialMixture", "every method taking X", "per-sample n_trials with inf",
     "ValueError", r"Input n_trials contains infinity"),
    ("BinomialMixture", "every method taking X", "per-sample n_trials of 19 rows",
     "ValueError", r"n_trials passed to \w+ should have shape \(n_samples,\) = "
     r"\(20,\) or \(n_samples, n_features\) = \(20, 3\), but got shape \(19, 1\)"),
    ("BinomialMixture", "every method taking X", "3-D per-sample n_trials",
     "ValueError", r"Found array with dim 3"),
    ("BinomialMixture", "every method taking X", "per-sample n_trials of 1e13",
     "ValueError", r"n_trials reaches 1e\+13: the binomial log-likelihood of counts "
     r"out of more than 1e\+12 trials loses its precision"),
    ("BinomialMixture", "fitting methods",
     "per-sample n_trials 0 in every row",
     "ValueError", r"n_trials is 0 for every count: the data hold no trials"),
    ("BinomialMixture", "fitting methods",
     "per-sample n_trials 0 in every row and a positive count",
     "ValueError", r"Counts above n_trials: X\[5, 2\] = 1 exceeds n_trials = 0"),
    ("BinomialMixture", "prediction methods",
     "no n_trials after a fit with per-sample n_trials",
     "ValueError", r"fitted with per-sample n_trials: pass n_trials here too"),
    ("BinomialMixture", "fit", "n_trials=-1",
     "ValueError", r"The 'n_trials' parameter of \w+ must be None"),
    ("BinomialMixture", "fit", "n_trials='foo'",
     "ValueError", r"The 'n_trials' parameter of \w+ must be None"),
    ("BinomialMixture", "fit", "n_trials of the wrong shape, [10, 10]",
     "ValueError", r"n_trials should be a number or have shape \(n_features,\) = "
     r"\(3,\), but got shape \(2,\)"),
    ("BinomialMixture", "fit", "n_trials per sample given to the constructor",
     "ValueError", r"n_trials should be a number or have shape \(n_features,\) = "
     r"\(3,\), but got shape \(20, 3\)"),
    ("BinomialMixture", "fit", "n_trials array with a negative entry",
     "ValueError", r"n_trials must be non-negative; got -1\.0"),
    ("BinomialMixture", "fit", "n_trials array with NaN",
     "ValueError", r"n_trials must be finite"),
    ("BinomialMixture", "fit", "n_trials=0 and every count 0",
     "ValueError", r"n_trials is 0 for every count: the data hold no trials"),
    ("BinomialMixture", "fit", "n_trials=0 and a positive count",
     "ValueError", r"Counts above n_trials: X\[3, 1\] = 2 exceeds n_trials = 0"),
    ("BinomialMixture", "fit", "dask array, n_trials=0 and a positive count",
     "ValueError", r"Counts above n_trials: X\[17, 0\] = 1 exceeds n_trials = 0"),
    ("BinomialMixture", "fit", "n_trials=1e300",
     "ValueError", r"n_trials reaches 1e\+300: the binomial log-likelihood of counts "
     r"out of more than 1e\+12 trials loses its precision in float64"),
    ("BinomialMixture", "fit", "n_trials='max' and counts of 1e13",
     "ValueError", r"The largest count reaches 1e\+13: the binomial log-likelihood"),
    ("BinomialMixture", "fit", "probabilities_init above 1",
     "ValueError", r"The parameter 'probabilities_init' must hold probabilities in "
     r"\[0, 1\]"),
    ("BinomialMixture", "fit", "probabilities_init with NaN",
     "ValueError", r"The parameter 'probabilities_init' must hold probabilities in "
     r"\[0, 1\]"),
    ("BinomialMixture", "fit", "probabilities_init of the wrong shape",
     "ValueError", r"The parameter 'probabilities_init' should have the shape of "
     r"\(2, 3\), but got \(2, 2\)"),
    ("BinomialMixture", "fit", "probability_floor=0",
     "ValueError", r"The 'probability_floor' parameter of \w+ "
     r"must be a float in the range "
     r"\(0\.0, 0\.5\)"),
    ("BinomialMixture", "fit", "probability_floor=0.5",
     "ValueError", r"The 'probability_floor' parameter of \w+ "
     r"must be a float in the range "
     r"\(0\.0, 0\.5\)"),
    ("BinomialMixture", "fit", "fit_weights='yes'",
     "ValueError", r"The 'fit_weights' parameter of \w+ must be an instance of 'bool'"),
    ("BinomialMixture", "sample", "n_trials=2.5 (not whole)",
     "ValueError", r"sample needs whole numbers of trials"),
    ("BinomialMixture", "sample", "n_trials=-1 passed to sample",
     "ValueError", r"n_trials must be non-negative; got -1\.0"),
    ("BinomialMixture", "sample", "n_trials of the wrong shape, [1, 2]",
     "ValueError", r"n_trials of shape \(2,\) does not fit samples of shape \(3, 3\)"),
    ("BinomialMixture", "sample", "no n_trials after a fit with per-sample n_trials",
     "ValueError", r"fitted with per-sample n_trials: pass n_trials here too"),
    # --- PoissonMixture: counts and exposure ------------------------------
    ("PoissonMixture", "every method taking X", "a negative count",
     "ValueError", r"Negative values in data: X\[2, 2\] = -1\. Poisson counts must "
     r"be non-negative"),
    ("PoissonMixture", "fit", "dask array with a negative count",
     "ValueError", r"Negative values in data: X\[17, 0\] = -1\."),
    ("PoissonMixture", "fitting methods", "counts of 1e13",
     "ValueError", r"X\[0, 0\] = 1e\+13: the Poisson log-likelihood of counts above "
     r"1e\+12 loses its precision in float64"),
    ("PoissonMixture", "every method taking X", "exposure 0",
     "ValueError", r"exposure must be positive; got exposure\[3\] = 0"),
    ("PoissonMixture", "every method taking X", "negative exposure",
     "ValueError", r"exposure must be positive; got exposure\[0\] = -1"),
    ("PoissonMixture", "every method taking X", "exposure with NaN",
     "ValueError", r"Input exposure contains NaN"),
    ("PoissonMixture", "every method taking X", "exposure with inf",
     "ValueError", r"Input exposure contains infinity"),
    ("PoissonMixture", "every method taking X", "exposure of 19 rows",
     "ValueError", r"exposure passed to \w+ should have shape \(n_samples,\) = "
     r"\(20,\), but got shape \(19,\)"),
    ("PoissonMixture", "every method taking X", "exposure of shape (20, 3)",
     "ValueError", r"exposure passed to \w+ should have shape \(n_samples,\) = "
     r"\(20,\), but got shape \(20, 3\)"),
    ("PoissonMixture", "sample", "exposure=0 passed to sample",
     "ValueError", r"exposure must be positive; got exposure\[0\] = 0"),
    ("PoissonMixture", "fit", "rates_init of the wrong shape",
     "ValueError", r"The parameter 'rates_init' should have the shape of "
     r"\(2, 3\), but got \(2, 2\)"),
    ("PoissonMixture", "fit", "negative rates_init",
     "ValueError", r"The parameter 'rates_init' must hold finite, non-negative "
     r"rates"),
    ("PoissonMixture", "fit", "rate_floor=0",
     "ValueError", r"The 'rate_floor' parameter of \w+ must be a float in the "
     r"range \(0\.0, inf\)"),
    # --- MixedMixture: the groups of columns ------------------------------
    ("MixedMixture", "fit", "columns with an unknown family",
     "ValueError", r"Group 1 of columns has an unknown family 'gamma': use one of "
     r"\['binomial', 'categorical', 'gaussian', 'poisson'\]"),
    ("MixedMixture", "fit", "columns with an option of another family",
     "ValueError", r"Group 0 \('gaussian'\) got unknown options \['n_trials'\]: a "
     r"'gaussian' group takes \['covariance_type', 'fixed', 'means_init'"),
    ("MixedMixture", "fit", "columns with covariance_type='foo'",
     "ValueError", r"The 'covariance_type' parameter of column group 0 "
     r"\('gaussian'\) must be a str among"),
    ("MixedMixture", "fit", "columns not a list",
     "ValueError", r"The 'columns' parameter of MixedMixture must be None or an "
     r"instance of 'list'"),
    ("MixedMixture", "fit", "a group that is not a tuple",
     "ValueError", r"Group 0 of columns must be a tuple \(family, columns, options\)"),
    ("MixedMixture", "fit", "a column in no group",
     "ValueError", r"Columns \[2\] of X are in no group of columns: every column "
     r"must be in exactly one group"),
    ("MixedMixture", "fit", "a column in two groups",
     "ValueError", r"Column 1 of X is in two groups of columns, 0 and 1"),
    ("MixedMixture", "fit", "a column index beyond X",
     "ValueError", r"The columns of group 1 \('binomial'\) include 3, but X has 3 "
     r"columns"),
    ("MixedMixture", "fit", "columns by name and X without names",
     "ValueError", r"are given by name, \['a'\], but X has no column names"),
    ("MixedMixture", "every method taking X", "a negative count",
     "ValueError", r"In column group 1 \('binomial'\), the columns \[2\] of X "
     r"\(numbered 0 to 0 within the group\): Negative values in data passed to "
     r"MixedMixture"),
    ("MixedMixture", "every method taking X", "a count above n_trials in column 2",
     "ValueError", r"In column group 1 \('binomial'\).*: Counts above n_trials: "
     r"X\[4, 0\] = 11 exceeds n_trials = 10"),
    # --- GaussianMixtureEM ------------------------------------------------
    ("GaussianMixtureEM", "fitting methods", "values of 1e160",
     "ValueError", r"X holds values as large as \d\.\d+e\+160: their squares "
     r"overflow float64.*Rescale X"),
    ("GaussianMixtureEM", "partial_fit", "values of 1e160 in a batch after fit",
     "ValueError", r"X holds values as large as \d\.\d+e\+160: their squares "
     r"overflow float64.*Rescale X"),
    ("GaussianMixtureEM", "fitting methods", "a feature of values 1e-300",
     "ValueError", r"Feature 2 of X holds values no larger than \d\.\d+e-300: their "
     r"squares underflow float64.*Rescale X"),
    ("GaussianMixtureEM", "every method taking X", "per-sample n_trials",
     "TypeError", r"got an unexpected keyword argument 'n_trials'"),
    ("GaussianMixtureEM", "fit", "covariance_type='foo'",
     "ValueError", r"The 'covariance_type' parameter of \w+ must be a str among"),
    ("GaussianMixtureEM", "fit", "reg_covar=-1",
     "ValueError", r"The 'reg_covar' parameter of \w+ "
     r"must be a float in the range \[0\.0, inf\)"),
    ("GaussianMixtureEM", "fit", "means_init of the wrong shape",
     "ValueError", r"The parameter 'means_init' should have the shape of \(2, 3\), "
     r"but got \(3, 3\)"),
    ("GaussianMixtureEM", "fit", "means_init with NaN",
     "ValueError", r"The parameter 'means_init' must be finite"),
    ("GaussianMixtureEM", "fit", "precisions_init of the wrong shape",
     "ValueError", r"The parameter 'precisions_init' should have the shape of "
     r"\(2, 3, 3\), but got \(2, 2, 2\)"),
    ("GaussianMixtureEM", "fit", "precisions_init not positive definite",
     "ValueError", r"The parameter 'precisions_init' should be symmetric, "
     r"positive-definite for covariance_type='full'"),
    ("GaussianMixtureEM", "fit", "precisions_init not symmetric",
     "ValueError", r"The parameter 'precisions_init' should be symmetric, "
     r"positive-definite for covariance_type='full'"),
    ("GaussianMixtureEM", "fit", "precisions_init with NaN",
     "ValueError", r"The parameter 'precisions_init' must be finite"),
    ("GaussianMixtureEM", "fit", "negative precisions_init, covariance_type='diag'",
     "ValueError", r"The parameter 'precisions_init' should be positive for "
     r"covariance_type='diag'"),
    ("GaussianMixtureEM", "fit",
     "negative precisions_init, covariance_type='spherical'",
     "ValueError", r"The parameter 'precisions_init' should be positive for "
     r"covariance_type='spherical'"),
    ("GaussianMixtureEM", "fit", "duplicated points with reg_covar=0",
     "ValueError", r"ill-defined empirical covariance \(for instance caused by "
     r"singleton or collapsed samples\)"),
    # --- StudentTMixture ---------------------------------------------------
    ("StudentTMixture", "fitting methods", "values of 1e160",
     "ValueError", r"X holds values as large as \d\.\d+e\+160: their squares "
     r"overflow float64.*Rescale X"),
    ("StudentTMixture", "fit", "covariance_type='foo'",
     "ValueError", r"The 'covariance_type' parameter of \w+ must be a str among"),
    ("StudentTMixture", "fit", "degrees_of_freedom_init=0",
     "ValueError", r"The 'degrees_of_freedom_init' parameter of \w+ must be a float "
     r"in the range \(0\.0, inf\) or an array-like"),
    ("StudentTMixture", "fit", "degrees_of_freedom_init='foo'",
     "ValueError", r"The 'degrees_of_freedom_init' parameter of \w+ must be a float "
     r"in the range \(0\.0, inf\) or an array-like"),
    ("StudentTMixture", "fit", "degrees_of_freedom_init of the wrong shape",
     "ValueError", r"The parameter 'degrees_of_freedom_init' should have the shape "
     r"of \(2,\), but got \(3,\)"),
    ("StudentTMixture", "fit", "degrees_of_freedom_init with a negative entry",
     "ValueError", r"The parameter 'degrees_of_freedom_init' must hold positive, "
     r"finite degrees of freedom"),
    ("StudentTMixture", "fit", "degrees_of_freedom_init with NaN",
     "ValueError", r"The parameter 'degrees_of_freedom_init' must hold positive, "
     r"finite degrees of freedom"),
    ("StudentTMixture", "fit", "degrees_of_freedom_type='foo'",
     "ValueError", r"The 'degrees_of_freedom_type' parameter of \w+ must be a str "
     r"among"),
    # --- CategoricalMixture: category codes ------------------------------
    ("CategoricalMixture", "every method taking X", "a negative code",
     "ValueError", r"Negative values in data passed to CategoricalMixture: "
     r"X\[2, 2\] = -1, but category codes are 0, 1, 2"),
    ("CategoricalMixture", "every method taking X", "a negative code that is not whole",
     "ValueError", r"Negative values in data passed to CategoricalMixture: "
     r"X\[2, 2\] = -0\.5, but category codes are 0, 1, 2"),
    ("CategoricalMixture", "every method taking X", "string categories",
     "ValueError", r"could not convert string to float: .*'yes'.* CategoricalMixture "
     r"needs category codes 0, 1, 2, \.\.\.: encode string categories with "
     r"sklearn\.preprocessing\.OrdinalEncoder"),
    ("CategoricalMixture", "prediction methods", "a code unseen in fit",
     "ValueError", r"Feature 1 has the category code 9 at X\[4, 1\], unseen in "
     r"fit: CategoricalMixture learned the codes 0 to 2 of this feature"),
    ("CategoricalMixture", "partial_fit", "a code unseen in fit",
     "ValueError", r"Feature 1 has the category code 9 at X\[4, 1\], unseen in fit"),
    ("CategoricalMixture", "fit", "dask array with a negative code",
     "ValueError", r"Negative values in data passed to CategoricalMixture: "
     r"X\[17, 0\] = -1"),
    ("CategoricalMixture", "fitting methods", "codes of 1e6",
     "ValueError", r"Feature 0 holds the code 1e\+06: CategoricalMixture reads "
     r"every value as a category code and refuses more than 65536 categories"),
    ("CategoricalMixture", "fit", "category_probabilities_init of the wrong shape",
     "ValueError", r"The parameter 'category_probabilities_init' should have the "
     r"shape of \(2, 3, 4\), but got \(2, 3, 3\)"),
    ("CategoricalMixture", "fit", "category_probabilities_init not summing to 1",
     "ValueError", r"The parameter 'category_probabilities_init' should sum to 1 "
     r"over the 2 categories of every feature, but the probabilities of feature 0 "
     r"in component 0 sum to 0\.50000"),
    ("CategoricalMixture", "fit", "probability_floor too large for 4 categories",
     "ValueError", r"probability_floor=0\.3 is too large for a feature of 4 "
     r"categories: it needs probability_floor < 1 / 4"),
]  # fmt: skip

N_SAMPLES, N_FEATURES, N_TRIALS = 20, 3, 10
EXCEPTIONS = {
    "ValueError": ValueError,
    "TypeError": TypeError,
    "NotFittedError": NotFittedError,
}
ESTIMATORS = {
    "BinomialMixture": BinomialMixture,
    "GaussianMixtureEM": GaussianMixtureEM,
    "PoissonMixture": PoissonMixture,
    "MixedMixture": MixedMixture,
    "StudentTMixture": StudentTMixture,
    "CategoricalMixture": CategoricalMixture,
}
DEFAULT_PARAMS = {
    "CategoricalMixture": {"n_components": 2, "random_state": 0},
    "BinomialMixture": {"n_components": 2, "n_trials": N_TRIALS, "random_state": 0},
    "GaussianMixtureEM": {"n_components": 2, "random_state": 0},
    "PoissonMixture": {"n_components": 2, "random_state": 0},
    "MixedMixture": {
        "n_components": 2,
        "columns": [("gaussian", [0, 1], {}), ("binomial", [2], {"n_trials": 10})],
        "random_state": 0,
    },
    "StudentTMixture": {"n_components": 2, "random_state": 0},
}


def valid_X(estimator):
    """Valid data of the estimator's family, shape (20, 3)."""
    rng = np.random.RandomState(0)
    if estimator == "BinomialMixture":
        return rng.binomial(N_TRIALS, [0.2, 0.5, 0.8], (N_SAMPLES, N_FEATURES))
    if estimator == "MixedMixture":  # Gaussian columns 0 and 1, binomial 2
        return np.c_[rng.normal(size=(N_SAMPLES, 2)), rng.binomial(10, 0.5, N_SAMPLES)]
    if estimator == "CategoricalMixture":  # codes of 2, 3 and 4 categories
        return np.r_[[[1, 2, 3]], rng.randint(0, [2, 3, 4], (N_SAMPLES - 1, 3))]
    if estimator == "PoissonMixture":
        return rng.poisson([1.0, 4.0, 9.0], (N_SAMPLES, N_FEATURES))
    return rng.normal(size=(N_SAMPLES, N_FEATURES))


@dataclass
class Call:
    """How a row's bad input reaches the method.

    ``X`` (the valid data when None) and ``kwargs`` go to the method (for
    ``sample``: ``kwargs`` only; for ``set_params`` and ``constructor``:
    ``params`` only); ``params`` update the constructor's; ``fitted`` says
    whether the model is fitted on valid data (with ``fit_kwargs``) first:
    None means "when the method needs it".
    """

    X: object = None
    kwargs: dict = field(default_factory=dict)
    params: dict = field(default_factory=dict)
    fitted: bool | None = None
    fit_kwargs: dict = field(default_factory=dict)


def with_entry(X, row, column, value):
    X = np.array(X, dtype=np.float64)
    X[row, column] = value
    return X


def chunked(X):
    return da.from_array(X, chunks=(5, X.shape[1]) if np.ndim(X) == 2 else 5)


def unknown_chunks(X):
    X = chunked(np.asarray(X, dtype=np.float64))
    return X[X[:, 0] > -np.inf]


def count_above(estimator, row=4, column=1):
    return with_entry(valid_X(estimator), row, column, N_TRIALS + 1)


def per_sample(values):
    return lambda e: Call(kwargs={"n_trials": values})


def exposure(values):
    return lambda e: Call(kwargs={"exposure": values})


def _labels_with(value, row=3):
    labels = np.full(N_SAMPLES, -1.0 if isinstance(value, float) else -1)
    labels[row] = value
    return labels


def params(**values):
    return lambda e: Call(params=values)


def groups(*columns):
    return lambda e: Call(params={"columns": list(columns)})


def precisions(covariance_type, values):
    return lambda e: Call(
        params={"covariance_type": covariance_type, "precisions_init": values}
    )


def weights(values):
    return lambda e: Call(kwargs={"sample_weight": values})


ALMOST_ZERO_WEIGHTS = np.r_[1.0, np.zeros(N_SAMPLES - 1)]
NOT_SYMMETRIC = np.stack([np.eye(3) + np.triu(np.ones((3, 3)), 1)] * 2)

INPUTS = {
    "a negative code": lambda e: Call(X=with_entry(valid_X(e), 2, 2, -1)),
    # A code that is not whole is truncated toward zero, with a warning
    # (tests/test_categorical.py); a negative one, -0.5, is refused.
    "a negative code that is not whole": lambda e: Call(
        X=with_entry(valid_X(e), 2, 2, -0.5)
    ),
    "string categories": lambda e: Call(X=np.full((N_SAMPLES, N_FEATURES), "yes")),
    "a code unseen in fit": lambda e: Call(
        X=with_entry(valid_X(e), 4, 1, 9), fitted=True
    ),
    "dask array with a negative code": lambda e: Call(
        X=chunked(with_entry(valid_X(e), 17, 0, -1))
    ),
    "codes of 1e6": lambda e: Call(X=with_entry(valid_X(e), 2, 0, 1e6)),
    "category_probabilities_init of the wrong shape": params(
        category_probabilities_init=np.full((2, 3, 3), 1 / 3)
    ),
    "category_probabilities_init not summing to 1": params(
        category_probabilities_init=np.full((2, 3, 4), 0.25)
    ),
    "probability_floor too large for 4 categories": params(probability_floor=0.3),
    "empty array, shape (0, 3)": lambda e: Call(X=np.empty((0, N_FEATURES))),
    "no features, shape (20, 0)": lambda e: Call(X=np.empty((N_SAMPLES, 0))),
    "1-D array": lambda e: Call(X=np.ones(N_SAMPLES)),
    "3-D array": lambda e: Call(X=np.ones((N_SAMPLES, N_FEATURES, 2))),
    "ragged nested lists": lambda e: Call(X=[[1, 2, 3], [1, 2]]),
    "strings": lambda e: Call(X=np.full((N_SAMPLES, N_FEATURES), "a")),
    "complex numbers": lambda e: Call(X=valid_X(e) + 1j),
    "an inf entry": lambda e: Call(X=with_entry(valid_X(e), 3, 0, np.inf)),
    "a -inf entry": lambda e: Call(X=with_entry(valid_X(e), 3, 0, -np.inf)),
    "a scipy.sparse matrix": lambda e: Call(X=_sparse(valid_X(e))),
    "wrong number of features after fit": lambda e: Call(
        X=valid_X(e)[:, :2], fitted=True
    ),
    "wrong number of features on a warm start": lambda e: Call(
        X=valid_X(e)[:, :2], params={"warm_start": True}, fitted=True
    ),
    "one sample, n_components=2": lambda e: Call(X=valid_X(e)[:1]),
    "20 samples, n_components=25": params(n_components=25),
    "one sample of non-zero weight, n_components=2": weights(ALMOST_ZERO_WEIGHTS),
    "a feature NaN in every sample": lambda e: Call(
        X=with_entry(valid_X(e), slice(None), 1, np.nan)
    ),
    "dask array with unknown chunk sizes": lambda e: Call(X=unknown_chunks(valid_X(e))),
    "3-D dask array": lambda e: Call(X=da.ones((N_SAMPLES, N_FEATURES, 2), chunks=5)),
    "empty dask array, shape (0, 3)": lambda e: Call(
        X=da.ones((0, N_FEATURES), chunks=5)
    ),
    "dask array with an inf entry": lambda e: Call(
        X=chunked(with_entry(valid_X(e), 17, 0, np.inf))
    ),
    "dask array with 2 features after fit on 3": lambda e: Call(
        X=chunked(valid_X(e)[:, :2].astype(float))
    ),
    "dask sample_weight of the wrong length": lambda e: Call(
        X=chunked(valid_X(e).astype(float)),
        kwargs={"sample_weight": chunked(np.ones(N_SAMPLES - 1))},
    ),
    "negative sample_weight": weights(-np.ones(N_SAMPLES)),
    "sample_weight of the wrong length": weights(np.ones(N_SAMPLES - 1)),
    "sample_weight with NaN": weights(np.r_[np.nan, np.ones(N_SAMPLES - 1)]),
    "sample_weight with inf": weights(np.r_[np.inf, np.ones(N_SAMPLES - 1)]),
    "sample_weight all zero": weights(np.zeros(N_SAMPLES)),
    "2-D sample_weight": weights(np.ones((N_SAMPLES, 1))),
    "sample_weight of strings": weights(np.full(N_SAMPLES, "a")),
    "unfitted estimator": lambda e: Call(fitted=False),
    "n_samples=0": lambda e: Call(kwargs={"n_samples": 0}),
    "n_samples=-1": lambda e: Call(kwargs={"n_samples": -1}),
    "n_samples=2.5": lambda e: Call(kwargs={"n_samples": 2.5}),
    "n_samples='3'": lambda e: Call(kwargs={"n_samples": "3"}),
    "n_samples=True": lambda e: Call(kwargs={"n_samples": True}),
    "per-sample n_trials": per_sample(np.full(N_SAMPLES, N_TRIALS)),
    "unknown keyword foo=1": params(foo=1),
    "two positional arguments": lambda e: Call(kwargs={"args": (2, "x")}),
    "unknown parameter foo=1": params(foo=1),
    "n_components=0": params(n_components=0),
    "n_components=1.5": params(n_components=1.5),
    "tol=-1": params(tol=-1),
    "max_iter=-1": params(max_iter=-1),
    "n_init=0": params(n_init=0),
    "labels of the wrong length": lambda e: Call(kwargs={"labels": np.zeros(19)}),
    "a label >= n_components": lambda e: Call(kwargs={"labels": _labels_with(2)}),
    "a label below -1": lambda e: Call(kwargs={"labels": _labels_with(-2)}),
    "a label that is not whole": lambda e: Call(kwargs={"labels": _labels_with(0.5)}),
    "fixed naming no parameter": params(fixed=("foo",)),
    "fixed weights without weights_init": params(fixed=("weights",)),
    "prior='foo'": params(prior="foo"),
    "prior with an unknown key": params(prior={"foo": 1.0}),
    "prior weight_concentration below 1": params(prior={"weight_concentration": 0.5}),
    "fixed means without means_init": params(fixed=("means",)),
    "fixed probabilities without probabilities_init": params(fixed=("probabilities",)),
    "init_params='foo'": params(init_params="foo"),
    "init_sample_size=0": params(init_sample_size=0),
    "learning_decay=0.2": params(learning_decay=0.2),
    "learning_offset=-1": params(learning_offset=-1),
    "stopping_rule='foo'": params(stopping_rule="foo"),
    "acceleration='foo'": params(acceleration="foo"),
    "random_state='x'": params(random_state="x"),
    "warm_start='yes'": params(warm_start="yes"),
    "verbose_interval=0": params(verbose_interval=0),
    "weights_init not summing to 1": params(weights_init=[0.3, 0.3]),
    "weights_init of the wrong shape": params(weights_init=[1.0]),
    "negative weights_init": params(weights_init=[1.5, -0.5]),
    "weights_init with NaN": params(weights_init=[np.nan, 0.5]),
    "a negative count": lambda e: Call(X=with_entry(valid_X(e), 2, 2, -1)),
    "a count above n_trials": lambda e: Call(X=count_above(e)),
    "dask array with a count above n_trials": lambda e: Call(
        X=chunked(count_above(e, row=17, column=0))
    ),
    "per-sample n_trials below a count": per_sample(np.ones(N_SAMPLES)),
    "negative per-sample n_trials": per_sample(np.r_[-1.0, np.full(19, N_TRIALS)]),
    "per-sample n_trials with NaN": per_sample(np.r_[np.nan, np.full(19, N_TRIALS)]),
    "per-sample n_trials with inf": per_sample(np.r_[np.inf, np.full(19, N_TRIALS)]),
    "per-sample n_trials of 19 rows": per_sample(np.full(N_SAMPLES - 1, N_TRIALS)),
    "3-D per-sample n_trials": per_sample(np.full((N_SAMPLES, N_FEATURES, 1), 10)),
    "per-sample n_trials of 1e13": per_sample(np.full(N_SAMPLES, 1e13)),
    "per-sample n_trials 0 in every row": lambda e: Call(
        X=np.zeros((N_SAMPLES, N_FEATURES)), kwargs={"n_trials": np.zeros(N_SAMPLES)}
    ),
    "per-sample n_trials 0 in every row and a positive count": lambda e: Call(
        X=with_entry(np.zeros((N_SAMPLES, N_FEATURES)), 5, 2, 1),
        kwargs={"n_trials": np.zeros(N_SAMPLES)},
    ),
    "no n_trials after a fit with per-sample n_trials": lambda e: Call(
        params={"n_trials": "max"},
        fitted=True,
        fit_kwargs={"n_trials": np.full(N_SAMPLES, N_TRIALS)},
    ),
    "n_trials=-1": params(n_trials=-1),
    "n_trials='foo'": params(n_trials="foo"),
    "n_trials of the wrong shape, [10, 10]": params(n_trials=[10, 10]),
    "n_trials per sample given to the constructor": params(
        n_trials=np.full((N_SAMPLES, N_FEATURES), N_TRIALS)
    ),
    "n_trials array with a negative entry": params(n_trials=[10, -1, 10]),
    "n_trials array with NaN": params(n_trials=[10, np.nan, 10]),
    "n_trials=0 and every count 0": lambda e: Call(
        X=np.zeros((N_SAMPLES, N_FEATURES)), params={"n_trials": 0}
    ),
    "n_trials=0 and a positive count": lambda e: Call(
        X=with_entry(np.zeros((N_SAMPLES, N_FEATURES)), 3, 1, 2), params={"n_trials": 0}
    ),
    "dask array, n_trials=0 and a positive count": lambda e: Call(
        X=chunked(with_entry(np.zeros((N_SAMPLES, N_FEATURES)), 17, 0, 1)),
        params={"n_trials": 0},
    ),
    "n_trials=1e300": params(n_trials=1e300),
    "n_trials='max' and counts of 1e13": lambda e: Call(
        X=np.full((N_SAMPLES, N_FEATURES), 1e13), params={"n_trials": "max"}
    ),
    "probabilities_init above 1": params(probabilities_init=[[2, 0.5, 0.5]] * 2),
    "probabilities_init with NaN": params(probabilities_init=[[np.nan, 0.5, 0.5]] * 2),
    "probabilities_init of the wrong shape": params(probabilities_init=[[0.5] * 2] * 2),
    "probability_floor=0": params(probability_floor=0),
    "probability_floor=0.5": params(probability_floor=0.5),
    "fit_weights='yes'": params(fit_weights="yes"),
    "n_trials=2.5 (not whole)": lambda e: Call(
        kwargs={"n_samples": 3, "n_trials": 2.5}
    ),
    "n_trials=-1 passed to sample": lambda e: Call(
        kwargs={"n_samples": 3, "n_trials": -1}
    ),
    "n_trials of the wrong shape, [1, 2]": lambda e: Call(
        kwargs={"n_samples": 3, "n_trials": [1, 2]}
    ),
    "dask array with a negative count": lambda e: Call(
        X=chunked(with_entry(valid_X(e), 17, 0, -1))
    ),
    "counts of 1e13": lambda e: Call(X=with_entry(valid_X(e), 0, 0, 1e13)),
    "exposure 0": exposure(np.r_[1.0, 1.0, 1.0, 0.0, np.ones(N_SAMPLES - 4)]),
    "negative exposure": exposure(np.r_[-1.0, np.ones(N_SAMPLES - 1)]),
    "exposure with NaN": exposure(np.r_[np.nan, np.ones(N_SAMPLES - 1)]),
    "exposure with inf": exposure(np.r_[np.inf, np.ones(N_SAMPLES - 1)]),
    "exposure of 19 rows": exposure(np.ones(N_SAMPLES - 1)),
    "exposure of shape (20, 3)": exposure(np.ones((N_SAMPLES, N_FEATURES))),
    "exposure=0 passed to sample": lambda e: Call(
        kwargs={"n_samples": 3, "exposure": 0.0}
    ),
    "rates_init of the wrong shape": params(rates_init=np.ones((2, 2))),
    "negative rates_init": params(rates_init=-np.ones((2, 3))),
    "rate_floor=0": params(rate_floor=0),
    "columns with an unknown family": groups(
        ("gaussian", [0, 1], {}), ("gamma", [2], {})
    ),
    "columns with an option of another family": groups(
        ("gaussian", [0, 1], {"n_trials": 10}), ("binomial", [2], {"n_trials": 10})
    ),
    "columns with covariance_type='foo'": groups(
        ("gaussian", [0, 1], {"covariance_type": "foo"}),
        ("binomial", [2], {"n_trials": 10}),
    ),
    "columns not a list": params(columns="gaussian"),
    "a group that is not a tuple": groups("gaussian", ("binomial", [2])),
    "a column in no group": groups(("gaussian", [0, 1], {})),
    "a column in two groups": groups(
        ("gaussian", [0, 1], {}), ("binomial", [1, 2], {"n_trials": 10})
    ),
    "a column index beyond X": groups(
        ("gaussian", [0, 1], {}), ("binomial", [2, 3], {"n_trials": 10})
    ),
    "columns by name and X without names": groups(
        ("gaussian", ["a"], {}), ("binomial", [1, 2], {"n_trials": 10})
    ),
    "a count above n_trials in column 2": lambda e: Call(X=count_above(e, 4, 2)),
    "values of 1e160": lambda e: Call(X=valid_X(e) * 1e160),
    "values of 1e160 in a batch after fit": lambda e: Call(
        X=valid_X(e) * 1e160, fitted=True
    ),
    "a feature of values 1e-300": lambda e: Call(
        X=np.c_[valid_X(e)[:, :2], valid_X(e)[:, 2] * 1e-300]
    ),
    "covariance_type='foo'": params(covariance_type="foo"),
    "reg_covar=-1": params(reg_covar=-1),
    "means_init of the wrong shape": params(means_init=np.zeros((3, 3))),
    "means_init with NaN": params(means_init=np.full((2, 3), np.nan)),
    "precisions_init of the wrong shape": params(
        precisions_init=np.stack([np.eye(2)] * 2)
    ),
    "precisions_init not positive definite": params(
        precisions_init=-np.stack([np.eye(3)] * 2)
    ),
    "precisions_init not symmetric": params(precisions_init=NOT_SYMMETRIC),
    "precisions_init with NaN": params(precisions_init=np.full((2, 3, 3), np.nan)),
    "negative precisions_init, covariance_type='diag'": precisions(
        "diag", -np.ones((2, 3))
    ),
    "negative precisions_init, covariance_type='spherical'": precisions(
        "spherical", -np.ones(2)
    ),
    "degrees_of_freedom_init=0": params(degrees_of_freedom_init=0),
    "degrees_of_freedom_init='foo'": params(degrees_of_freedom_init="foo"),
    "degrees_of_freedom_init of the wrong shape": params(
        degrees_of_freedom_init=[3.0, 4.0, 5.0]
    ),
    "degrees_of_freedom_init with a negative entry": params(
        degrees_of_freedom_init=[-1.0, 4.0]
    ),
    "degrees_of_freedom_init with NaN": params(degrees_of_freedom_init=[np.nan, 4.0]),
    "degrees_of_freedom_type='foo'": params(degrees_of_freedom_type="foo"),
    "duplicated points with reg_covar=0": lambda e: Call(
        X=np.repeat(valid_X(e)[:2], 10, axis=0), params={"reg_covar": 0.0}
    ),
}


def _sparse(X):
    from scipy import sparse

    return sparse.csr_matrix(X)


def expanded_rows():
    """``BAD_INPUTS`` with one row per estimator and method."""
    for estimator, methods, description, error, match in BAD_INPUTS:
        names = list(ESTIMATORS) if estimator == "both" else [estimator]
        for name in names:
            for method in METHOD_GROUPS.get(methods, (methods,)):
                yield pytest.param(
                    name,
                    method,
                    description,
                    error,
                    match,
                    id=f"{name}-{method}-{description}",
                )


NEEDS_FITTED = set(METHOD_GROUPS["prediction methods and sample"])


def call_with_bad_input(estimator, method, call):
    """Run ``method`` of ``estimator`` as ``call`` describes."""
    cls = ESTIMATORS[estimator]
    params = {**DEFAULT_PARAMS[estimator], **call.params}
    if method == "constructor":
        if "args" in call.kwargs:
            return cls(*call.kwargs["args"])
        return cls(**call.params)
    if method == "set_params":
        return cls(**DEFAULT_PARAMS[estimator]).set_params(**call.params)
    model = cls(**params)
    fitted = method in NEEDS_FITTED if call.fitted is None else call.fitted
    if fitted:
        model.fit(valid_X(estimator), **call.fit_kwargs)
    if method == "sample":
        return model.sample(**call.kwargs)
    X = valid_X(estimator) if call.X is None else call.X
    return getattr(model, method)(X, **call.kwargs)


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize(
    "estimator, method, description, error, match", list(expanded_rows())
)
def test_bad_input_raises_a_clear_error(estimator, method, description, error, match):
    call = INPUTS[description](estimator)
    with pytest.raises(EXCEPTIONS[error], match=match):
        call_with_bad_input(estimator, method, call)


def test_bad_input_table_is_consistent():
    # Every row has an input builder and a known method; every builder is used;
    # no row is listed twice.
    described = {row[2] for row in BAD_INPUTS}
    assert described == set(INPUTS)
    methods = {row[1] for row in BAD_INPUTS}
    known = set(METHOD_GROUPS) | {
        "fit",
        "partial_fit",
        "sample",
        "constructor",
        "set_params",
    }
    assert methods <= known
    keys = [row[:3] for row in BAD_INPUTS]
    assert len(keys) == len(set(keys))
    assert {row[3] for row in BAD_INPUTS} <= set(EXCEPTIONS)
    # reStructuredText literals cannot start or end with a space.
    assert all(row[4] == row[4].strip() for row in BAD_INPUTS)


def test_every_public_method_has_a_bad_input():
    covered = {
        (name, method) for name, method, *_ in (p.values for p in expanded_rows())
    }
    public = (
        "fit",
        "partial_fit",
        "fit_predict",
        "predict",
        "predict_proba",
        "score",
        "score_samples",
        "aic",
        "bic",
        "sample",
        "set_params",
        "constructor",
    )
    assert {(name, m) for name in ESTIMATORS for m in public} <= covered


def load_renderer():
    path = Path(__file__).parents[1] / "docs" / "_ext" / "bad_inputs.py"
    spec = importlib.util.spec_from_file_location("bad_inputs_docs", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_docs_table_renders_every_row():
    renderer = load_renderer()
    rows = renderer.read_table(Path(__file__))
    assert rows == [tuple(row) for row in BAD_INPUTS]
    text = renderer.render(rows)
    for estimator, methods, description, error, _ in BAD_INPUTS:
        line = renderer.table_line(estimator, methods, description, error)
        assert line in text, line
    # The committed page is the rendering of this table.
    page = Path(__file__).parents[1] / "docs" / "bad_inputs.rst"
    assert page.read_text() == text
