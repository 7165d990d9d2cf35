"""Checks shared by the conjugate priors of the count families.

The binomial (Beta), Poisson (gamma) and categorical (Dirichlet) families
read a ``prior`` of ``"conjugate"`` or a dict of hyperparameters; these
helpers check the dict's keys and turn each hyperparameter into a
per-feature array, with messages that name the key.
"""

import numpy as np


def prior_keys(spec, keys, whom):
    """``spec`` as a dict (``"conjugate"``: empty), its keys checked.

    ``"weight_concentration"`` (the Dirichlet prior of the weights) is one of
    ``keys``; the engine reads it, the families ignore it.
    """
    if isinstance(spec, str):
        if spec != "conjugate":
            raise ValueError(
                f"prior must be None, 'conjugate' or a dict, got {spec!r}."
            )
        return {}
    spec = dict(spec)
    unknown = sorted(set(spec) - set(keys), key=str)
    if unknown:
        raise ValueError(
            f"prior has unknown keys {unknown}; {whom}'s prior takes {list(keys)}."
        )
    return spec


def check_hyperparameter(spec, key, default, n_features, *, least, strict=False):
    """``spec[key]`` (or ``default``) as an array of shape (n_features,).

    A number or an array of shape (n_features,), finite and at least
    ``least`` (above it when ``strict``); a ValueError names the key.
    """
    value = spec.get(key, default)
    bound = f"> {least:g}" if strict else f">= {least:g}"
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            f"prior[{key!r}] must be a number {bound} or an array of shape "
            f"(n_features,) = ({n_features},), got {value!r}."
        ) from None
    if array.ndim == 0:
        array = np.full(n_features, float(array))
    if array.shape != (n_features,):
        raise ValueError(
            f"prior[{key!r}] must be a number or have shape (n_features,) = "
            f"({n_features},), got shape {array.shape}."
        )
    valid = np.isfinite(array) & ((array > least) if strict else (array >= least))
    if not np.all(valid):
        j = int(np.flatnonzero(~valid)[0])
        raise ValueError(
            f"prior[{key!r}] must be finite and {bound}, got {float(array[j]):g}"
            + ("" if np.ndim(value) == 0 else f" for feature {j}")
            + "."
        )
    return array
