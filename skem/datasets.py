"""Small data sets bundled with skem."""

import numpy as np
from sklearn.utils import Bunch

__all__ = ["load_coin_flips"]


def load_coin_flips():
    """The two-coin experiment of the EM tutorial.

    Five sets of ten tosses; each set was made with one of two coins, A or B.
    Fitting a two-component :class:`~skem.BinomialMixture` to the heads,
    without the coin labels, recovers the coins' biases.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the attributes:

        heads : ndarray of shape (5, 1)
            Heads in each set of tosses, as a one-feature count matrix.
        n_trials : int
            Tosses per set (10).
        coin : ndarray of shape (5,)
            The coin of each set, ``'A'`` or ``'B'`` (the latent variable).
        DESCR : str
            Description of the data set.

    Examples
    --------
    >>> from skem.datasets import load_coin_flips
    >>> flips = load_coin_flips()
    >>> flips.heads.ravel()
    array([5, 9, 8, 4, 7])
    >>> flips.coin
    array(['B', 'A', 'A', 'B', 'A'], dtype='<U1')
    """
    heads = np.array([[5], [9], [8], [4], [7]])
    coin = np.array(["B", "A", "A", "B", "A"])
    descr = (
        "Two coins, A and B, of unknown bias. Five times a coin was picked and\n"
        "tossed ten times; heads per set: 5, 9, 8, 4, 7, made with coins\n"
        "B, A, A, B, A. Knowing the coins, the maximum-likelihood biases are\n"
        "24/30 = 0.80 for A and 9/20 = 0.45 for B."
    )
    return Bunch(heads=heads, n_trials=10, coin=coin, DESCR=descr)
