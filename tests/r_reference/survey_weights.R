# Reference values for clem_lib.weights (tests/test_weights.py).
# Run: Rscript tests/r_reference/survey_weights.R   (R 4.2, survey 4.x)
suppressMessages(library(survey))
options(digits = 15)
d <- data.frame(
  unit = rep(c("A", "B", "C"), c(8, 7, 9)),
  w = c(10, 10, 12, 12, 10, 8, 10, 10,  30, 25, 30, 35, 30, 30, 30,  5, 5, 6, 5, 4, 5, 5, 6, 5),
  y = c(3, 2, 4, 3, NA, 2, 3, 4,  1, 2, 2, 3, 1, 2, 2,  4, 4, 3, 4, 3, 4, 2, 4, 3),
  ok = c(TRUE, FALSE, TRUE, TRUE, TRUE, FALSE, TRUE, NA,  FALSE, FALSE, TRUE, FALSE, FALSE, TRUE,
         FALSE,  TRUE, TRUE, TRUE, FALSE, TRUE, TRUE, TRUE, TRUE, TRUE)
)
des <- svydesign(ids = ~1, strata = ~unit, weights = ~w, data = d)
m <- svymean(~y, des, na.rm = TRUE)
cat("svymean(~y, des, na.rm = TRUE) =", coef(m), " SE =", SE(m), " confint =", confint(m), "\n")
p <- svymean(~as.numeric(ok), des, na.rm = TRUE)
cat("svymean(~as.numeric(ok), des, na.rm = TRUE) =", coef(p), " SE =", SE(p), "\n")
cl <- svyciprop(~I(ok), des, method = "logit", na.rm = TRUE)
cat("svyciprop(~I(ok), des, method = 'logit') =", coef(cl), " ci =", attr(cl, "ci"), " degf =", degf(des), "\n")
cm <- svyciprop(~I(ok), des, method = "mean", na.rm = TRUE)
cat("svyciprop(~I(ok), des, method = 'mean') ci =", attr(cm, "ci"), "\n")

# Post-stratified to users per month: A 400, B 1500, C 250 (w = N_h / n_h)
N <- c(A = 400, B = 1500, C = 250)
d$wps <- N[d$unit] / as.numeric(table(d$unit)[d$unit])
des2 <- svydesign(ids = ~1, strata = ~unit, weights = ~wps, data = d)
m2 <- svymean(~y, des2, na.rm = TRUE)
cat("post-stratified svymean(~y) =", coef(m2), " SE =", SE(m2), "\n")

# Frequency-weight standard error (what DescrStatsW gives) for contrast
ok <- !is.na(d$y)
wy <- d$w[ok]; yy <- d$y[ok]
mu <- sum(wy * yy) / sum(wy)
cat("frequency-weight SE =", sqrt(sum(wy * (yy - mu)^2) / (sum(wy) - 1) / sum(wy)), "\n")
