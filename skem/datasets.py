"""Small data sets bundled with skem."""

import numpy as np
from sklearn.utils import Bunch

__all__ = [
    "load_birthwt",
    "load_carcinoma",
    "load_coin_flips",
    "load_dmft",
    "load_fabric_faults",
    "load_geissler",
    "load_gss82",
    "load_saxony",
]


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


# Children of the Belo Horizonte caries study by (decayed, missing or filled
# teeth at the beginning, at the end): (begin, end, number of children), from
# R's flexmix::dmft (Boehning et al. 1999), 797 children.
_DMFT_FREQ = (
    (0, 0, 125), (1, 0, 29), (2, 0, 19), (3, 0, 17), (4, 0, 16), (5, 0, 5),
    (6, 0, 10), (7, 0, 5), (8, 0, 5), (0, 1, 29), (1, 1, 27), (2, 1, 31),
    (3, 1, 20), (4, 1, 18), (5, 1, 19), (6, 1, 7), (7, 1, 7), (8, 1, 5),
    (0, 2, 12), (1, 2, 10), (2, 2, 31), (3, 2, 21), (4, 2, 17), (5, 2, 13),
    (6, 2, 20), (7, 2, 9), (8, 2, 7), (0, 3, 4), (1, 3, 6), (2, 3, 8),
    (3, 3, 12), (4, 3, 28), (5, 3, 20), (6, 3, 19), (7, 3, 12), (8, 3, 7),
    (0, 4, 1), (2, 4, 6), (3, 4, 8), (4, 4, 12), (5, 4, 17), (6, 4, 16),
    (7, 4, 6), (8, 4, 4), (0, 5, 1), (2, 5, 1), (3, 5, 2), (4, 5, 3),
    (5, 5, 7), (6, 5, 11), (7, 5, 19), (8, 5, 11), (1, 6, 1), (4, 6, 1),
    (5, 6, 2), (6, 6, 2), (7, 6, 7), (8, 6, 9),
)  # fmt: skip


def load_dmft():
    """Decayed, missing and filled teeth of 797 children, before and after.

    The DMFT index (number of decayed, missing or filled teeth) of 797
    school children of Belo Horizonte (Brazil) at the beginning and at the
    end of a two-year caries prevention study (Boehning, Dietz, Schlattmann,
    Mendonca and Kirchner, 1999, The zero-inflated Poisson model and the
    decayed, missing and filled teeth index in dental epidemiology, JRSS A
    162, 195-209), as R's ``flexmix::dmft``. Two counts per child, tabulated:
    each row is one (begin, end) pair and ``freq`` counts the children with
    it; pass ``sample_weight=freq``. Many children have no caries at all, the
    others many: a single Poisson fits poorly.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the attributes:

        counts : ndarray of shape (58, 2)
            The distinct (begin, end) pairs of DMFT counts.
        freq : ndarray of shape (58,)
            Number of children with each pair (797 in all).
        feature_names : list of str
            ``['begin', 'end']``.
        DESCR : str
            Description of the data set.

    See Also
    --------
    load_fabric_faults : Counts with exposures.

    Examples
    --------
    >>> from skem.datasets import load_dmft
    >>> dmft = load_dmft()
    >>> dmft.counts.shape, int(dmft.freq.sum())
    ((58, 2), 797)
    """
    table = np.array(_DMFT_FREQ)
    descr = (
        "DMFT index (decayed, missing or filled teeth) of 797 children of\n"
        "Belo Horizonte at the beginning and the end of a caries prevention\n"
        "study, tabulated by (begin, end) with frequencies. Source: R package\n"
        "flexmix, data set dmft; Boehning et al. (1999), JRSS A 162, 195-209."
    )
    return Bunch(
        counts=table[:, :2],
        freq=table[:, 2],
        feature_names=["begin", "end"],
        DESCR=descr,
    )


# Rolls of fabric: (length in metres, number of faults), from R's
# flexmix::fabricfault (Bissell 1972; McLachlan and Peel 2000).
_FABRIC_FAULTS = (
    (551, 6), (651, 4), (832, 17), (375, 9), (715, 14), (868, 8), (271, 5),
    (630, 7), (491, 7), (372, 7), (645, 6), (441, 8), (895, 28), (458, 4),
    (642, 10), (492, 4), (543, 8), (842, 9), (905, 23), (542, 9), (522, 6),
    (122, 1), (657, 9), (170, 4), (738, 9), (371, 14), (735, 17), (749, 10),
    (495, 7), (716, 3), (952, 9), (417, 2),
)  # fmt: skip


