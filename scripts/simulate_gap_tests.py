"""Simulate the size, interval coverage and power of clem's gap tests.

Data are drawn from an ordinal (1..4) latent-normal model whose answer
distribution resembles an IKM survey (10 / 25 / 40 / 25 % for answers 1..4).
For each two-sample test of ``clem_lib.stats`` the script reports

- size: how often p < 0.05 when there is no gap (target 4-6 %);
- coverage: how often the 95 % interval contains the true gap (target 93.5-96.5 %);
- power of the Mann-Whitney test for mean gaps of 0.2, 0.5 and 0.8 points at
  30, 60 and 120 respondents per side.

Usage::

    python scripts/simulate_gap_tests.py               # 5,000 / 2,000 replicates, ~15-20 minutes on 2 cores
    python scripts/simulate_gap_tests.py --reps 200    # quick look
    python scripts/simulate_gap_tests.py --write-docs  # also rewrite the block in docs/statistics.md

The functions are imported by ``tests/test_stats.py`` for a fast, seeded version.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats as sps

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from clem_lib.stats.ikm_tests import ikm_gap_core  # noqa: E402
from clem_lib.stats.paired import paired_row  # noqa: E402
from clem_lib.stats.twogroup import proportion_row, score_row  # noqa: E402
from clem_lib.stats.units import dunn_pairs  # noqa: E402

BASE_PROBS = np.array([0.10, 0.25, 0.40, 0.25])
CUTS = sps.norm.ppf(np.cumsum(BASE_PROBS)[:-1])  # latent cut points of the base distribution
LEVELS = np.arange(1, 5)
UNSUR = ("persyaratan", "prosedur", "waktu", "biaya", "produk", "kompetensi", "perilaku",
         "pengaduan", "sarana")
ALPHA = 0.05


def probs(shift: float, scale: float = 1.0) -> np.ndarray:
    """Answer probabilities when the latent mean moves by ``shift`` (latent sd ``scale``)."""
    c = sps.norm.cdf((CUTS - shift) / scale)
    return np.diff(np.concatenate([[0.0], c, [1.0]]))


def mean_of(p: np.ndarray) -> float:
    return float(np.dot(LEVELS, p))


def shift_for_gap(gap: float) -> float:
    """Latent shift whose answer mean is ``gap`` points above the base mean."""
    target = mean_of(BASE_PROBS) + gap
    from scipy.optimize import brentq

    return brentq(lambda s: mean_of(probs(s)) - target, -5, 5)


def true_delta(p1: np.ndarray, p2: np.ndarray) -> float:
    """Cliff's delta P(X > Y) - P(X < Y) of two answer distributions."""
    c2 = np.cumsum(p2)
    below = np.concatenate([[0.0], c2[:-1]])  # P(Y < k)
    above = 1 - c2  # P(Y > k)
    return float(np.sum(p1 * (below - above)))


def draw(rng, p, size):
    return rng.choice(LEVELS, size=size, p=p).astype(float)


# ---------------------------------------------------------------------------
# One block per test
# ---------------------------------------------------------------------------


def sim_scores(n: int, reps: int, seed: int, gap: float = 0.0) -> dict:
    """Mann-Whitney p, Welch interval of the mean gap and Cliff's interval, via compare_scores' core."""
    rng = np.random.default_rng(seed)
    p1 = probs(shift_for_gap(gap)) if gap else BASE_PROBS
    p2 = BASE_PROBS
    true_gap = mean_of(p1) - mean_of(p2)
    td = true_delta(p1, p2)
    rej = cov = cov_d = 0
    for _ in range(reps):
        x, y = draw(rng, p1, n), draw(rng, p2, n)
        r = score_row(x, y, min_n=5, conf_level=0.95)
        rej += r["p_value"] < ALPHA
        cov += r["ci_low"] <= true_gap <= r["ci_high"]
        cov_d += (r["effect_ci_low"] <= td <= r["effect_ci_high"]) if np.isfinite(r["effect_ci_low"]) else 0
    return {"reject": rej / reps, "coverage_gap": cov / reps, "coverage_effect": cov_d / reps}


