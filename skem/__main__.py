"""``python -m skem``: the two-coin walk-through of expectation-maximization.

Every number printed here is computed by :class:`skem.BinomialMixture`.
"""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from skem import BinomialMixture
from skem.datasets import load_coin_flips

THETA_START = [[0.6], [0.5]]  # first guesses for coins A and B


def tutorial_model(max_iter):
    """The tutorial's setting: two coins, equal fixed weights, fixed start."""
    return BinomialMixture(
        n_components=2,
        n_trials=10,
        probabilities_init=THETA_START,
        fit_weights=False,
        tol=0.0,
        max_iter=max_iter,
        acceleration=None,  # plain EM steps, the tutorial's iterations
    )


def fit_quietly(model, X):
    # tol=0 with a fixed number of iterations is deliberate here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X)


def show_data(flips):
    print("The data: five sets of ten tosses, each made with coin A or coin B.")
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
    for n_iter in (1, 10):
        model = fit_quietly(tutorial_model(max_iter=n_iter), flips.heads)
        theta_a, theta_b = model.probabilities_[:, 0]
        print(
            f"M-step estimates after {n_iter:>2} iteration{'s' if n_iter > 1 else ' '}:"
            f" thetaA = {theta_a:.2f}, thetaB = {theta_b:.2f}"
            f"  (log-likelihood per set {model.lower_bound_:.4f})"
        )
    print()


def show_learned_weights(flips):
    model = BinomialMixture(
        n_components=2, n_trials=10, n_init=10, tol=1e-10, max_iter=1000, random_state=0
    ).fit(flips.heads)
    order = np.argsort(-model.probabilities_[:, 0])
    print("Fitting the mixture weights too (10 random starts, run to convergence):")
    for name, k in zip("AB", order, strict=True):
        print(
            f"  coin {name}: theta = {model.probabilities_[k, 0]:.2f}, "
            f"weight = {model.weights_[k]:.2f}"
        )
    print(f"  converged after {model.n_iter_} iterations: {model.converged_}")
    print()


def show_complete_data(flips):
    print("Had the coins been recorded, a one-component fit per coin would give:")
    for coin in "AB":
        rows = flips.heads[flips.coin == coin]
        model = BinomialMixture(n_components=1, n_trials=flips.n_trials).fit(rows)
        heads, tosses = rows.sum(), rows.size * flips.n_trials
        theta = model.probabilities_[0, 0]
        print(f"  coin {coin}: theta = {heads}/{tosses} = {theta:.2f}")


def main():
    flips = load_coin_flips()
    show_data(flips)
    show_first_e_step(flips)
    show_iterations(flips)
    show_learned_weights(flips)
    show_complete_data(flips)


if __name__ == "__main__":
    main()
