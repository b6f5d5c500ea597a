# Reference values for the design-based figures of a district or an agency (tests/test_weights.py).
# Run from the repository root: Rscript tests/r_reference/district_design.R   (R 4.2.2, survey 4.1.1)
# Data: tests/r_reference/district_sample.csv, written by this script when it is absent (seeded):
# 80 respondents of six units, three in district Serengan, two in Jebres, Dispendukcapil in none;
# users per month N = 150, 60, 40, 220, 90, 500 and 14, 11, 12, 15, 10, 18 respondents.
suppressMessages(library(survey))
options(digits = 15)
csv <- "tests/r_reference/district_sample.csv"
keys <- c("persyaratan", "prosedur", "waktu", "biaya", "produk", "kompetensi", "perilaku", "pengaduan", "sarana")
if (!file.exists(csv)) {
  set.seed(20240622)
  units <- data.frame(
    unit = c("Kec. Serengan", "Puskesmas Serengan", "SDN Serengan 1", "Kec. Jebres", "Puskesmas Sibela",
             "Dispendukcapil"),
    district = c("Serengan", "Serengan", "Serengan", "Jebres", "Jebres", NA),
    agency = c(NA, "Dinas Kesehatan", "Dinas Pendidikan", NA, "Dinas Kesehatan", "Dispendukcapil"),
    N = c(150, 60, 40, 220, 90, 500), n = c(14, 11, 12, 15, 10, 18),
    shift = c(0.3, -0.5, 0.1, 0.5, -0.2, 0.2))
  parts <- lapply(seq_len(nrow(units)), function(h) {
    u <- units[h, ]
    person <- rnorm(u$n, u$shift, 0.6)
    ans <- sapply(seq_along(keys), function(j) findInterval(person + rnorm(u$n, 0, 0.8), c(-1.28, -0.25, 0.84)) + 1)
    ans[runif(length(ans)) < 0.06] <- NA                     # 6 % of answers skipped
    ff <- runif(u$n) < plogis(u$shift)
    ff[runif(u$n) < 0.08] <- NA
    cbind(data.frame(unit = u$unit, district = u$district, agency = u$agency, N = u$N, facility_friendly = ff),
          setNames(as.data.frame(ans), paste0("unsur_", keys)))
  })
  write.csv(do.call(rbind, parts), csv, row.names = FALSE, na = "")
}
d <- read.csv(csv, na.strings = c("NA", ""))
d$w <- d$N / as.numeric(table(d$unit)[d$unit])          # N_h / n_h
d$nf <- as.numeric(!d$facility_friendly)                 # not friendly (NA stays NA)
for (k in keys) {
  a <- d[[paste0("unsur_", k)]]
  d[[paste0("y_", k)]] <- ifelse(is.na(a), 0, a)
  d[[paste0("r_", k)]] <- as.numeric(!is.na(a))
}
num <- as.formula(paste("~", paste0("y_", keys, collapse = "+")))
den <- as.formula(paste("~", paste0("r_", keys, collapse = "+")))
nm <- paste0("y_", keys, "/r_", keys)
ikm_of <- function(des) svycontrast(svyratio(num, den, des, covmat = TRUE), setNames(rep(25 / 9, 9), nm))

# 1. one location as a whole: its rows only, stratified by unit
for (loc in list(c("district", "Serengan"), c("agency", "Dinas Kesehatan"))) {
  dd <- d[d[[loc[1]]] %in% loc[2], ]
  des <- svydesign(ids = ~1, strata = ~unit, fpc = ~N, weights = ~w, data = dd)
  ik <- ikm_of(des)
  cat(loc[1], loc[2], ": svycontrast(svyratio(num, den, des, covmat = TRUE), 25/9 each) IKM =", coef(ik),
      " SE =", SE(ik), " degf =", degf(des), " confint(df = degf(des)) =", confint(ik, df = degf(des)), "\n")
  per_unit <- sapply(split(dd, dd$unit), function(u) 25 / 9 * sum(colMeans(u[, paste0("unsur_", keys)], na.rm = TRUE)))
  cat("  unit IKMs:", per_unit, " their mean =", mean(per_unit), "\n")
  p <- svyciprop(~I(nf == 1), des, method = "logit", na.rm = TRUE)
  cat("  svyciprop(~I(nf == 1), des, method = 'logit', na.rm = TRUE) =", coef(p), " ci =", attr(p, "ci"),
      " SE(svymean(~nf, na.rm = TRUE)) =", SE(svymean(~nf, des, na.rm = TRUE)), "\n")
}