def sim_proportions(n: int, reps: int, seed: int, p: float = 0.3) -> dict:
    """Chi-square/Fisher p, Newcombe interval and Cohen's h interval under p1 = p2 = p."""
    rng = np.random.default_rng(seed)
    rej = cov = cov_h = 0
    for _ in range(reps):
        a = (rng.random(n) < p).astype(float)
        b = (rng.random(n) < p).astype(float)
        r = proportion_row(a, b, min_n=5, conf_level=0.95)
        rej += r["p_value"] < ALPHA
        cov += r["ci_low"] <= 0.0 <= r["ci_high"]
        cov_h += r["effect_ci_low"] <= 0.0 <= r["effect_ci_high"]
    return {"reject": rej / reps, "coverage_gap": cov / reps, "coverage_effect": cov_h / reps}


def _ikm_answers(rng, n: int, shift: float = 0.0) -> np.ndarray:
    """Nine unsur per respondent: a person effect (sd 0.6) plus item noise (sd 0.8) on the latent scale."""
    person = rng.normal(0.0, 0.6, size=(n, 1))
    noise = rng.normal(0.0, 0.8, size=(n, len(UNSUR)))
    lat = shift + person + noise
    return (1 + np.sum(lat[..., None] > CUTS, axis=-1)).astype(float)


def sim_ikm(n: int, reps: int, seed: int, n_boot: int = 2000, n_perm: int = 2000) -> dict:
    """compare_ikm's core: permutation p and bootstrap interval when both groups share the IKM."""
    rng = np.random.default_rng(seed)
    ones = np.ones((n, len(UNSUR)))
    w = 1 / len(UNSUR)
    rej = cov = 0
    for i in range(reps):
        x1, x2 = _ikm_answers(rng, n), _ikm_answers(rng, n)
        r = ikm_gap_core(x1, ones, x2, ones, w, min_n=5, n_boot=n_boot, n_perm=n_perm,
                         seed=seed * 7919 + i, conf_level=0.95)
        rej += r["p_value"] < ALPHA
        cov += r["ci_low"] <= 0.0 <= r["ci_high"]
    return {"reject": rej / reps, "coverage_gap": cov / reps, "coverage_effect": float("nan")}


def sim_paired(n: int, reps: int, seed: int, n_boot: int = 1000) -> dict:
    """Wilcoxon signed-rank p, paired t interval and rank-biserial interval, X and Y with one law."""
    rng = np.random.default_rng(seed)
    rej = cov = cov_r = 0
    for _ in range(reps):
        x, y = draw(rng, BASE_PROBS, n), draw(rng, BASE_PROBS, n)
        r = paired_row(x, y, rng=rng, n_boot=n_boot, min_n=5, conf_level=0.95)
        rej += r["p_value"] < ALPHA
        cov += r["ci_low"] <= 0.0 <= r["ci_high"]
        cov_r += r["effect_ci_low"] <= 0.0 <= r["effect_ci_high"]
    return {"reject": rej / reps, "coverage_gap": cov / reps, "coverage_effect": cov_r / reps}


def sim_kruskal(n: int, reps: int, seed: int, k: int = 3) -> dict:
    """Kruskal-Wallis, and Dunn's pairs after Holm (any pair significant), with k equal units."""
    rng = np.random.default_rng(seed)
    rej = rej_dunn = 0
    for _ in range(reps):
        samples = [draw(rng, BASE_PROBS, n) for _ in range(k)]
        rej += sps.kruskal(*samples).pvalue < ALPHA
        _, p = dunn_pairs(samples)
        # some Holm-adjusted p < alpha  <=>  the smallest p times the number of pairs < alpha
        rej_dunn += bool(np.min(p) * len(p) < ALPHA)
    return {"reject": rej / reps, "reject_dunn_any": rej_dunn / reps}


def power_scores(n: int, gap: float, reps: int, seed: int) -> float:
    """Power of the Mann-Whitney test (vectorised, as compare_scores computes it)."""
    rng = np.random.default_rng(seed)
    p1 = probs(shift_for_gap(-gap))  # group 1 lower by `gap` points
    x = rng.choice(LEVELS, size=(reps, n), p=p1).astype(float)
    y = rng.choice(LEVELS, size=(reps, n), p=BASE_PROBS).astype(float)
    p = sps.mannwhitneyu(x, y, axis=1, use_continuity=True, method="asymptotic").pvalue
    return float(np.mean(p < ALPHA))


# ---------------------------------------------------------------------------
# Runner
# ---------------------------------------------------------------------------


