# Reference log-likelihoods of latent class models (binary items) from R's
# flexmix, for tests/test_categorical.py (the CI machine has no R).
#
#   Rscript benchmarks/categorical_flexmix.R
#
# Data: the carcinoma table (Agresti 2002, Table 13.1; skem.datasets.
# load_carcinoma), 7 binary ratings of 118 slides, tabulated as 20 patterns
# with frequencies. Model: FLXMCmvbinary (independent Bernoulli items per
# class), k = 1..4 classes, the best of 50 random starts each
# (stepFlexmix), EM to a relative tolerance of 1e-12.
suppressMessages(library(flexmix))
patterns <- rbind(
  c(0,0,0,0,0,0,0), c(1,0,0,0,0,0,0), c(0,1,0,0,0,0,0), c(1,1,0,0,0,0,0),
  c(0,0,0,0,1,0,0), c(0,1,0,0,1,0,0), c(1,1,0,0,1,0,0), c(0,1,0,0,0,0,1),
  c(1,1,0,0,0,0,1), c(1,1,0,1,0,0,1), c(0,1,0,0,1,0,1), c(1,1,0,0,1,0,1),
  c(1,0,1,0,1,0,1), c(1,1,1,0,1,0,1), c(1,1,0,1,1,0,1), c(1,1,1,1,1,0,1),
  c(1,1,0,0,1,1,1), c(1,1,1,0,1,1,1), c(1,1,0,1,1,1,1), c(1,1,1,1,1,1,1))
freq <- c(34, 2, 6, 2, 2, 4, 2, 1, 1, 1, 5, 7, 1, 13, 2, 10, 1, 5, 3, 16)
# flexmix's weights are case weights; expanding the rows is the same data.
Y <- patterns[rep(seq_len(nrow(patterns)), freq), ]
set.seed(1)
for (k in 1:4) {
  fits <- stepFlexmix(Y ~ 1, k = k, nrep = 50, verbose = FALSE,
                      model = FLXMCmvbinary(),
                      control = list(iter.max = 100000, tolerance = 1e-12,
                                     minprior = 0))
  cat(sprintf("carcinoma k=%d flexmix logLik=%.6f\n", k, logLik(fits)))
}
