# Reference numbers for tests/test_mixed.py: flexmix's FLXMCmvcombi (Gaussian
# columns with diagonal covariances + binary columns) on the birth weight
# table (MASS::birthwt, skem.datasets.load_birthwt).
#
#   Rscript benchmarks/mixed_flexmix.R
#
# Prints, for the best of 20 EM runs with 2 components, the log-likelihood,
# the weights, and per component the centres (means of age, lwt, bwt, then
# the probabilities of smoke, ht, ui) and the variances of age, lwt, bwt.
suppressPackageStartupMessages({
  library(MASS)
  library(flexmix)
})
data(birthwt)
y <- as.matrix(birthwt[, c("age", "lwt", "bwt", "smoke", "ht", "ui")])
set.seed(2024)
fit <- stepFlexmix(y ~ 1, k = 2, nrep = 20, verbose = FALSE,
                   model = FLXMCmvcombi(),
                   control = list(iter.max = 10000, tolerance = 1e-12))
options(digits = 17)
cat("loglik", format(as.numeric(logLik(fit)), digits = 17), "\n")
cat("weights", format(prior(fit), digits = 17), "\n")
cat("iterations", fit@iter, "converged", fit@converged, "\n")
for (k in 1:2) {
  p <- fit@components[[k]][[1]]@parameters
  cat("center", k, format(p$center, digits = 17), "\n")
  cat("var", k, format(p$var, digits = 17), "\n")
}
