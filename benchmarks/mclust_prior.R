# MAP-EM fits with mclust's default conjugate prior, priorControl(), for
# tests/data/mclust_prior.json. Driven by benchmarks/mclust_prior_export.py:
#
#   Rscript benchmarks/mclust_prior.R TMPDIR   # reads TMPDIR/{wine,iris}.csv
#
# Writes TMPDIR/raw.json with every number as a "%.17g" string.
suppressPackageStartupMessages({ library(mclust); library(jsonlite) })
tmp <- commandArgs(trailingOnly = TRUE)[1]
s17 <- function(x) sprintf("%.17g", x)            # full precision, dims dropped
ctrl <- emControl(tol = c(1e-12, 1e-12))          # tol[1]: relative loglik change

# Plain mixture log-likelihood from the returned parameters (no prior term).
loglik_of <- function(X, par) {
  G <- length(par$pro)
  lp <- sapply(seq_len(G), function(k) {
    S <- par$variance$sigma[, , k]
    R <- chol(S)
    r <- backsolve(R, t(X) - par$mean[, k], transpose = TRUE)
    log(par$pro[k]) - colSums(r^2) / 2 - sum(log(diag(R))) - ncol(X) * log(2 * pi) / 2
  })
  m <- apply(lp, 1, max)
  sum(m + log(rowSums(exp(lp - m))))
}

fits <- list()
cases <- list(list("wine", 3), list("wine_std", 3), list("iris", 3), list("iris", 2))
for (cs in cases) {
  name <- cs[[1]]; G <- cs[[2]]
  X <- as.matrix(read.csv(file.path(tmp, paste0(name, ".csv")), header = FALSE))
  colnames(X) <- NULL
  for (m in c("VVV", "EEE", "VVI", "VII")) {
    cmd <- sprintf('Mclust(X, G=%d, modelNames="%s", prior=priorControl(), control=emControl(tol=c(1e-12, 1e-12)))', G, m)
    fit <- Mclust(X, G = G, modelNames = m, prior = priorControl(),
                  control = ctrl, verbose = FALSE)
    if (is.null(fit)) {  # EM broke down (e.g. a component emptied): record it
      msg <- "Mclust returned NULL (BIC NA: a mixing proportion fell below threshold)"
      fits[[length(fits) + 1]] <- list(data = name, model = m, G = G, n = nrow(X),
                                       d = ncol(X), command = cmd, failed = msg)
      cat(name, G, m, msg, "\n"); next
    }
    # Rerun the same EM (same hc start as Mclust) to get the iteration count.
    z0 <- unmap(hclass(attr(fit$BIC, "initialization")$hcPairs, G))
    me1 <- me(X, modelName = m, z = z0, prior = priorControl(), control = ctrl)
    stopifnot(abs(me1$loglik - fit$loglik) < 1e-9)
    # Fixed-point check: one more E-step + M-step with the prior.
    es <- estep(X, modelName = m, parameters = fit$parameters)
    ms <- mstep(X, modelName = m, z = es$z, prior = priorControl())
    # Largest change of any parameter, relative to its block's largest entry.
    rel <- function(a, b) max(abs(a - b)) / max(abs(b))
    fp <- max(rel(ms$parameters$pro, fit$parameters$pro),
              rel(ms$parameters$mean, fit$parameters$mean),
              rel(ms$parameters$variance$sigma, fit$parameters$variance$sigma))
    pr <- defaultPrior(X, G = G, modelName = m)
    npar <- nMclustParams(m, ncol(X), G)
    stopifnot(abs(fit$bic - (2 * fit$loglik - npar * log(nrow(X)))) < 1e-9)
    fits[[length(fits) + 1]] <- list(
      data = name, model = m, G = G, n = nrow(X), d = ncol(X), command = cmd,
      prior = lapply(pr, s17), pro = s17(fit$parameters$pro),
      mean = s17(fit$parameters$mean), sigma = s17(fit$parameters$variance$sigma),
      loglik = s17(fit$loglik), loglik_check = s17(loglik_of(X, fit$parameters)),
      bic = s17(fit$bic), npar = npar, iterations = unname(attr(me1, "info")["iterations"]),
      fixed_point = s17(fp))
    cat(sprintf("%s G=%d %s loglik=%.10f recomputed=%.10f bic=%.6f its=%d fixpt=%.2e\n",
                name, G, m, fit$loglik, loglik_of(X, fit$parameters), fit$bic,
                as.integer(attr(me1, "info")["iterations"]), fp))
  }
}
notes <- paste(
  "loglik is the plain mixture log-likelihood at the returned parameters (no log-prior);",
  "bic = 2*loglik - npar*log(n); EM stops when |l_t - l_{t-1}|/(1+|l_t|) <= tol[1].")
write(toJSON(list(mclust_version = as.character(packageVersion("mclust")),
                  R_version = R.version.string, notes = notes, fits = fits),
             auto_unbox = TRUE, pretty = FALSE),
      file.path(tmp, "raw.json"))
