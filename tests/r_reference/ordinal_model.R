# Reference values for clem_lib.stats.ordinal_model (tests/test_stats.py): MASS::polr,
# the same proportional-odds parameterisation as statsmodels OrderedModel(distr = "logit").
# The data come from a small linear congruential generator so that Python rebuilds them
# exactly: s <- (69069 s + 1) mod 2^32, u = (s + 0.5) / 2^32.
# Run: Rscript tests/r_reference/ordinal_model.R
suppressMessages(library(MASS))
options(digits = 15)
n <- 240
s <- 12345
u <- numeric(3 * n)
for (i in seq_len(3 * n)) { s <- (69069 * s + 1) %% 2^32; u[i] <- (s + 0.5) / 2^32 }
idx <- 0:(n - 1)
unit <- c("A", "B", "C")[idx %% 3 + 1]
service <- c("KTP-el", "KK")[(idx %/% 3) %% 2 + 1]
sg <- u[1:n] < 0.3
lat <- -0.9 * sg + 0.5 * (unit == "B") - 0.3 * (unit == "C") + 0.4 * (service == "KK") +
       log(u[(n + 1):(2 * n)] / (1 - u[(n + 1):(2 * n)]))
y <- 1 + (lat > -1.2) + (lat > 0.2) + (lat > 1.6)
d <- data.frame(y = factor(y, ordered = TRUE), sg = as.numeric(sg), unit = factor(unit),
                service = factor(service, levels = c("KK", "KTP-el")))
cat("table(y) =", table(y), " sum(sg) =", sum(sg), "\n")
m <- polr(y ~ sg + unit + service, data = d, method = "logistic", Hess = TRUE)
b <- coef(m)["sg"]; se <- sqrt(diag(vcov(m)))["sg"]
cat("polr(y ~ sg + unit + service) coef sg =", b, " se =", se, "\n")
cat("odds ratio =", exp(b), " Wald 95% CI =", exp(b + c(-1, 1) * qnorm(0.975) * se), "\n")
cat("zeta =", m$zeta, "\n")
