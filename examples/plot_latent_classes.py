"""
Latent classes of a survey: seven pathologists rating slides
============================================================

Seven pathologists rated each of 118 slides of the uterine cervix for the
presence of carcinoma (Agresti 2002, Table 13.1). Nobody knows the true
state of a slide; a latent class model reads the classes as that state and
each class's probabilities of a "yes" as the raters' sensitivities and false
alarm rates. :class:`skem.CategoricalMixture` fits it, BIC picks the number
of classes, and the fitted probabilities show how the raters differ.
"""

import matplotlib.pyplot as plt
import numpy as np

from skem import CategoricalMixture
from skem.datasets import load_carcinoma

# %%
# The table: 20 distinct rating patterns (0: no, 1: yes) and the number of
# slides with each, passed as sample weights.
carcinoma = load_carcinoma()
X, freq = carcinoma.ratings, carcinoma.freq
print(X.shape, int(freq.sum()))

# %%
# One to four classes, the best of ten starts each. R's flexmix
# (FLXMCmvbinary) and poLCA reach the same log-likelihoods (-524.465,
# -317.257, -293.705, -289.286; see tests/test_categorical.py).
models = {}
for k in range(1, 5):
    models[k] = CategoricalMixture(
        k, n_init=10, init_params="emem", tol=1e-10, random_state=0
    ).fit(X, sample_weight=freq)
    log_likelihood = models[k].score(X, sample_weight=freq) * freq.sum()
    bic = models[k].bic(X, sample_weight=freq)
    print(f"{k} classes: log-likelihood {log_likelihood:.3f}, BIC {bic:.1f}")

best = min(models, key=lambda k: models[k].bic(X, sample_weight=freq))
print(f"Best by BIC: n_components={best}")

# %%
# BIC prefers three classes: slides clearly without carcinoma, clearly with
# it, and a class of doubtful slides on which the raters disagree.
model = models[3]
yes = model.category_probabilities_[:, :, 1]  # P(rater says yes | class)
order = np.argsort(yes.mean(axis=1))
fig, ax = plt.subplots(figsize=(6, 3.5))
for rank, k in enumerate(order):
    ax.plot(
        carcinoma.feature_names,
        yes[k],
        marker="o",
        label=f"class {rank + 1} ({model.weights_[k]:.0%} of slides)",
    )
ax.set_xlabel("pathologist")
ax.set_ylabel("probability of a 'yes'")
ax.set_ylim(-0.05, 1.05)
ax.legend()
fig.tight_layout()
plt.show()