# 2. the district against the rest of the city: domains of the city-wide design
d$in_d <- d$district %in% "Serengan"                     # Dispendukcapil (no district) is in the rest
desC <- svydesign(ids = ~1, strata = ~unit, fpc = ~N, weights = ~w, data = d)
cat("degf(desC) =", degf(desC), "\n")
tt <- svyttest(unsur_waktu ~ in_d, desC)
cat("svyttest(unsur_waktu ~ in_d, desC): difference =", tt$estimate, " t =", tt$statistic, " df =", tt$parameter,
    " p =", tt$p.value, " conf.int =", tt$conf.int, "\n")
cc <- subset(desC, !is.na(unsur_waktu))
b <- svyby(~unsur_waktu, ~in_d, cc, svymean, covmat = TRUE)
g <- svycontrast(b, c(-1, 1))                            # TRUE - FALSE
cat("  svyby(~unsur_waktu, ~in_d, complete cases, svymean, covmat = TRUE):", coef(b), " contrast =", coef(g),
    " SE =", SE(g), "\n")
tn <- svyttest(nf ~ in_d, desC)
cat("svyttest(nf ~ in_d, desC): difference =", tn$estimate, " t =", tn$statistic, " df =", tn$parameter,
    " p =", tn$p.value, " conf.int =", tn$conf.int, "\n")
# the IKM of each domain: ratios of domain totals (answers and answered counts times the domain indicator)
for (k in keys) {
  d[[paste0("yi_", k)]] <- d[[paste0("y_", k)]] * d$in_d
  d[[paste0("ri_", k)]] <- d[[paste0("r_", k)]] * d$in_d
  d[[paste0("yo_", k)]] <- d[[paste0("y_", k)]] * !d$in_d
  d[[paste0("ro_", k)]] <- d[[paste0("r_", k)]] * !d$in_d
}
desC <- svydesign(ids = ~1, strata = ~unit, fpc = ~N, weights = ~w, data = d)
numd <- as.formula(paste("~", paste(c(paste0("yi_", keys), paste0("yo_", keys)), collapse = "+")))
dend <- as.formula(paste("~", paste(c(paste0("ri_", keys), paste0("ro_", keys)), collapse = "+")))
rt <- svyratio(numd, dend, desC, covmat = TRUE)
nmd <- c(paste0("yi_", keys, "/ri_", keys), paste0("yo_", keys, "/ro_", keys))
both <- svycontrast(rt, list(district = setNames(c(rep(25 / 9, 9), rep(0, 9)), nmd),
                             rest = setNames(c(rep(0, 9), rep(25 / 9, 9)), nmd)))
gap <- svycontrast(rt, setNames(c(rep(25 / 9, 9), rep(-25 / 9, 9)), nmd))
dfree <- degf(desC) - 1                                  # as svyttest: the design's degf less one
tg <- coef(gap) / SE(gap)
cat("IKM district, rest =", coef(both), " SE =", SE(both), "\n")
cat("svycontrast(svyratio(domain totals, covmat = TRUE), +25/9 district, -25/9 rest): gap =", coef(gap),
    " SE =", SE(gap), " t =", tg, " df =", dfree, " p = 2 pt(-|t|, df) =", 2 * pt(-abs(tg), dfree),
    " confint(df = degf - 1) =", confint(gap, df = dfree), "\n")