def load_fabric_faults():
    """Faults in 32 rolls of fabric of different lengths.

    Bissell's (1972) table, a classic of overdispersed counts with an
    exposure: the number of faults in a roll grows with its length, so a
    roll's length is the exposure of its count (R's
    ``flexmix::fabricfault``; McLachlan and Peel, Finite Mixture Models,
    2000). Pass ``exposure=length`` to :class:`~skem.PoissonMixture`.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the attributes:

        faults : ndarray of shape (32, 1)
            Faults per roll, as a one-feature count matrix.
        length : ndarray of shape (32,)
            Length of each roll, in metres.
        DESCR : str
            Description of the data set.

    See Also
    --------
    skem.PoissonMixture : The mixture that takes the lengths as exposures.
    load_dmft : A table of two counts per child.

    Examples
    --------
    >>> from skem.datasets import load_fabric_faults
    >>> fabric = load_fabric_faults()
    >>> fabric.faults.shape, int(fabric.length.sum())
    ((32, 1), 18805)
    """
    table = np.array(_FABRIC_FAULTS)
    descr = (
        "Number of faults in 32 rolls of fabric and the length of each roll\n"
        "(m). Source: R package flexmix, data set fabricfault; Bissell (1972),\n"
        "Biometrika 59, 435-441."
    )
    return Bunch(
        faults=table[:, 1:], length=table[:, 0].astype(np.float64), DESCR=descr
    )


# Ratings of 118 slides by pathologists A-G (0: no carcinoma, 1: carcinoma):
# the 20 observed patterns and their numbers of slides, from R's
# poLCA::carcinoma (Agresti 2002, Table 13.1).
_CARCINOMA_FREQ = (
    ((0, 0, 0, 0, 0, 0, 0), 34), ((1, 0, 0, 0, 0, 0, 0), 2),
    ((0, 1, 0, 0, 0, 0, 0), 6), ((1, 1, 0, 0, 0, 0, 0), 2),
    ((0, 0, 0, 0, 1, 0, 0), 2), ((0, 1, 0, 0, 1, 0, 0), 4),
    ((1, 1, 0, 0, 1, 0, 0), 2), ((0, 1, 0, 0, 0, 0, 1), 1),
    ((1, 1, 0, 0, 0, 0, 1), 1), ((1, 1, 0, 1, 0, 0, 1), 1),
    ((0, 1, 0, 0, 1, 0, 1), 5), ((1, 1, 0, 0, 1, 0, 1), 7),
    ((1, 0, 1, 0, 1, 0, 1), 1), ((1, 1, 1, 0, 1, 0, 1), 13),
    ((1, 1, 0, 1, 1, 0, 1), 2), ((1, 1, 1, 1, 1, 0, 1), 10),
    ((1, 1, 0, 0, 1, 1, 1), 1), ((1, 1, 1, 0, 1, 1, 1), 5),
    ((1, 1, 0, 1, 1, 1, 1), 3), ((1, 1, 1, 1, 1, 1, 1), 16),
)  # fmt: skip


def load_carcinoma():
    """Seven pathologists' ratings of 118 slides for carcinoma (binary items).

    Each of seven pathologists (A to G) rated each of 118 slides of the
    uterine cervix for the presence (1) or absence (0) of carcinoma (Agresti,
    2002, Categorical Data Analysis, 2nd ed., Wiley, Table 13.1; as R's
    ``poLCA::carcinoma``). The 118 slides show 20 distinct rating patterns:
    each row is one pattern and ``freq`` counts its slides; pass
    ``sample_weight=freq``. A latent class model reads the classes as the
    true state of the slides and the raters' error rates.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the attributes:

        ratings : ndarray of shape (20, 7)
            The distinct rating patterns (0: no, 1: yes).
        freq : ndarray of shape (20,)
            Number of slides with each pattern (118 in all).
        feature_names : list of str
            The pathologists, ``['A', ..., 'G']``.
        DESCR : str
            Description of the data set.

    See Also
    --------
    skem.CategoricalMixture : The latent class model.
    load_gss82 : A survey of items with two and three categories.

    Examples
    --------
    >>> from skem.datasets import load_carcinoma
    >>> carcinoma = load_carcinoma()
    >>> carcinoma.ratings.shape, int(carcinoma.freq.sum())
    ((20, 7), 118)
    """
    ratings = np.array([pattern for pattern, _ in _CARCINOMA_FREQ])
    freq = np.array([count for _, count in _CARCINOMA_FREQ])
    descr = (
        "Dichotomous ratings (0: no, 1: yes) by seven pathologists, A to G, of\n"
        "118 slides for the presence of carcinoma in the uterine cervix: the 20\n"
        "observed rating patterns (`ratings`) and the number of slides with\n"
        "each (`freq`).\n\n"
        "Source: Agresti, A. (2002), Categorical Data Analysis, 2nd edition,\n"
        "Wiley, Table 13.1 (p. 542), after Landis, J. R. & Koch, G. G. (1977),\n"
        "Biometrics 33, 363-374; as the data set `carcinoma` of the R package\n"
        "poLCA (Linzer & Lewis 2011, Journal of Statistical Software 42(10)),\n"
        "where the codes are 1 (no) and 2 (yes)."
    )
    return Bunch(
        ratings=ratings,
        freq=freq,
        feature_names=list("ABCDEFG"),
        DESCR=descr,
    )


