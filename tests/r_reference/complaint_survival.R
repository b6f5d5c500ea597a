# Reference values for clem_lib.complaint_stats (tests/test_complaints.py): Kaplan-Meier quantiles
# with their intervals, S(t) with its interval, and the log-rank test, from R's survival package.
# Run: Rscript tests/r_reference/complaint_survival.R   (R 4.2, survival 3.4)
library(survival)
options(digits = 15)

# Days to resolution of 24 complaints; status 1 = resolved, 0 = still open at the cut-off (censored)
time   <- c(0, 1, 1, 2, 3, 3, 4, 5, 5, 6, 8, 9, 12, 12, 15, 20, 21, 30, 2, 7, 10, 14, 25, 40)
status <- c(1, 1, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1,  0,  1,  1,  0,  1, 1, 0, 1,  0,  0,  0)
channel <- c(rep("sms", 18), rep("lapor", 6))

fit <- survfit(Surv(time, status) ~ 1)          # conf.type = "log" (the default)
print(quantile(fit, probs = c(0.5, 0.9)))       # median 10 (5, NA); p90 NA (30, NA)
s <- summary(fit, times = 5)
cat("S(5) =", s$surv, " lower =", s$lower, " upper =", s$upper, "\n")
sd <- survdiff(Surv(time, status) ~ channel)
cat("log-rank chisq =", sd$chisq, " p =", pchisq(sd$chisq, 1, lower.tail = FALSE), "\n")

# Dropping the open complaints instead of censoring them: the median falls
fit_dropped <- survfit(Surv(time[status == 1], status[status == 1]) ~ 1)
print(quantile(fit_dropped, probs = 0.5))        # median 5 (2, 15)

# A curve that sits exactly at 0.5 (10 complaints, none open): R takes the midpoint of the flat
t2 <- 1:10
print(quantile(survfit(Surv(t2, rep(1, 10)) ~ 1), probs = c(0.5, 0.9)))   # 5.5 (3, NA); 9.5 (8, NA)

# Three groups of unequal size, ties across groups
t3 <- c(1, 2, 2, 3, 5, 8, 8, 9, 1, 1, 4, 4, 6, 10, 12, 2, 3, 3, 7, 7, 15, 20)
e3 <- c(1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 1, 0, 1, 1,  0, 1, 1, 1, 0, 1,  1,  0)
g3 <- c(rep("a", 8), rep("b", 7), rep("c", 7))
sd3 <- survdiff(Surv(t3, e3) ~ g3)
cat("log-rank 3 groups chisq =", sd3$chisq, " p =", pchisq(sd3$chisq, 2, lower.tail = FALSE), "\n")
print(quantile(survfit(Surv(t3, e3) ~ 1), probs = c(0.5, 0.9)))   # 6 (3, NA); NA (10, NA)
