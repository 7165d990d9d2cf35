# The optima R's mclust finds on the benchmark's Gaussian cases (one
# deterministic hierarchical start per case, mclust's defaults), written as
# JSON for benchmarks/bench_optimum.py, which uses them as one more source of
# best-known log-likelihoods (and as starts of a skem run).
#
#   python benchmarks/bench_optimum.py --export-csv DIR   # the five data sets
#   Rscript benchmarks/data/mclust_optima.R DIR benchmarks/data/mclust_optima.json
#
# covariance types: full = VVV, tied = EEE, diag = VVI, spherical = VII.
suppressPackageStartupMessages({library(mclust); library(jsonlite)})
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]
out <- args[2]
models <- c(full = "VVV", tied = "EEE", diag = "VVI", spherical = "VII")
results <- list()
for (name in c("iris", "wine", "breast_cancer", "diabetes", "faithful")) {
  X <- as.matrix(read.csv(file.path(dir, paste0(name, ".csv")), header = FALSE))
  for (type in names(models)) {
    for (k in 2:6) {
      fit <- tryCatch(
        Mclust(X, G = k, modelNames = models[[type]], verbose = FALSE),
        error = function(e) NULL
      )
      entry <- list(data = name, covariance_type = type, n_components = k,
                    mclust_version = as.character(packageVersion("mclust")))
      if (is.null(fit)) {
        entry$loglik <- NA
      } else {
        entry$loglik <- fit$loglik
        entry$weights <- as.numeric(fit$parameters$pro)
        entry$means <- t(fit$parameters$mean)  # (k, d)
        sigma <- fit$parameters$variance$sigma  # (d, d, k)
        # In scikit-learn's layout for the covariance type.
        entry$covariances <- switch(type,
          full = lapply(seq_len(k), function(j) sigma[, , j]),
          tied = sigma[, , 1],
          diag = lapply(seq_len(k), function(j) diag(sigma[, , j])),
          spherical = sapply(seq_len(k), function(j) sigma[1, 1, j]))
      }
      results[[length(results) + 1]] <- entry
    }
  }
}
# Ten significant digits: starts for EM, which refines them.
writeLines(toJSON(results, digits = I(10), auto_unbox = TRUE, na = "null"), out)
