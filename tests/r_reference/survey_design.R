# Reference values for the design-based city figures (tests/test_weights.py, tests/test_stats.py).
# Run from the repository root: Rscript tests/r_reference/survey_design.R   (R 4.2, survey 4.1)
# Data: tests/r_reference/design_sample.csv, 36 respondents in 3 units (strata) with
# N = 100, 25, 60 users per month and 12, 9, 15 respondents (sampling fractions 12 %, 36 %, 25 %).
suppressMessages(library(survey))
options(digits = 15)
d <- read.csv("tests/r_reference/design_sample.csv", na.strings = c("NA", ""))
d$w <- d$N / as.numeric(table(d$unit)[d$unit])
d$nf <- as.numeric(!d$facility_friendly)          # not friendly (NA stays NA)
keys <- c("persyaratan", "prosedur", "waktu", "biaya", "produk", "kompetensi", "perilaku", "pengaduan", "sarana")
for (k in keys) {
  a <- d[[paste0("unsur_", k)]]
  d[[paste0("y_", k)]] <- ifelse(is.na(a), 0, a)   # answer, 0 when skipped
  d[[paste0("r_", k)]] <- as.numeric(!is.na(a))     # answered
}
des <- svydesign(ids = ~1, strata = ~unit, weights = ~w, fpc = ~N, data = d)
des0 <- svydesign(ids = ~1, strata = ~unit, weights = ~w, data = d)   # without fpc
cat("degf(des) =", degf(des), "\n")

m <- svymean(~unsur_waktu, des, na.rm = TRUE)
cat("svymean(~unsur_waktu, des, na.rm = TRUE) =", coef(m), " SE =", SE(m), " confint =", confint(m), "\n")
m0 <- svymean(~unsur_waktu, des0, na.rm = TRUE)
cat("  without fpc: SE =", SE(m0), " ratio =", SE(m0) / SE(m), "\n")

p <- svyciprop(~I(nf == 1), des, method = "logit", na.rm = TRUE)
cat("svyciprop(~I(nf == 1), des, method = 'logit', na.rm = TRUE) =", coef(p), " ci =", attr(p, "ci"), "\n")
pm <- svymean(~nf, des, na.rm = TRUE)
cat("svymean(~nf, des, na.rm = TRUE) =", coef(pm), " SE =", SE(pm), "\n")
cat("  without fpc: SE =", SE(svymean(~nf, des0, na.rm = TRUE)), "\n")

# design-based IKM: ratio of totals per unsur, then 25/9 times their sum
num <- as.formula(paste("~", paste0("y_", keys, collapse = "+")))
den <- as.formula(paste("~", paste0("r_", keys, collapse = "+")))
nm <- paste0("y_", keys, "/r_", keys)
rt <- svyratio(num, den, des, covmat = TRUE)
ik <- svycontrast(rt, setNames(rep(25 / 9, 9), nm))
cat("svycontrast(svyratio(num, den, des, covmat = TRUE), 25/9 each) IKM =", coef(ik), " SE =", SE(ik),
    " confint(df = degf(des)) =", confint(ik, df = degf(des)), "\n")
cat("  without fpc: SE =", SE(svycontrast(svyratio(num, den, des0, covmat = TRUE), setNames(rep(25 / 9, 9), nm))), "\n")
# the per-respondent score, for contrast (differs when answers are skipped)
d$score <- 25 * rowMeans(d[, paste0("unsur_", keys)], na.rm = TRUE)
desS <- svydesign(ids = ~1, strata = ~unit, weights = ~w, fpc = ~N, data = d)
cat("svymean(~score) =", coef(svymean(~score, desS)), "\n")

