# Reference log-likelihoods of Poisson mixtures from R's flexmix, for
# tests/test_poisson.py (which embeds the printed numbers; CI has no R).
#
#   Rscript benchmarks/poisson_flexmix.R
#
# dmft: the (Begin, End) DMFT counts of flexmix::dmft, a multivariate Poisson
# mixture (FLXMCmvpois), k = 1..3, best of 20 EM runs each.
# fabricfault: Faults with exposure Length (offset log(Length)), a Poisson GLM
# mixture with only an intercept (FLXMRglm), k = 1..3, best of 20 runs.
suppressPackageStartupMessages(library(flexmix))
cat("flexmix", as.character(packageVersion("flexmix")), "\n")
set.seed(1)
ctrl <- list(tolerance = 1e-12, iter.max = 5000, minprior = 0)
data(dmft)
X <- as.matrix(dmft[, c("Begin", "End")])
for (k in 1:3) {
  fit <- stepFlexmix(X ~ 1, k = k, model = FLXMCmvpois(), nrep = 20,
                     control = ctrl, verbose = FALSE)
  lambda <- parameters(fit)
  cat(sprintf("dmft k=%d loglik=%.10f rates=%s weights=%s\n", k, logLik(fit),
              paste(sprintf("%.8f", t(lambda)), collapse = ","),
              paste(sprintf("%.8f", prior(fit)), collapse = ",")))
}
data(fabricfault)
for (k in 1:3) {
  fit <- stepFlexmix(Faults ~ 1, data = fabricfault, k = k,
                     model = FLXMRglm(family = "poisson", offset = log(fabricfault$Length)),
                     nrep = 20, control = ctrl, verbose = FALSE)
  coefs <- exp(unlist(lapply(seq_len(k), function(j) parameters(fit, component = j)[1])))
  cat(sprintf("fabric k=%d loglik=%.10f rates=%s weights=%s\n", k, logLik(fit),
              paste(sprintf("%.10g", coefs), collapse = ","),
              paste(sprintf("%.8f", prior(fit)), collapse = ",")))
}
