# Reference values for Kruskal-Wallis, Dunn's test and the paired Wilcoxon test
# (tests/test_stats.py). Run: Rscript tests/r_reference/k_sample_paired.R   (base R only;
# dunn.test is not installed, so Dunn's z is computed from Dunn's (1964) formula by hand).
options(digits = 15)
a <- c(1, 2, 2, 3, 3, 2, 1, 2, 3, 2)
b <- c(2, 3, 3, 4, 3, 4, 3, 3, 2, 4, 3)
cc <- c(3, 4, 4, 4, 3, 4, 2, 4, 4)
kt <- kruskal.test(list(a, b, cc))
cat("kruskal H =", kt$statistic, " p =", kt$p.value, "\n")
N <- length(c(a, b, cc))
cat("epsilon2 =", kt$statistic * (N + 1) / (N^2 - 1), "\n")

# Dunn (1964): pooled mid-ranks, tie-corrected variance, two-sided normal p
v <- c(a, b, cc); g <- rep(c("a", "b", "c"), c(length(a), length(b), length(cc)))
r <- rank(v)
t <- table(v)
s2 <- N * (N + 1) / 12 - sum(t^3 - t) / (12 * (N - 1))
mr <- tapply(r, g, mean); n <- table(g)
pairs <- list(c("a", "b"), c("a", "c"), c("b", "c"))
zs <- sapply(pairs, function(p) (mr[p[1]] - mr[p[2]]) / sqrt(s2 * (1 / n[p[1]] + 1 / n[p[2]])))
ps <- 2 * pnorm(-abs(zs))
cat("dunn z (a-b, a-c, b-c) =", zs, "\n")
cat("dunn p =", ps, "\n")
cat("dunn p holm =", p.adjust(ps, "holm"), "\n")

# Paired: experience x vs expectation y, with zero differences and ties
x <- c(2, 3, 3, 2, 4, 1, 2, 3, 3, 2, 4, 2, 3, 1, 2, 3)
y <- c(3, 3, 4, 4, 4, 3, 3, 3, 4, 2, 3, 4, 4, 2, 4, 4)
wt <- wilcox.test(x, y, paired = TRUE, correct = TRUE, exact = FALSE)
cat("signed-rank V =", wt$statistic, " p =", wt$p.value, "\n")
d <- x - y; dn <- d[d != 0]; rk <- rank(abs(dn))
cat("matched-pairs rank-biserial =", (sum(rk[dn > 0]) - sum(rk[dn < 0])) / sum(rk), "\n")
pt <- t.test(x, y, paired = TRUE)
cat("paired t ci =", pt$conf.int, "\n")