# by sector (svyby): the IKM and a mean
for (s in c("adminduk", "kesehatan")) {
  sub <- subset(des, sector == s)
  r1 <- svyratio(num, den, sub, covmat = TRUE)
  c1 <- svycontrast(r1, setNames(rep(25 / 9, 9), nm))
  cat("sector", s, ": IKM =", coef(c1), " SE =", SE(c1), " degf =", degf(sub),
      " confint(df = degf(subset)) =", confint(c1, df = degf(sub)), "\n")
}
# (svyby(num, ~sector, des, svyratio, denominator = den, covmat = TRUE) stops with 'subscript out of
# bounds' for nine ratios; svyby estimates each domain on subset(des, sector == s), as above)
bm <- svyby(~unsur_waktu, ~sector, des, svymean, na.rm = TRUE)
cat("svyby(~unsur_waktu, ~sector, des, svymean, na.rm = TRUE):", coef(bm), " SE =", SE(bm), "\n")
bp <- svyby(~I(nf == 1), ~sector, des, svyciprop, method = "logit", na.rm = TRUE, vartype = "ci")
print(bp)

# special group x not friendly: Rao-Scott, gap between the two groups
dd <- subset(des, !is.na(special_group) & !is.na(nf))
ch <- svychisq(~special_group + nf, dd)
cat("svychisq(~special_group + nf, subset(des, complete)) F =", ch$statistic, " ndf =", ch$parameter[1],
    " ddf =", ch$parameter[2], " p =", ch$p.value, "\n")
ch0 <- svychisq(~special_group + nf, subset(des0, !is.na(special_group) & !is.na(nf)))
cat("  without fpc: F =", ch0$statistic, " p =", ch0$p.value, "\n")
b <- svyby(~nf, ~special_group, dd, svymean, covmat = TRUE)   # dd: complete cases (na.rm breaks covmat)
g <- svycontrast(b, c(-1, 1))   # TRUE - FALSE
cat("svyby(~nf, ~special_group, dd, svymean, covmat = TRUE):", coef(b), " SE =", SE(b), "\n")
cat("svycontrast(b, c(-1, 1)) gap =", coef(g), " SE =", SE(g), " confint =", confint(g), "\n")
for (v in c(TRUE, FALSE)) {
  sp <- svyciprop(~I(nf == 1), subset(des, special_group == v), method = "logit", na.rm = TRUE)
  cat("svyciprop(~I(nf == 1), subset(des, special_group ==", v, ")) =", coef(sp), " ci =", attr(sp, "ci"), "\n")
}

# Fisher's exact test: conditional maximum-likelihood odds ratio and its exact interval
f <- fisher.test(matrix(c(2, 10, 7, 4), 2, byrow = TRUE))
cat("fisher.test(matrix(c(2, 10, 7, 4), 2, byrow = TRUE)): OR =", f$estimate, " ci =", f$conf.int, " p =", f$p.value, "\n")
f2 <- fisher.test(matrix(c(0, 9, 6, 5), 2, byrow = TRUE))
cat("fisher.test(matrix(c(0, 9, 6, 5), 2, byrow = TRUE)): OR =", f2$estimate, " ci =", f2$conf.int, " p =", f2$p.value, "\n")
# fisher.test solves for the estimate and the limits with uniroot's default tolerance
# (.Machine$double.eps^0.25 = 1.2e-4), so its printed odds ratio is good to about 4 digits.
# The same function with uniroot's tolerance tightened gives the exact solutions clem pins:
e <- new.env(parent = asNamespace("stats"))
e$uniroot <- function(...) stats::uniroot(..., tol = 1e-13)
fisher_tight <- fisher.test
environment(fisher_tight) <- e
for (tab in list(c(2, 10, 7, 4), c(0, 9, 6, 5), c(12, 3, 4, 9))) {
  ft <- fisher_tight(matrix(tab, 2, byrow = TRUE))
  cat("fisher.test(matrix(c(", paste(tab, collapse = ", "), "), 2, byrow = TRUE)) with uniroot(tol = 1e-13): OR =",
      ft$estimate, " ci =", ft$conf.int, " p =", ft$p.value, "\n")
}
