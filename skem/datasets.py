"""Small data sets bundled with skem."""

import numpy as np
from sklearn.utils import Bunch

__all__ = ["load_coin_flips", "load_geissler", "load_saxony"]


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

    See Also
    --------
    skem.BinomialMixture : The mixture that recovers the two coins.
    load_saxony : A larger binomial data set, as a frequency table.

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


# Families of 12 children in Saxony by number of boys, 0..12 (vcd::Saxony).
_SAXONY_FREQ = (3, 24, 104, 286, 670, 1033, 1343, 1112, 829, 478, 181, 45, 7)

# Families in Saxony by size (1..12) and number of boys: entry ``b`` of the tuple
# for size ``n`` counts the families of ``n`` children with ``b`` boys
# (vcdExtra::Geissler, after Edwards 1958, Table 1).
_GEISSLER_FREQ = {
    1: (108719, 114609),
    2: (42860, 89213, 47819),
    3: (17395, 53789, 57179, 20540),
    4: (7004, 28101, 44793, 31611, 8628),
    5: (2839, 13740, 28630, 30175, 16340, 3666),
    6: (1096, 6233, 15700, 22221, 17332, 7908, 1579),
    7: (436, 2719, 8171, 13972, 14479, 9547, 3725, 631),
    8: (161, 1152, 3951, 7603, 10263, 8498, 4948, 1655, 264),
    9: (66, 432, 1776, 3895, 5917, 6436, 4757, 2418, 713, 90),
    10: (30, 151, 722, 1783, 3072, 3878, 3470, 2309, 1027, 287, 30),
    11: (8, 72, 275, 837, 1540, 2161, 2310, 1801, 1077, 492, 93, 24),
    12: (3, 24, 104, 286, 670, 1033, 1343, 1112, 829, 478, 181, 45, 7),
}


def load_saxony():
    """Boys among the children of 6,115 families of twelve in Saxony.

    Geissler's (1889) classic table of the sex ratio in 19th-century Saxony,
    as ``vcd::Saxony`` in R: how many of the 6,115 families with twelve
    children had 0, 1, ..., 12 boys. A single binomial fits it poorly (the
    counts are overdispersed), which makes it a standard test of binomial
    mixtures. The frequencies are sample weights: pass ``sample_weight=freq``
    to :meth:`~skem.BinomialMixture.fit`.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the attributes:

        counts : ndarray of shape (13, 1)
            Numbers of boys, 0 to 12, as a one-feature count matrix.
        freq : ndarray of shape (13,)
            Number of families with each number of boys (6,115 in all).
        n_trials : int
            Children per family (12).
        DESCR : str
            Description of the data set.

    See Also
    --------
    load_geissler : The families of every size from 1 to 12.

    Examples
    --------
    >>> from skem.datasets import load_saxony
    >>> saxony = load_saxony()
    >>> saxony.counts.shape, saxony.n_trials
    ((13, 1), 12)
    >>> saxony.freq
    array([   3,   24,  104,  286,  670, 1033, 1343, 1112,  829,  478,  181,
             45,    7])
    >>> int(saxony.freq.sum())
    6115
    """
    counts = np.arange(13).reshape(-1, 1)
    freq = np.array(_SAXONY_FREQ)
    descr = (
        "Number of boys among the 12 children of 6,115 families in Saxony,\n"
        "1876-1885: one row per number of boys (0 to 12, all 13 rows), with the\n"
        "number of families in `freq`.\n\n"
        "Source: R package vcd, data set `Saxony` (vcd::Saxony); from\n"
        "Geissler, A. (1889), Beitraege zur Frage des Geschlechtsverhaeltnisses\n"
        "der Geborenen, Z. K. Saechsischen Statistischen Bureaus 35, as cited\n"
        "in Sokal, R. R. & Rohlf, F. J. (1969), Biometry, W. H. Freeman, and\n"
        "Lindsey, J. K. (1995), Analysis of Frequency and Count Data, Oxford\n"
        "University Press; see also Friendly, M. (2000), Visualizing\n"
        "Categorical Data, SAS Institute, pp. 40-42. The same families are the\n"
        "size-12 rows of `load_geissler`."
    )
    return Bunch(counts=counts, freq=freq, n_trials=12, DESCR=descr)


def load_geissler():
    """Boys among the children of 991,958 families of 1 to 12 in Saxony.

    Geissler's (1889) full table of family composition in Saxony, as
    ``vcdExtra::Geissler`` in R: for each family size from 1 to 12 and each
    number of boys, the number of families. There is one row per (size, boys)
    cell, 90 in all (every cell with ``0 <= boys <= size``; none is empty), so
    the number of trials differs between rows: pass ``n_trials`` as well as
    ``sample_weight=freq`` to :meth:`~skem.BinomialMixture.fit`.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the attributes:

        counts : ndarray of shape (90, 1)
            Number of boys in the family, as a one-feature count matrix.
        n_trials : ndarray of shape (90,)
            Family size (number of children), 1 to 12.
        freq : ndarray of shape (90,)
            Number of families of that size with that number of boys
            (991,958 in all).
        DESCR : str
            Description of the data set.

    See Also
    --------
    load_saxony : The families of twelve alone.

    Examples
    --------
    >>> import numpy as np
    >>> from skem.datasets import load_geissler
    >>> geissler = load_geissler()
    >>> geissler.counts.shape, geissler.n_trials.shape, geissler.freq.shape
    ((90, 1), (90,), (90,))
    >>> int(geissler.freq.sum())
    991958
    >>> geissler.freq[geissler.n_trials == 2]  # 0, 1, 2 boys among two
    array([42860, 89213, 47819])
    """
    n_trials = np.array([n for n, row in _GEISSLER_FREQ.items() for _ in row])
    boys = np.array([b for row in _GEISSLER_FREQ.values() for b in range(len(row))])
    freq = np.array([f for row in _GEISSLER_FREQ.values() for f in row])
    descr = (
        "Sex composition of 991,958 families in Saxony, 1876-1885: for each\n"
        "family size from 1 to 12 children (`n_trials`) and each number of boys\n"
        "(`counts`, 0 to size), the number of families (`freq`). All 90 cells\n"
        "with 0 <= boys <= size are kept (none is zero); rows are sorted by size,\n"
        "then boys. The family records are not all independent: a family with\n"
        "several births in the period may appear more than once.\n\n"
        "Source: R package vcdExtra, data set `Geissler` (vcdExtra::Geissler),\n"
        "from Edwards, A. W. F. (1958), An analysis of Geissler's data on the\n"
        "human sex ratio, Annals of Human Genetics 23, 6-15, Table 1; originally\n"
        "Geissler, A. (1889), Beitraege zur Frage des Geschlechtsverhaeltnisses\n"
        "der Geborenen, Z. K. Saechsischen Statistischen Bureaus 35. See also\n"
        "Lindsey, J. K. & Altham, P. M. E. (1998), Analysis of the human sex\n"
        "ratio by using overdispersion models, JRSS C 47, 149-157. The size-12\n"
        "rows are `load_saxony`."
    )
    return Bunch(counts=boys.reshape(-1, 1), n_trials=n_trials, freq=freq, DESCR=descr)
