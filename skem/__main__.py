"""``python -m skem``: the two-coin walk-through of expectation-maximization.

Every number printed here is computed by :class:`skem.BinomialMixture`.
"""

import argparse
import os
import sys
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from skem import BinomialMixture
from skem.datasets import load_coin_flips

THETA_START = [[0.6], [0.5]]  # first guesses for coins A and B

DESCRIPTION = """\
The two-coin walk-through of expectation-maximization (EM): five sets of ten
tosses, each made with one of two coins whose identity is hidden. It prints
the data, EM's first E-step from a guess, the estimates after 1 and 10
iterations, a fit that learns the mixture weights too, and the estimates had
the coins been recorded, each table computed by skem.BinomialMixture (the
skem call behind each table is printed with it)."""


def tutorial_model(max_iter):
    """The tutorial's setting: two coins, equal fixed weights, fixed start."""
    return BinomialMixture(
        n_components=2,
        n_trials=10,
        probabilities_init=THETA_START,
        weights_init=[0.5, 0.5],
        fixed=("weights",),
        tol=0.0,
        max_iter=max_iter,
        acceleration=None,  # plain EM steps, the tutorial's iterations
    )


TUTORIAL_MODEL = (
    "model = BinomialMixture(n_components=2, n_trials=10,\n"
    "      probabilities_init=[[0.6], [0.5]], weights_init=[0.5, 0.5],\n"
    "      fixed=('weights',), tol=0, acceleration=None,\n"
    "      max_iter={max_iter}).fit(flips.heads)"
)


def fit_quietly(model, X):
    # tol=0 with a fixed number of iterations is deliberate here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X)


def show_call(code):
    """Print the skem calls behind the table that follows."""
    print("  API: " + code.replace("\n", "\n       "))


def show_data(flips):
    print("The data: five sets of ten tosses, each made with coin A or coin B.")
    show_call("flips = skem.datasets.load_coin_flips()  # .heads, .coin, .n_trials")
    print("  set  heads  tails  coin (hidden from EM)")
    for i, (heads, coin) in enumerate(zip(flips.heads[:, 0], flips.coin, strict=True)):
        print(f"  {i + 1:>3}  {heads:>5}  {flips.n_trials - heads:>5}  {coin}")
    print()


def show_first_e_step(flips):
    start = fit_quietly(tutorial_model(max_iter=0), flips.heads)
    resp = start.predict_proba(flips.heads)
    heads = flips.heads[:, 0]
    tails = flips.n_trials - heads
    print("E-step from the guesses thetaA = 0.6, thetaB = 0.5: the probability that")
    print("each set came from each coin, and the heads and tails credited to each.")
    show_call(
        TUTORIAL_MODEL.format(max_iter=0) + "  # keeps the guesses\n"
        "model.predict_proba(flips.heads)  # P(A), P(B); times heads and tails"
    )
    print("  set  P(A)  P(B)   A: heads tails   B: heads tails")
    for i in range(len(heads)):
        a, b = resp[i]
        h, t = heads[i], tails[i]
        print(
            f"  {i + 1:>3}  {a:.2f}  {b:.2f}   {a * h:>8.1f} {a * t:>5.1f}"
            f"   {b * h:>8.1f} {b * t:>5.1f}"
        )
    credited = resp.T @ np.column_stack([heads, tails])
    print(
        f"  total             {credited[0, 0]:>8.1f} {credited[0, 1]:>5.1f}"
        f"   {credited[1, 0]:>8.1f} {credited[1, 1]:>5.1f}"
    )
    print()


def show_iterations(flips):
    show_call(
        TUTORIAL_MODEL.format(max_iter="n")
        + "  # n = 1, then 10\nmodel.probabilities_, model.lower_bound_"
    )
    for n_iter in (1, 10):
        model = fit_quietly(tutorial_model(max_iter=n_iter), flips.heads)
        theta_a, theta_b = model.probabilities_[:, 0]
        print(
            f"M-step estimates after {n_iter:>2} iteration{'s' if n_iter > 1 else ' '}:"
            f" thetaA = {theta_a:.2f}, thetaB = {theta_b:.2f}"
            f"  (log-likelihood per set {model.lower_bound_:.4f})"
        )
    print()