def run(reps: int = 5000, reps_ikm: int = 2000, sizes=(30, 60, 120), seed: int = 20240601,
        verbose: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = []
    t0 = time.time()
    for j, n in enumerate(sizes):
        blocks = [
            ("Mann-Whitney U (unsur score); Welch gap CI; Cliff's delta CI", sim_scores(n, reps, seed + j)),
            ("chi-square / Fisher (proportion 0.30); Newcombe CI; Cohen's h CI",
             sim_proportions(n, reps, seed + 100 + j)),
            ("IKM permutation test; percentile bootstrap CI", sim_ikm(n, reps_ikm, seed + 200 + j)),
            ("Wilcoxon signed-rank (paired); paired t CI; rank-biserial bootstrap CI",
             sim_paired(n, reps, seed + 300 + j)),
        ]
        kw = sim_kruskal(n, reps, seed + 400 + j)
        for name, res in blocks:
            rows.append({"test": name, "n_per_side": n,
                         "replicates": reps_ikm if name.startswith("IKM") else reps, **res})
        rows.append({"test": "Kruskal-Wallis (3 units)", "n_per_side": n, "replicates": reps,
                     "reject": kw["reject"], "coverage_gap": float("nan"), "coverage_effect": float("nan")})
        rows.append({"test": "Dunn pairs, Holm (any of 3 pairs)", "n_per_side": n, "replicates": reps,
                     "reject": kw["reject_dunn_any"], "coverage_gap": float("nan"),
                     "coverage_effect": float("nan")})
        if verbose:
            print(f"  n = {n} done ({time.time() - t0:.0f} s)", file=sys.stderr)
    size = pd.DataFrame(rows)
    power = pd.DataFrame(
        [{"gap_points": g, **{f"n = {n}": power_scores(n, g, reps, seed + 500 + 10 * i + k)
                              for k, n in enumerate(sizes)}}
         for i, g in enumerate((0.2, 0.5, 0.8))])
    return size, power


def _pct(x: float) -> str:
    return "" if not np.isfinite(x) else f"{100 * x:.1f}"


def markdown(size: pd.DataFrame, power: pd.DataFrame, reps: int, reps_ikm: int, seed: int) -> str:
    lines = [
        f"Replicates: {reps:,} per cell ({reps_ikm:,} for the IKM test, each with 2,000 bootstrap "
        f"resamples and 2,000 permutations; the paired rank-biserial interval with 1,000 resamples); seed {seed}. Rejection = p < 0.05 with no gap; "
        "coverage = the 95 % interval contains the true gap (0) or true effect.",
        "",
        "| test | n per side | replicates | rejection % (target 4-6) | gap CI coverage % | effect CI coverage % |",
        "|---|---|---|---|---|---|",
    ]
    for r in size.itertuples(index=False):
        lines.append(f"| {r.test} | {r.n_per_side} | {r.replicates:,} | {_pct(r.reject)} | "
                     f"{_pct(r.coverage_gap)} | {_pct(r.coverage_effect)} |")
    lines += ["", "Power of the Mann-Whitney test (two-sided, alpha = 0.05) for a gap in one unsur's "
              "mean score, base answers 10/25/40/25 %:", "",
              "| gap (points) | " + " | ".join(c for c in power.columns if c != "gap_points") + " |",
              "|---|" + "---|" * (len(power.columns) - 1)]
    for r in power.to_dict("records"):
        lines.append(f"| {r['gap_points']:.1f} | " + " | ".join(
            f"{100 * r[c]:.0f} %" for c in power.columns if c != "gap_points") + " |")
    return "\n".join(lines)


def write_docs(block: str, path: Path = ROOT / "docs" / "statistics.md") -> None:
    text = path.read_text(encoding="utf-8")
    start, end = "<!-- simulation:start -->", "<!-- simulation:end -->"
    if start not in text or end not in text:
        raise SystemExit(f"{path} has no {start} ... {end} block to fill")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    path.write_text(f"{head}{start}\n{block}\n{end}{tail}", encoding="utf-8")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reps", type=int, default=5000, help="replicates per cell (default 5000)")
    ap.add_argument("--reps-ikm", type=int, default=2000, help="replicates for the IKM test (default 2000)")
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--write-docs", action="store_true", help="rewrite the block in docs/statistics.md")
    args = ap.parse_args(argv)
    size, power = run(args.reps, args.reps_ikm, seed=args.seed)
    block = markdown(size, power, args.reps, args.reps_ikm, args.seed)
    print(block)
    if args.write_docs:
        write_docs(block)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