# Answers of 1,202 white respondents of the 1982 General Social Survey: every
# observed (PURPOSE, ACCURACY, UNDERSTA, COOPERAT) pattern and its number of
# respondents, from R's poLCA::gss82 (McCutcheon 1987, Table 3.1).
_GSS82_CATEGORIES = (
    ("Good", "Depends", "Waste of time"),
    ("Mostly true", "Not true"),
    ("Good", "Fair/Poor"),
    ("Interested", "Cooperative", "Impatient"),
)
_GSS82_FREQ = (
    ((0, 0, 0, 0), 419), ((1, 0, 0, 0), 23), ((2, 0, 0, 0), 26),
    ((0, 1, 0, 0), 270), ((1, 1, 0, 0), 43), ((2, 1, 0, 0), 85),
    ((0, 0, 1, 0), 71), ((1, 0, 1, 0), 6), ((2, 0, 1, 0), 1),
    ((0, 1, 1, 0), 42), ((1, 1, 1, 0), 9), ((2, 1, 1, 0), 13),
    ((0, 0, 0, 1), 35), ((1, 0, 0, 1), 4), ((2, 0, 0, 1), 3),
    ((0, 1, 0, 1), 25), ((1, 1, 0, 1), 9), ((2, 1, 0, 1), 23),
    ((0, 0, 1, 1), 25), ((1, 0, 1, 1), 2), ((2, 0, 1, 1), 2),
    ((0, 1, 1, 1), 16), ((1, 1, 1, 1), 3), ((2, 1, 1, 1), 12),
    ((0, 0, 0, 2), 2), ((1, 0, 0, 2), 1), ((0, 1, 0, 2), 4),
    ((1, 1, 0, 2), 2), ((2, 1, 0, 2), 6), ((0, 0, 1, 2), 5),
    ((0, 1, 1, 2), 5), ((1, 1, 1, 2), 2), ((2, 1, 1, 2), 8),
)  # fmt: skip