def fit_learned_weights(flips):
    return BinomialMixture(
        n_components=2, n_trials=10, n_init=10, tol=1e-10, max_iter=1000, random_state=0
    ).fit(flips.heads)


def show_learned_weights(model):
    order = np.argsort(-model.probabilities_[:, 0])
    print("Fitting the mixture weights too (10 random starts, run to convergence):")
    show_call(
        "model = BinomialMixture(n_components=2, n_trials=10, n_init=10,\n"
        "      tol=1e-10, max_iter=1000, random_state=0).fit(flips.heads)\n"
        "model.probabilities_, model.weights_, model.n_iter_, model.converged_"
    )
    for name, k in zip("AB", order, strict=True):
        print(
            f"  coin {name}: theta = {model.probabilities_[k, 0]:.2f}, "
            f"weight = {model.weights_[k]:.2f}"
        )
    print(f"  converged after {model.n_iter_} iterations: {model.converged_}")
    print()


def show_complete_data(flips):
    print("Had the coins been recorded, a one-component fit per coin would give:")
    show_call(
        "BinomialMixture(n_components=1, n_trials=10)\n"
        "      .fit(flips.heads[flips.coin == coin]).probabilities_"
    )
    for coin in "AB":
        rows = flips.heads[flips.coin == coin]
        model = BinomialMixture(n_components=1, n_trials=flips.n_trials).fit(rows)
        heads, tosses = rows.sum(), rows.size * flips.n_trials
        theta = model.probabilities_[0, 0]
        print(f"  coin {coin}: theta = {heads}/{tosses} = {theta:.2f}")
    print()


def show_why_b_differs(flips, model):
    """Coin B's estimate as a ratio of credited heads to credited tosses."""
    b = np.argmin(model.probabilities_[:, 0])
    share = model.predict_proba(flips.heads)[:, b]
    heads = flips.heads[:, 0]
    credited_heads = share @ heads
    credited_tosses = share.sum() * flips.n_trials
    mine = flips.coin == "B"
    labelled = heads[mine].sum() / (mine.sum() * flips.n_trials)
    lent = (~mine) & (share > 0.05)  # A's sets that B receives a share of
    print(
        f"Why EM's thetaB ({model.probabilities_[b, 0]:.2f}) is not "
        f"{labelled:.2f}, the estimate with the coins recorded:"
    )
    show_call("model.predict_proba(flips.heads)[:, b]  # b: coin B in the fit above")
    print("  set  heads  coin  share credited to B")
    for i, (h, coin) in enumerate(zip(heads, flips.coin, strict=True)):
        print(f"  {i + 1:>3}  {h:>5}  {coin:>4}  {share[i]:.2f}")
    print(
        f"  total {credited_heads:.1f} heads in {credited_tosses:.1f} tosses:"
        f" thetaB = {credited_heads / credited_tosses:.2f}"
    )
    sets = " and ".join(f"{i + 1}" for i in np.flatnonzero(lent))
    print(
        "With the coins recorded, B's estimate counts only B's own sets, all of\n"
        "their tosses. EM never learns which coin made a set, so its M-step\n"
        "divides the heads credited to B by the tosses credited to B, every set\n"
        "weighted by the posterior probability that B made it. B's own sets are\n"
        f"not wholly B's, and sets {sets}, made with A and richer in heads, are\n"
        f"partly B's: their heads lift B's estimate above {labelled:.2f}. That is the\n"
        "maximum of the likelihood without the labels, a different function from\n"
        "the likelihood with them."
    )


def main(argv=None):
    """Parse the command line and print the walk-through."""
    parser = argparse.ArgumentParser(
        prog="python -m skem",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.parse_args(argv)
    flips = load_coin_flips()
    show_data(flips)
    show_first_e_step(flips)
    show_iterations(flips)
    model = fit_learned_weights(flips)
    show_learned_weights(model)
    show_complete_data(flips)
    show_why_b_differs(flips, model)


def run():
    """``main()``, quiet when the reader of stdout goes away (``| head``)."""
    try:
        main()
        sys.stdout.flush()  # a closed pipe raises here, not at exit
    except BrokenPipeError:
        # The recipe of the signal module's documentation: point stdout at
        # devnull so the interpreter's final flush cannot fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)


if __name__ == "__main__":
    run()
