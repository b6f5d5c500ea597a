# Reference values for clem_lib.stats two-sample tests (tests/test_stats.py).
# Run: Rscript tests/r_reference/two_sample.R   (R 4.2, base stats only)
options(digits = 15)
x <- c(1, 2, 2, 3, 3, 3, 4, 4, 2, 1, 3, 4, 2, 3)
y <- c(2, 3, 3, 4, 4, 4, 3, 4, 2, 4, 3, 4, 4, 3, 4, 2)

# Mann-Whitney U, tie-corrected normal approximation with continuity correction
w <- wilcox.test(x, y, correct = TRUE, exact = FALSE)
cat("wilcox W =", w$statistic, " p =", w$p.value, "\n")

# gap in means, Welch interval
tt <- t.test(x, y, var.equal = FALSE)
cat("welch ci =", tt$conf.int, "\n")

# Cliff's delta with Cliff's (1996) asymmetric interval, brute force on the dominance matrix
d <- sign(outer(x, y, "-"))
n1 <- length(x); n2 <- length(y)
delta <- mean(d)
di <- rowMeans(d); dj <- colMeans(d)
s2 <- (n2^2 * sum((di - delta)^2) + n1^2 * sum((dj - delta)^2) - sum((d - delta)^2)) /
      (n1 * n2 * (n1 - 1) * (n2 - 1))
s2 <- max(s2, (1 - delta^2) / (n1 * n2))
z <- qnorm(0.975)
ci <- (delta - delta^3 + c(-1, 1) * z * sqrt(s2) * sqrt((1 - delta^2)^2 + z^2 * s2)) /
      (1 - delta^2 + z^2 * s2)
cat("cliff delta =", delta, " ci =", ci, " (U/(n1 n2) check:", 2 * w$statistic / (n1 * n2) - 1, ")\n")

# Proportions: 18/40 vs 9/45 (all expected counts >= 5)
pt <- prop.test(c(18, 9), c(40, 45), correct = FALSE)
cs <- chisq.test(matrix(c(18, 22, 9, 36), 2, byrow = TRUE), correct = FALSE)
cat("prop.test X2 =", pt$statistic, " p =", pt$p.value, " chisq.test X2 =", cs$statistic, "\n")
w1 <- prop.test(18, 40, correct = FALSE)$conf.int
w2 <- prop.test(9, 45, correct = FALSE)$conf.int
cat("wilson 18/40 =", w1, " wilson 9/45 =", w2, "\n")
p1 <- 18 / 40; p2 <- 9 / 45
newc <- c(p1 - p2 - sqrt((p1 - w1[1])^2 + (w2[2] - p2)^2), p1 - p2 + sqrt((w1[2] - p1)^2 + (p2 - w2[1])^2))
cat("newcombe =", newc, "\n")
cat("cohen h =", 2 * asin(sqrt(p1)) - 2 * asin(sqrt(p2)), "\n")

# Small counts: 2/12 vs 7/11 (expected events 4.70 and 4.30 < 5) -> Fisher's exact test
ft <- fisher.test(matrix(c(2, 10, 7, 4), 2, byrow = TRUE))
cat("fisher p =", ft$p.value, "\n")

# Wilson at the edge: 0/20
cat("wilson 0/20 =", prop.test(0, 20, correct = FALSE)$conf.int, "\n")

# Proportion against a target: 34/40 above 0.7?
bt <- binom.test(34, 40, p = 0.7, alternative = "greater")
cat("binom.test p =", bt$p.value, "\n")
cat("one-sided wilson lower (90% two-sided) =", prop.test(34, 40, correct = FALSE, conf.level = 0.90)$conf.int[1], "\n")

# Multiplicity
p <- c(0.01, 0.04, 0.03, 0.2, 0.005)
cat("holm =", p.adjust(p, "holm"), "\n")
cat("BH =", p.adjust(p, "BH"), "\n")