def load_gss82():
    """Attitudes towards surveys of 1,202 respondents of the 1982 GSS.

    Four items of the 1982 General Social Survey, answered by 1,202 white
    respondents (McCutcheon, 1987, Latent Class Analysis, Sage, Table 3.1;
    as R's ``poLCA::gss82``): the purpose of surveys (good / depends / waste
    of time and money), their accuracy (mostly true / not true), the
    respondent's understanding of the questions (good / fair, poor) and
    cooperation with the interviewer (interested / cooperative / impatient,
    hostile). Each row is one of the 33 observed answer patterns, as
    strings, and ``freq`` counts its respondents: encode the answers with
    :class:`~sklearn.preprocessing.OrdinalEncoder` (``categories`` in the
    order given here) and pass ``sample_weight=freq``.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the attributes:

        answers : ndarray of str of shape (33, 4)
            The distinct answer patterns.
        freq : ndarray of shape (33,)
            Number of respondents with each pattern (1,202 in all).
        feature_names : list of str
            ``['PURPOSE', 'ACCURACY', 'UNDERSTA', 'COOPERAT']``.
        categories : list of list of str
            The answers of every item, in the survey's order.
        DESCR : str
            Description of the data set.

    See Also
    --------
    skem.CategoricalMixture : The latent class model.
    load_carcinoma : Binary ratings.

    Examples
    --------
    >>> from skem.datasets import load_gss82
    >>> gss82 = load_gss82()
    >>> gss82.answers.shape, int(gss82.freq.sum())
    ((33, 4), 1202)
    >>> gss82.answers[0]
    array(['Good', 'Mostly true', 'Good', 'Interested'], dtype='<U13')
    """
    answers = np.array(
        [
            [_GSS82_CATEGORIES[j][code] for j, code in enumerate(pattern)]
            for pattern, _ in _GSS82_FREQ
        ]
    )
    freq = np.array([count for _, count in _GSS82_FREQ])
    descr = (
        "Attitudes towards survey taking of 1,202 white respondents to the 1982\n"
        "General Social Survey: PURPOSE (good / depends / waste of time and\n"
        "money), ACCURACY (mostly true / not true), UNDERSTA (good / fair,\n"
        "poor) and COOPERAT (interested / cooperative / impatient, hostile).\n"
        "The 33 observed answer patterns (`answers`, strings) and the number\n"
        "of respondents with each (`freq`).\n\n"
        "Source: McCutcheon, A. L. (1987), Latent Class Analysis, Sage,\n"
        "Table 3.1 (p. 30); as the data set `gss82` of the R package poLCA\n"
        "(Linzer & Lewis 2011, Journal of Statistical Software 42(10))."
    )
    return Bunch(
        answers=answers,
        freq=freq,
        feature_names=["PURPOSE", "ACCURACY", "UNDERSTA", "COOPERAT"],
        categories=[list(c) for c in _GSS82_CATEGORIES],
        DESCR=descr,
    )


def load_birthwt():
    """Risk factors of low birth weight: 189 births, mixed-type columns.

    Mothers of 189 births at Baystate Medical Center, Springfield,
    Massachusetts, in 1986 (Hosmer and Lemeshow, 1989, Applied Logistic
    Regression, Wiley; as R's ``MASS::birthwt``, Venables and Ripley,
    Modern Applied Statistics with S). A clinical-style table of
    measurements, binary indicators, a category and counts side by side:
    the data of :class:`~skem.MixedMixture`.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the attributes:

        measurements : ndarray of shape (189, 3)
            Mother's age (years), mother's weight at the last menstrual
            period (pounds) and the baby's birth weight (grams).
        indicators : ndarray of shape (189, 3)
            Smoking during pregnancy, history of hypertension, uterine
            irritability (1: yes, 0: no).
        race : ndarray of shape (189, 1)
            Mother's race coded 0 (white), 1 (black), 2 (other).
        counts : ndarray of shape (189, 2)
            Previous premature labours and physician visits during the
            first trimester.
        low : ndarray of shape (189,)
            Birth weight below 2.5 kg (1: yes), derived from the birth weight.
        feature_names : dict of str to list of str
            The names of the columns of each array.
        DESCR : str
            Description of the data set.

    See Also
    --------
    skem.MixedMixture : Mixtures of column groups of different families.

    Examples
    --------
    >>> from skem.datasets import load_birthwt
    >>> births = load_birthwt()
    >>> births.measurements.shape, births.indicators.shape, births.counts.shape
    ((189, 3), (189, 3), (189, 2))
    >>> int(births.low.sum())
    59
    """
    from ._birthwt import BIRTHWT_CSV

    table = np.array(
        [line.split(",") for line in BIRTHWT_CSV.splitlines()], dtype=np.float64
    )
    low, age, lwt, race, smoke, ptl, ht, ui, ftv, bwt = table.T
    descr = (
        "Risk factors associated with low infant birth weight: 189 births at\n"
        "Baystate Medical Center, Springfield, Massachusetts, 1986.\n\n"
        "Source: Hosmer, D. W. & Lemeshow, S. (1989), Applied Logistic\n"
        "Regression, Wiley; as the data set `birthwt` of the R package MASS\n"
        "(Venables & Ripley 2002, Modern Applied Statistics with S), whose\n"
        "race codes 1, 2, 3 are 0, 1, 2 here."
    )
    return Bunch(
        measurements=np.column_stack([age, lwt, bwt]),
        indicators=np.column_stack([smoke, ht, ui]),
        race=(race - 1).reshape(-1, 1),
        counts=np.column_stack([ptl, ftv]),
        low=low.astype(np.int64),
        feature_names={
            "measurements": ["age", "lwt", "bwt"],
            "indicators": ["smoke", "ht", "ui"],
            "race": ["race"],
            "counts": ["ptl", "ftv"],
        },
        DESCR=descr,
    )
