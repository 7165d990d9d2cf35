"""Reference MAP-EM fits from R mclust's default conjugate prior (priorControl()).

Produces tests/data/mclust_prior.json, the target for
GaussianMixtureEM(prior="conjugate"). Three steps (CI has no R):

    python benchmarks/mclust_prior_export.py export /tmp/mcp   # data CSVs
    Rscript benchmarks/mclust_prior.R /tmp/mcp                 # fits -> raw.json
    python benchmarks/mclust_prior_export.py collect /tmp/mcp  # -> tests/data

R writes every number as a "%.17g" string (jsonlite rounds to 15 digits);
``collect`` parses them and reshapes to skem's conventions: means (G, d),
covariances 'full' (G, d, d), 'tied' (d, d), 'diag' (G, d), 'spherical' (G,).
"""

import json
import sys
from pathlib import Path

import numpy as np
from sklearn.datasets import load_iris, load_wine

OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "mclust_prior.json"
SKEM_NAME = {"VVV": "full", "EEE": "tied", "VVI": "diag", "VII": "spherical"}


def export(tmp):
    tmp.mkdir(parents=True, exist_ok=True)
    wine, iris = load_wine().data, load_iris().data
    # wine_std: wine z-scored (ddof=0, as StandardScaler). Raw wine's scalar VVI
    # prior scale is dominated by proline, and mclust's VVI G=3 fit collapses.
    wine_std = (wine - wine.mean(0)) / wine.std(0)
    for name, X in [("wine", wine), ("wine_std", wine_std), ("iris", iris)]:
        np.savetxt(tmp / f"{name}.csv", X, fmt="%.17g", delimiter=",")


def num(x):
    """R's nested lists of "%.17g" strings -> float ndarray (R dims kept)."""
    a = np.asarray(x, dtype=object)
    return np.vectorize(float, otypes=[float])(a) if a.shape else float(x)


def collect(tmp):
    raw = json.loads((tmp / "raw.json").read_text())
    fits = []
    for r in raw["fits"]:
        m, d, G = r["model"], r["d"], r["G"]
        if r.get("failed"):  # mclust gave no solution; keep the record
            fits.append(
                {
                    "data": r["data"],
                    "G": G,
                    "mclust_model": m,
                    "covariance_type": SKEM_NAME[m],
                    "n": r["n"],
                    "d": d,
                    "failed": r["failed"],
                    "command": r["command"],
                }
            )
            continue
        # R arrays arrive flattened in column-major order, reshape with order="F".
        mean = num(r["mean"]).reshape(d, G, order="F").T
        sigma = num(r["sigma"]).reshape(d, d, G, order="F").transpose(2, 0, 1)
        cov = {
            "VVV": sigma,
            "EEE": sigma[0],
            "VVI": np.array([np.diag(s) for s in sigma]),
            "VII": sigma[:, 0, 0],
        }[m]
        pr = r["prior"]
        scale = num(pr["scale"])
        fits.append(
            {
                "data": r["data"],
                "G": G,
                "mclust_model": m,
                "covariance_type": SKEM_NAME[m],
                "n": r["n"],
                "d": d,
                "prior": {
                    "shrinkage": num(pr["shrinkage"]),
                    "mean": num(pr["mean"]).tolist(),
                    "dof": num(pr["dof"]),
                    "scale": (
                        scale.reshape(d, d, order="F").tolist()
                        if np.ndim(scale)
                        else scale
                    ),
                },
                "weights": num(r["pro"]).tolist(),
                "means": mean.tolist(),
                "covariances": np.asarray(cov).tolist(),
                "loglik": num(r["loglik"]),
                "loglik_recomputed": num(r["loglik_check"]),
                "bic": num(r["bic"]),
                "n_parameters": r["npar"],
                "iterations": r["iterations"],
                "fixed_point_max_rel_change": num(r["fixed_point"]),
                "command": r["command"],
            }
        )
    out = {
        "mclust_version": raw["mclust_version"],
        "R_version": raw["R_version"],
        "notes": raw["notes"],
        "fits": fits,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(
        json.dumps(out, indent=1, allow_nan=False) + "\n"
    )  # repr = round-trip
    print(f"wrote {OUT} ({len(fits)} fits)")


if __name__ == "__main__":
    {"export": export, "collect": collect}[sys.argv[1]](Path(sys.argv[2]))
